"""A full workload: a Deployment and a StatefulSet with everything a real one declares.

Ports, probes, labels and the StatefulSet's headless Service stay by reference; the rest
(resources, security contexts, volumes, claim templates) are Kubernetes-shaped dicts, checked
against the Kubernetes schema of the target version at the line that declares them.
"""

from svcgen import App, Container, Deployment, Pod, Port, Probe, Service, StatefulSet

http = Port("http", 8080)
metrics = Port("metrics", 9090)

api = Container(
    "api",
    image="ghcr.io/example/api:3.1.0",
    ports=[http, metrics],
    args=["--listen=:8080", "--metrics=:9090"],
    env={
        "LOG_LEVEL": "info",
        "DATABASE_URL": {"secretKeyRef": {"name": "api-db", "key": "url"}},
        "POD_NAME": {"fieldRef": {"fieldPath": "metadata.name"}},
    },
    env_from=[{"configMapRef": {"name": "api-config"}}],
    resources={
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    volume_mounts=[
        {"name": "cache", "mountPath": "/var/cache/api"},
        {"name": "config", "mountPath": "/etc/api", "readOnly": True},
    ],
    security_context={
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    },
    readiness=Probe.http(http, "/ready", period_seconds=5),
    liveness=Probe.http(http, "/healthz", initial_delay_seconds=10),
    image_pull_policy="IfNotPresent",
)

migrate = Container(
    "migrate",
    image="ghcr.io/example/api:3.1.0",
    command=["/api", "migrate"],
    env_from=[{"secretRef": {"name": "api-db"}}],
)

frontend = App(
    "api",
    namespace="shop",
    labels={"app.kubernetes.io/name": "api"},
    pod_labels={"app.kubernetes.io/version": "3.1.0"},
    containers=[api],
    workload=Deployment(
        replicas=3,
        strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
        revision_history_limit=5,
    ),
    pod=Pod(
        annotations={"prometheus.io/scrape": "true"},
        init_containers=[migrate],
        service_account="api",
        security_context={
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "fsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        volumes=[
            {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "config", "configMap": {"name": "api-config"}},
        ],
        node_selector={"kubernetes.io/os": "linux"},
        topology_spread=[
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}},
            }
        ],
        image_pull_secrets=["registry"],
        termination_grace_period_seconds=30,
    ),
    services=[
        Service("api", ports=[api.port("http").expose(80)]),
        Service("api-metrics", ports=[api.port("metrics").expose()]),
    ],
)

pg = Port("postgres", 5432)
postgres = Container(
    "postgres",
    image="postgres:16",
    ports=[pg],
    env={
        "PGDATA": "/var/lib/postgresql/data/pgdata",
        "POSTGRES_PASSWORD": {"secretKeyRef": {"name": "db", "key": "password"}},
    },
    resources={"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1Gi"}},
    volume_mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
    readiness=Probe.tcp(pg, period_seconds=10),
)
# The Service that gives each pod its DNS name (db-0.db.shop.svc): by object, and headless.
peers = Service(
    "db",
    headless=True,
    publish_not_ready_addresses=True,
    ports=[postgres.port("postgres").expose()],
)

database = App(
    "db",
    namespace="shop",
    labels={"app.kubernetes.io/name": "db"},
    containers=[postgres],
    workload=StatefulSet(
        replicas=1,
        service=peers,
        pod_management_policy="OrderedReady",
        volume_claim_templates=[
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "20Gi"}},
                },
            }
        ],
    ),
    pod=Pod(security_context={"fsGroup": 999}, termination_grace_period_seconds=60),
    services=[peers],
)
