"""Online Boutique (GoogleCloudPlatform/microservices-demo, release/kubernetes-manifests.yaml).

Eleven microservices and a Redis, every Deployment and Service of the upstream release
manifest. What repeats is Python: one hardening for every pod and container, one way to run a
shop server, one way to put a Service in front of it. What refers to something is by reference:
probes check the port object they are given, Services expose a container's port (by number: as
upstream, the container ports have no name but one), and each client's ``*_ADDR`` is the address
of the App it calls, so renaming or renumbering a Service updates its clients. The
ServiceAccounts (not a kind svcgen writes) are in ``serviceaccounts.yaml``; see README.md.
"""

from typing import Any

from svcgen import App, Container, Deployment, Pod, Port, Probe, Service

REGISTRY = "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo"
VERSION = "v0.10.6"

# Every pod runs as an unprivileged user, every container read-only and without capabilities.
POD_SECURITY = {"fsGroup": 1000, "runAsGroup": 1000, "runAsNonRoot": True, "runAsUser": 1000}
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "privileged": False,
    "readOnlyRootFilesystem": True,
}
# Asks Istio's sidecar injector to rewrite HTTP probes (upstream sets it on the frontend and the
# load generator).
REWRITE_PROBES = {"sidecar.istio.io/rewriteAppHTTPProbers": "true"}


def resources(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> dict[str, Any]:
    """Requests and limits."""
    return {
        "requests": {"cpu": cpu, "memory": memory},
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
    }


SMALL = resources("100m", "64Mi", "200m", "128Mi")


def shop_container(
    image: str,
    *,
    env: dict[str, str],
    resources: dict[str, Any],
    ports: list[Port] | None = None,
    readiness: Probe | None = None,
    liveness: Probe | None = None,
    name: str = "server",
) -> Container:
    """A hardened container of one of the shop's own images."""
    return Container(
        name,
        image=f"{REGISTRY}/{image}:{VERSION}",
        ports=ports or [],
        env=env,
        resources=resources,
        readiness=readiness,
        liveness=liveness,
        security_context=HARDENED,
    )


def shop_app(
    name: str,
    container: Container,
    *,
    services: list[Service],
    grace: int | None = 5,
    account: bool = True,
    **pod: Any,
) -> App:
    """A Deployment of one container, selected by ``app: <name>``, with its own service account."""
    return App(
        name,
        labels={"app": name},
        containers=[container],
        services=services,
        workload=Deployment(),
        pod=Pod(
            service_account=name if account else None,
            termination_grace_period_seconds=grace,
            security_context=POD_SECURITY,
            **pod,
        ),
    )


def service(
    app: str, container: Container, name: str = "grpc", number: int | None = None, **kw: Any
) -> Service:
    """A Service (labelled like its App) in front of the one port of ``container``, targeted by
    number
    as upstream."""
    (port,) = container.ports
    return Service(
        app,
        labels={"app": app},
        ports=[container.port(port.number).expose(number, name=name, target_by="number", **kw)],
    )


def address(app: App) -> str:
    """``host:port`` of the App's first Service: what its clients are given."""
    first = app.services[0]
    return f"{first.name}:{first.ports[0].service_port}"


def grpc_server(
    name: str,
    number: int,
    *,
    env: dict[str, str] | None = None,
    port_env: bool = True,
    service_port: int | None = None,
    resources: dict[str, Any] = SMALL,
    readiness: dict[str, int] | None = None,
    liveness: dict[str, int] | None = None,
    grace: int | None = 5,
    port_name: str | None = None,
) -> App:
    """One of the gRPC microservices: listening on ``number`` (told in ``PORT`` unless
    ``port_env=False``),
    health-checked over gRPC there (``liveness``: the readiness probe's settings unless given), and
    a Service named after it (on ``service_port``, by default the same number). The container port
    has no name unless given ``port_name``; the Service port is named ``grpc``."""
    grpc = Port(port_name, number)
    readiness_probe = Probe.grpc(grpc, **(readiness or {}))
    liveness_probe = readiness_probe if liveness is None else Probe.grpc(grpc, **liveness)
    container = shop_container(
        name,
        ports=[grpc],
        env=({"PORT": str(number)} if port_env else {}) | (env or {}),
        resources=resources,
        readiness=readiness_probe,
        liveness=liveness_probe,
    )
    return shop_app(
        name, container, services=[service(name, container, number=service_port)], grace=grace
    )


NO_PROFILER = {"DISABLE_PROFILER": "1"}

redis_port = Port(number=6379)
redis_alive = Probe.tcp(redis_port, period_seconds=5)  # a port without a name: probed by number
redis = Container(
    "redis",
    image="redis:alpine",
    ports=[redis_port],
    security_context=HARDENED,
    readiness=redis_alive,
    liveness=redis_alive,
    volume_mounts=[{"mountPath": "/data", "name": "redis-data"}],
    resources=resources("70m", "200Mi", "125m", "256Mi"),
)
redis_cart = shop_app(
    "redis-cart",
    redis,
    services=[service("redis-cart", redis, "tcp-redis")],
    grace=None,
    account=False,
    volumes=[{"name": "redis-data", "emptyDir": {}}],
)

adservice = grpc_server(
    "adservice",
    9555,
    resources=resources("200m", "180Mi", "300m", "300Mi"),
    readiness={"initial_delay_seconds": 20, "period_seconds": 15},
)
currencyservice = grpc_server(
    "currencyservice", 7000, env=NO_PROFILER, port_name="grpc"
)  # the one named port
cartservice = grpc_server(
    "cartservice",
    7070,
    port_env=False,
    env={"REDIS_ADDR": address(redis_cart)},
    resources=resources("200m", "64Mi", "300m", "128Mi"),
    readiness={"initial_delay_seconds": 15},
    liveness={"initial_delay_seconds": 15, "period_seconds": 10},
)
productcatalogservice = grpc_server("productcatalogservice", 3550, env=NO_PROFILER)
recommendationservice = grpc_server(
    "recommendationservice",
    8080,
    env={"PRODUCT_CATALOG_SERVICE_ADDR": address(productcatalogservice)} | NO_PROFILER,
    resources=resources("100m", "220Mi", "200m", "450Mi"),
    readiness={"period_seconds": 5},
)
shippingservice = grpc_server(
    "shippingservice",
    50051,
    env=NO_PROFILER,
    readiness={"period_seconds": 5},
    liveness={},
    grace=None,
)
paymentservice = grpc_server("paymentservice", 50051, env=NO_PROFILER)
emailservice = grpc_server(
    "emailservice", 8080, env=NO_PROFILER, service_port=5000, readiness={"period_seconds": 5}
)
checkoutservice = grpc_server(
    "checkoutservice",
    5050,
    grace=None,
    env={
        "PRODUCT_CATALOG_SERVICE_ADDR": address(productcatalogservice),
        "SHIPPING_SERVICE_ADDR": address(shippingservice),
        "PAYMENT_SERVICE_ADDR": address(paymentservice),
        "EMAIL_SERVICE_ADDR": address(emailservice),
        "CURRENCY_SERVICE_ADDR": address(currencyservice),
        "CART_SERVICE_ADDR": address(cartservice),
    },
)


def healthz(port: Port, probe: str) -> Probe:
    """The frontend's health page on ``port``, with a session cookie that names the probe."""
    return Probe(
        "http",
        port,
        path="/_healthz",
        initial_delay_seconds=10,
        http_headers=[{"name": "Cookie", "value": f"shop_session-id=x-{probe}-probe"}],
    )


http = Port(number=8080)
web = shop_container(
    "frontend",
    ports=[http],
    resources=SMALL,
    readiness=healthz(http, "readiness"),
    liveness=healthz(http, "liveness"),
    env={
        "PORT": str(http.number),
        "PRODUCT_CATALOG_SERVICE_ADDR": address(productcatalogservice),
        "CURRENCY_SERVICE_ADDR": address(currencyservice),
        "CART_SERVICE_ADDR": address(cartservice),
        "RECOMMENDATION_SERVICE_ADDR": address(recommendationservice),
        "SHIPPING_SERVICE_ADDR": address(shippingservice),
        "CHECKOUT_SERVICE_ADDR": address(checkoutservice),
        "AD_SERVICE_ADDR": address(adservice),
        # An optional service, not part of this release manifest.
        "SHOPPING_ASSISTANT_SERVICE_ADDR": "shoppingassistantservice:80",
        "ENABLE_PROFILER": "0",
    },
)
frontend = shop_app(
    "frontend",
    web,
    grace=None,
    annotations=REWRITE_PROBES,
    services=[
        service("frontend", web, "http", 80),
        # The shop's public entry: the cloud's load balancer picks its nodePorts, svcgen pins none.
        Service(
            "frontend-external",
            type="LoadBalancer",
            labels={"app": "frontend"},
            ports=[web.port(8080).expose(80, name="http", node_port=None)],
        ),
    ],
)

# Waits for the frontend, then drives simulated users at it.
FRONTEND_CHECK = """\
MAX_RETRIES=12
RETRY_INTERVAL=10
for i in $(seq 1 $MAX_RETRIES); do
  echo "Attempt $i: Pinging frontend: ${FRONTEND_ADDR}..."
  STATUSCODE=$(wget --server-response http://${FRONTEND_ADDR} 2>&1 | awk '/^  HTTP/{print $2}')
  if [ $STATUSCODE -eq 200 ]; then
      echo "Frontend is reachable."
      exit 0
  fi
  echo "Error: Could not reach frontend - Status code: ${STATUSCODE}"
  sleep $RETRY_INTERVAL
done
echo "Failed to reach frontend after $MAX_RETRIES attempts."
exit 1
"""
frontend_addr = {"FRONTEND_ADDR": address(frontend)}
frontend_check = Container(
    "frontend-check",
    command=["/bin/sh", "-exc", FRONTEND_CHECK],
    security_context=HARDENED,
    env=frontend_addr,
    image="busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d",
)
loadgenerator = App(
    "loadgenerator",
    labels={"app": "loadgenerator"},
    workload=Deployment(replicas=1),
    containers=[
        shop_container(
            "loadgenerator",
            name="main",
            env=frontend_addr | {"USERS": "10", "RATE": "1"},
            resources=resources("300m", "256Mi", "500m", "512Mi"),
        )
    ],
    pod=Pod(
        annotations=REWRITE_PROBES,
        service_account="loadgenerator",
        termination_grace_period_seconds=5,
        restart_policy="Always",
        security_context=POD_SECURITY,
        init_containers=[frontend_check],
    ),
)
