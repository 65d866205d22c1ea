"""The Service objects built from the DSL: wire names, key order, what is left out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from svcgen import (
    App,
    Container,
    DaemonSet,
    Deployment,
    GatewayRef,
    HTTPRoute,
    Ingress,
    IngressRule,
    NetworkPolicy,
    PodMonitor,
    Port,
    Probe,
    RouteRule,
    Service,
    ServiceMonitor,
    StatefulSet,
)
from svcgen.dsl import manifests
from svcgen.dsl.manifests import build_manifests
from svcgen.dsl.model import Consumer
from svcgen.nodeports.lock import PortKey

api = Container("api", ports=[Port("http", 8080), Port("grpc", 9000)])


def _build(
    *services: Service, namespace: str | None = None, node_ports: dict[PortKey, int] | None = None
) -> list[dict[str, object]]:
    app = App(
        "web", namespace=namespace, labels={"app": "web"}, containers=[api], services=list(services)
    )
    return build_manifests([app], node_ports or {})


def test_minimal_cluster_ip_service() -> None:
    (svc,) = _build(Service("web", ports=[api.port("http").expose(80)]))
    assert svc == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app": "web"},
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}],
        },
    }
    assert list(svc) == ["apiVersion", "kind", "metadata", "spec"]


def test_named_target_port_and_node_port() -> None:
    (svc,) = _build(
        Service("web", type="NodePort", ports=[api.port("http").expose(target_by="name")]),
        namespace="shop",
        node_ports={PortKey("shop", "web", "http", "TCP"): 30080},
    )
    assert svc["metadata"] == {"name": "web", "namespace": "shop"}
    assert svc["spec"]["ports"] == [  # type: ignore[index]
        {"name": "http", "protocol": "TCP", "port": 8080, "targetPort": "http", "nodePort": 30080}
    ]


def test_headless_and_external_name() -> None:
    headless, alias = _build(
        Service("db", headless=True, ports=[api.port("grpc").expose()]),
        Service("alias", type="ExternalName", external_name="x.example.com"),
    )
    assert headless["spec"]["clusterIP"] == "None"  # type: ignore[index]
    assert alias["spec"] == {"type": "ExternalName", "externalName": "x.example.com"}


def test_declared_options_are_written_and_defaults_are_not() -> None:
    (svc,) = _build(
        Service(
            "lb",
            type="LoadBalancer",
            allocate_load_balancer_node_ports=False,
            load_balancer_class="x.io/lb",
            load_balancer_source_ranges=["10.0.0.0/8"],
            external_traffic_policy="Local",
            internal_traffic_policy="Cluster",
            labels={"tier": "edge"},
            annotations={"x.io/a": "b"},
            ports=[
                api.port("http").expose(443, name="https", app_protocol="https", node_port=None)
            ],
        )
    )
    assert svc["metadata"] == {
        "name": "lb",
        "labels": {"tier": "edge"},
        "annotations": {"x.io/a": "b"},
    }
    assert svc["spec"] == {
        "type": "LoadBalancer",
        "selector": {"app": "web"},
        "ports": [
            {
                "name": "https",
                "protocol": "TCP",
                "appProtocol": "https",
                "port": 443,
                "targetPort": 8080,
            }
        ],
        "allocateLoadBalancerNodePorts": False,
        "loadBalancerClass": "x.io/lb",
        "loadBalancerSourceRanges": ["10.0.0.0/8"],
        "externalTrafficPolicy": "Local",
        "internalTrafficPolicy": "Cluster",
    }


def test_unnamed_single_port() -> None:
    (svc,) = _build(Service("web", ports=[api.port("http").expose(name="")]))
    assert svc["spec"]["ports"] == [{"protocol": "TCP", "port": 8080, "targetPort": 8080}]  # type: ignore[index]


def test_workloads_share_the_selector_and_declare_named_ports() -> None:
    web = Container("web", image="web:1", ports=[Port("http", 8080, "TCP"), Port("dns", 53, "UDP")])
    app = App(
        "web",
        namespace="ns",
        labels={"app": "web"},
        pod_labels={"version": "1"},
        replicas=2,
        containers=[web],
        services=[Service("web", ports=[web.port("http").expose(80)])],
    )
    service, deployment = build_manifests([app], {}, with_workloads=True)
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert deployment == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web", "version": "1"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "version": "1"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "web:1",
                            "ports": [
                                {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                                {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                            ],
                        }
                    ]
                },
            },
        },
    }


def test_explicit_target_by_wins_and_statefulsets_name_their_headless_service() -> None:
    db = Container("db", image="pg", ports=[Port("pg", 5432)])
    app = App(
        "db",
        labels={"app": "db"},
        workload="StatefulSet",
        containers=[db],
        services=[
            Service("db-client", ports=[db.port("pg").expose(target_by="number")]),
            Service("db", headless=True, ports=[db.port("pg").expose()]),
        ],
    )
    client, headless, statefulset = build_manifests([app], {})
    assert client["spec"]["ports"][0]["targetPort"] == 5432
    assert headless["spec"]["ports"][0]["targetPort"] == "pg"
    assert statefulset["kind"] == "StatefulSet" and statefulset["spec"]["serviceName"] == "db"


# Probes and consumers ----------------------------------------------------------------------------


def test_probes_name_http_and_tcp_ports_and_number_grpc_ports() -> None:
    http, grpc = Port("http", 8080), Port("grpc", 9000)
    probed = Container(
        "api",
        image="api:1",
        ports=[http, grpc],
        liveness=Probe.http(http, "/livez", scheme="HTTPS", timeout_seconds=2),
        readiness=Probe.tcp(http),
        startup=Probe.grpc(grpc, "health", failure_threshold=30),
    )
    app = App("web", labels={"app": "web"}, containers=[probed], workload="Deployment")
    (workload,) = build_manifests([app], {})
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"] == {
        "httpGet": {"path": "/livez", "port": "http", "scheme": "HTTPS"},
        "timeoutSeconds": 2,
    }
    assert container["readinessProbe"] == {"tcpSocket": {"port": "http"}}
    assert container["startupProbe"] == {
        "grpc": {"port": 9000, "service": "health"},
        "failureThreshold": 30,
    }
    assert list(container) == [
        "name",
        "image",
        "ports",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
    ]


def test_http_and_tcp_probes_write_the_ports_number_with_port_by_number() -> None:
    http, grpc = Port("http", 8080), Port("grpc", 9000)
    probed = Container(
        "api",
        image="api:1",
        ports=[http, grpc],
        liveness=Probe.http(http, "/livez", port_by="number"),
        readiness=Probe.tcp(http, port_by="number"),
        startup=Probe("tcp", grpc, port_by="name"),
    )
    app = App("web", labels={"app": "web"}, containers=[probed], workload="Deployment")
    (workload,) = build_manifests([app], {})
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"] == {"httpGet": {"path": "/livez", "port": 8080}}
    assert container["readinessProbe"] == {"tcpSocket": {"port": 8080}}
    assert container["startupProbe"] == {"tcpSocket": {"port": "grpc"}}
    assert (
        Probe.http(http).port_by is Probe.tcp(http).port_by is None
    )  # unset: by name (a named port)


@pytest.mark.parametrize("kind", [Deployment, StatefulSet, DaemonSet])
def test_a_workloads_own_labels_are_the_pods_labels_unless_given(
    kind: type[Deployment | StatefulSet | DaemonSet],
) -> None:
    headless = Service("db", headless=True, ports=[api.port("http").expose()])

    def metadata(workload: Deployment | StatefulSet | DaemonSet) -> dict[str, Any]:
        app = App(
            "web",
            labels={"app": "web"},
            pod_labels={"v": "1"},
            containers=[api],
            services=[headless],
            workload=workload,
        )
        (built,) = [m for m in build_manifests([app], {}) if m["kind"] != "Service"]
        assert built["spec"]["template"]["metadata"] == {"labels": {"app": "web", "v": "1"}}
        assert built["spec"]["selector"] == {"matchLabels": {"app": "web"}}
        return dict(built["metadata"])

    assert metadata(kind()) == {"name": "web", "labels": {"app": "web", "v": "1"}}
    assert metadata(kind(labels=None)) == {"name": "web", "labels": {"app": "web", "v": "1"}}
    assert metadata(kind(labels={"team": "a"}, annotations={"x": "y"})) == {
        "name": "web",
        "labels": {"team": "a"},
        "annotations": {"x": "y"},
    }
    assert metadata(kind(labels={})) == {"name": "web"}


def _with(
    consumers: list[Consumer],
    *,
    services: list[Service],
    namespace: str | None = "shop",
    others: Sequence[App] = (),
) -> list[dict[str, Any]]:
    app = App(
        "web",
        namespace=namespace,
        labels={"app": "web"},
        containers=[api],
        services=services,
        consumers=consumers,
    )
    built = build_manifests([app, *others], {})
    return [m for m in built if m["kind"] != "Service"]


def test_an_ingress_backend_names_the_port_and_numbers_an_unnamed_one() -> None:
    named = Service("web", ports=[api.port("http").expose(80)])
    unnamed = Service("grpc", ports=[api.port("grpc").expose(90, name="")])
    (ingress,) = _with(
        [
            Ingress(
                "web",
                rules=[IngressRule(paths={"/": named.port("http")})],
                default_backend=unnamed.port(""),
                annotations={"a": "b"},
            )
        ],
        services=[named, unnamed],
    )
    assert ingress["metadata"] == {"name": "web", "namespace": "shop", "annotations": {"a": "b"}}
    assert ingress["spec"] == {
        "defaultBackend": {"service": {"name": "grpc", "port": {"number": 90}}},
        "rules": [
            {
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"name": "http"}}},
                        }
                    ]
                }
            }
        ],
    }


def test_a_route_backend_is_a_port_number_with_the_namespace_when_it_differs() -> None:
    web = Service("web", ports=[api.port("http").expose(80)])
    db = App("db", namespace="data", labels={"app": "db"}, containers=[api], services=[web])
    (route,) = _with(
        [
            HTTPRoute(
                "r",
                parents=[GatewayRef("gw", section_name="https")],
                rules=[RouteRule("/api", backends=[web.port("http")])],
            )
        ],
        services=[],
        others=[db],
    )
    assert route["spec"] == {
        "parentRefs": [{"name": "gw", "sectionName": "https"}],
        "rules": [
            {
                "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                "backendRefs": [{"name": "web", "port": 80, "namespace": "data"}],
            }
        ],
    }


def test_monitors_select_by_labels_and_name_the_port() -> None:
    metrics = Container("m", ports=[Port("metrics", 9100)])
    mon = Service("mon", labels={"metrics": "yes"}, ports=[metrics.port("metrics").expose()])
    other = App("exporter", labels={"app": "exporter"}, containers=[metrics], services=[mon])
    service_monitor, pod_monitor = _with(
        [
            ServiceMonitor("sm", port=mon.port("metrics"), interval="30s"),
            PodMonitor("pm", port=metrics.port("metrics"), path="/stats"),
        ],
        services=[],
        others=[other],
    )
    assert service_monitor["spec"] == {
        "selector": {"matchLabels": {"metrics": "yes"}},
        "namespaceSelector": {"matchNames": ["default"]},
        "endpoints": [{"port": "metrics", "interval": "30s"}],
    }
    assert pod_monitor["spec"] == {
        "selector": {"matchLabels": {"app": "exporter"}},
        "namespaceSelector": {"matchNames": ["default"]},
        "podMetricsEndpoints": [{"port": "metrics", "path": "/stats"}],
    }


def test_a_network_policy_selects_the_apps_pods_and_ands_its_peers() -> None:
    (policy,) = _with(
        [
            NetworkPolicy(
                "np",
                ports=[api.port("http")],
                from_pods={"role": "client"},
                from_namespaces={"team": "a"},
            )
        ],
        services=[],
    )
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"team": "a"}},
                        "podSelector": {"matchLabels": {"role": "client"}},
                    }
                ],
                "ports": [{"protocol": "TCP", "port": "http"}],
            }
        ],
    }
    (open_policy,) = _with([NetworkPolicy("np", ports=[api.port("http")])], services=[])
    assert "from" not in open_policy["spec"]["ingress"][0]


def test_consumers_carry_their_own_labels_and_annotations() -> None:
    (policy,) = _with(
        [
            NetworkPolicy(
                "np",
                ports=[api.port("http")],
                labels={"team": "a"},
                annotations={"example.com/owner": "a"},
            )
        ],
        services=[],
    )
    assert policy["metadata"] == {
        "name": "np",
        "namespace": "shop",
        "labels": {"team": "a"},
        "annotations": {"example.com/owner": "a"},
    }


def test_consumers_follow_their_app_in_declaration_order() -> None:
    web = Service("web", ports=[api.port("http").expose(80)])
    app = App(
        "web",
        labels={"app": "web"},
        containers=[api],
        services=[web],
        consumers=[
            NetworkPolicy("b", ports=[api.port("http")]),
            Ingress("a", default_backend=web.port("http")),
        ],
    )
    assert [m["kind"] for m in build_manifests([app], {})] == [
        "Service",
        "NetworkPolicy",
        "Ingress",
    ]


def test_policy_rules_list_each_peer_and_write_ports_by_name_or_number() -> None:
    from svcgen import Peer, PolicyRule

    (policy,) = _with(
        [
            NetworkPolicy(
                "np",
                rules=[
                    PolicyRule(
                        ports=[api.port("http")],
                        peers=[Peer(pods={"role": "a"}), Peer(namespaces={})],
                    ),
                    PolicyRule(
                        ports=[api.port("grpc")],
                        peers=[Peer(pods={}, namespaces={"team": "b"})],
                        ports_by="number",
                    ),
                ],
            )
        ],
        services=[],
    )
    assert policy["spec"]["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {"role": "a"}}}, {"namespaceSelector": {}}],
            "ports": [{"protocol": "TCP", "port": "http"}],
        },
        {
            "from": [{"namespaceSelector": {"matchLabels": {"team": "b"}}, "podSelector": {}}],
            "ports": [{"protocol": "TCP", "port": 9000}],
        },
    ]


def test_an_ingress_backend_whose_service_port_name_is_no_iana_name_is_written_by_number() -> None:
    long_name = Service("web", ports=[api.port("http").expose(80, name="frontend-http-public")])
    (ingress,) = _with(
        [Ingress("web", default_backend=long_name.port("frontend-http-public"))],
        services=[long_name],
    )
    assert ingress["spec"]["defaultBackend"] == {"service": {"name": "web", "port": {"number": 80}}}


def test_exec_probes_and_the_rarer_probe_fields() -> None:
    from svcgen.dsl.manifests import build_probe

    http = Port("http", 80)
    assert build_probe(Probe.exec(["pg_isready", "-q"], period_seconds=5)) == {
        "exec": {"command": ["pg_isready", "-q"]},
        "periodSeconds": 5,
    }
    probe = Probe(
        "http",
        http,
        path="/",
        host="localhost",
        scheme="HTTPS",
        http_headers=[{"name": "X", "value": "1"}],
        success_threshold=2,
        termination_grace_period_seconds=10,
    )
    assert build_probe(probe) == {
        "httpGet": {
            "path": "/",
            "port": "http",
            "host": "localhost",
            "scheme": "HTTPS",
            "httpHeaders": [{"name": "X", "value": "1"}],
        },
        "successThreshold": 2,
        "terminationGracePeriodSeconds": 10,
    }


def test_every_field_of_the_kubernetes_types_is_declared() -> None:
    """Each field of Container, PodSpec and the workload specs in the vendored schema has a DSL
    field.

    Left out on purpose: ephemeralContainers (added to running pods only), serviceAccount
    (deprecated alias of serviceAccountName) and fields newer than Kubernetes 1.36
    (1.37's evictionResponders is not declared yet).
    """
    from svcgen.dsl.manifests import CONTAINER_FIELDS, POD_FIELDS, WORKLOAD_FIELDS
    from svcgen.kube import schema

    def fields(definition: str) -> set[str]:
        known = schema._schema()["defs"][definition]["p"]
        return {name for name, spec in known.items() if len(spec) == 1 or spec[1] <= 36}

    assert fields("core.v1.Container") == {"name", "image", *CONTAINER_FIELDS.values()}
    assert fields("core.v1.PodSpec") - {"ephemeralContainers", "serviceAccount"} == set(
        POD_FIELDS.values()
    )
    own = {"replicas", "selector", "template"}
    assert fields("apps.v1.DeploymentSpec") - own == set(WORKLOAD_FIELDS["Deployment"].values())
    assert fields("apps.v1.StatefulSetSpec") - own - {"serviceName"} == set(
        WORKLOAD_FIELDS["StatefulSet"].values()
    )
    assert fields("apps.v1.DaemonSetSpec") - own == set(WORKLOAD_FIELDS["DaemonSet"].values())
    assert fields("core.v1.Probe") == {
        "exec",
        "httpGet",
        "tcpSocket",
        "grpc",
        *manifests.PROBE_TIMING,
    }


UNNAMED_RENDER = """\
apiVersion: v1
kind: Service
metadata:
  name: side
spec:
  type: ClusterIP
  selector:
    app: side
  ports:
  - protocol: TCP
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: side-metrics
  labels:
    app: side
spec:
  type: ClusterIP
  selector:
    app: side
  ports:
  - name: metrics
    protocol: TCP
    port: 9102
    targetPort: 9102
  - name: admin
    protocol: TCP
    port: 9000
    targetPort: admin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: side
  labels:
    app: side
spec:
  selector:
    matchLabels:
      app: side
  template:
    metadata:
      labels:
        app: side
    spec:
      containers:
      - name: side
        image: side:1
        ports:
        - containerPort: 8080
          protocol: TCP
        - containerPort: 9102
          protocol: TCP
        - name: admin
          containerPort: 9000
          protocol: TCP
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
        readinessProbe:
          tcpSocket:
            port: admin
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: side
spec:
  rules:
  - host: side.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: side
            port:
              number: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: side
spec:
  parentRefs:
  - name: edge
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - name: side
      port: 80
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: side
spec:
  selector:
    matchLabels:
      app: side
  endpoints:
  - port: metrics
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: side
spec:
  selector:
    matchLabels:
      app: side
  podMetricsEndpoints:
  - portNumber: 9102
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: side
spec:
  podSelector:
    matchLabels:
      app: side
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
    ports:
    - protocol: TCP
      port: 8080
    - protocol: TCP
      port: admin
"""


def test_unnamed_ports_render_without_a_name_and_everything_refers_to_their_number() -> None:
    """GIVEN ports without a name; THEN no ``name:``, and each reference by number, schema-valid
    (golden)."""
    import json

    import jsonschema
    import kubernetes_validate
    from conftest import DATA
    from ruamel.yaml import YAML
    from test_examples import CRD_SCHEMAS, _strict

    from svcgen.render import render

    plain, admin = Port(number=8080), Port("admin", 9000)
    side = Container(
        "side",
        image="side:1",
        ports=[plain, Port(number=9102), admin],
        liveness=Probe.http(plain, "/healthz"),
        readiness=Probe.tcp(admin),
    )
    svc = Service("side", ports=[side.port(8080).expose(80)])
    met = Service(
        "side-metrics",
        labels={"app": "side"},
        ports=[side.port(9102).expose(name="metrics"), side.port("admin").expose()],
    )
    app = App(
        "side",
        labels={"app": "side"},
        containers=[side],
        services=[svc, met],
        workload="Deployment",
        consumers=[
            Ingress("side", rules=[IngressRule("side.example.com", paths={"/": svc.port(80)})]),
            HTTPRoute(
                "side",
                parents=[GatewayRef("edge")],
                rules=[RouteRule("/", backends=[svc.port(80)])],
            ),
            ServiceMonitor("side", port=met.port("metrics")),
            PodMonitor("side", port=side.port(9102)),
            NetworkPolicy(
                "side", ports=[side.port(8080), side.port("admin")], from_pods={"role": "client"}
            ),
        ],
    )
    rendered = render([app])
    assert rendered.warnings == [] and rendered.yaml == UNNAMED_RENDER
    version = kubernetes_validate.utils.latest_version()
    for doc in YAML(typ="safe").load_all(rendered.yaml):
        crd = CRD_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        if crd is None:
            kubernetes_validate.validate(doc, version, strict=True)
        else:
            jsonschema.validate(
                doc, _strict(json.loads((DATA / "crds" / f"{crd}.schema.json").read_text()))
            )


def test_an_empty_object_given_is_written_and_an_empty_list_is_not() -> None:
    """``security_context={}`` is the user's (Kubernetes keeps it); ``volumes=[]`` and unset fields
    are
    omitempty."""
    from svcgen import Pod

    side = Container("side", image="side:1", security_context={}, volume_mounts=[], resources=None)
    app = App(
        "web",
        labels={"app": "web"},
        containers=[side],
        workload=Deployment(strategy={}),
        pod=Pod(security_context={}, volumes=[], node_selector={}),
    )
    (workload,) = build_manifests([app], {})
    pod = workload["spec"]["template"]["spec"]
    assert pod == {
        "containers": [{"name": "side", "image": "side:1", "securityContext": {}}],
        "securityContext": {},
    }
    assert workload["spec"]["strategy"] == {}


def test_a_host_port_and_ip_are_written_on_the_container_port() -> None:
    side = Container(
        "side",
        image="side:1",
        ports=[
            Port("http", 8080, host_port=80, host_ip="10.0.0.1"),
            Port(number=53, protocol="UDP", host_port=53),
        ],
    )
    (workload,) = build_manifests(
        [App("web", labels={"app": "web"}, containers=[side], workload="DaemonSet")], {}
    )
    assert workload["spec"]["template"]["spec"]["containers"][0]["ports"] == [
        {
            "name": "http",
            "containerPort": 8080,
            "protocol": "TCP",
            "hostPort": 80,
            "hostIP": "10.0.0.1",
        },
        {"containerPort": 53, "protocol": "UDP", "hostPort": 53},
    ]


def test_the_pod_templates_name_is_written_first_in_its_metadata_and_is_schema_valid() -> None:
    import kubernetes_validate

    from svcgen import Pod

    side = Container("side", image="side:1")
    app = App(
        "web",
        labels={"app": "web"},
        containers=[side],
        workload="Deployment",
        pod=Pod(template_name="web-pod", annotations={"a": "b"}),
    )
    (workload,) = build_manifests([app], {})
    assert workload["spec"]["template"]["metadata"] == {
        "name": "web-pod",
        "labels": {"app": "web"},
        "annotations": {"a": "b"},
    }
    kubernetes_validate.validate(workload, kubernetes_validate.utils.latest_version(), strict=True)


def test_a_sequence_of_a_tuple_or_list_subclass_is_written_as_a_list() -> None:
    """A NamedTuple or a tuple subclass inside a pass-through field is plain data in the
    manifest."""
    from typing import NamedTuple

    from svcgen.render import RenderOptions, render

    class Caps(tuple):  # type: ignore[type-arg]
        pass

    class Pair(NamedTuple):
        a: str
        b: str

    container = Container(
        "web",
        image="web:1",
        security_context={"capabilities": {"drop": Caps(("ALL",))}},
        args=list(Pair("--a", "--b")),
    )
    rendered = render(
        App("web", labels={"app": "web"}, containers=[container], workload="Deployment"),
        RenderOptions(with_workloads=True),
    )
    spec = rendered.manifests[0]["spec"]["template"]["spec"]["containers"][0]
    assert type(spec["securityContext"]["capabilities"]["drop"]) is list
    assert (
        "        securityContext:\n          capabilities:\n            drop:\n            - ALL\n"
        in rendered.yaml
    )
