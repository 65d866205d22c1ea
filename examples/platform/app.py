"""Everything that uses a port refers to it by object: probes, an Ingress, a Gateway route,
Prometheus monitors and a NetworkPolicy. Rename or renumber a port and every one of them follows;
refer to a port that is not there and the render stops at your line."""

from svcgen import (
    App,
    Container,
    GatewayRef,
    HTTPRoute,
    Ingress,
    IngressRule,
    IngressTLS,
    NetworkPolicy,
    PodMonitor,
    Port,
    Probe,
    RouteRule,
    Service,
    ServiceMonitor,
)

# The API serves HTTP and metrics; its health endpoints are on the HTTP port, probed by name.
http = Port("http", 8080)
metrics = Port("metrics", 9090)
grpc = Port("grpc", 50051)
api = Container(
    "api",
    image="ghcr.io/example/api:2.4.0",
    ports=[http, metrics, grpc],
    liveness=Probe.http(http, "/livez", period_seconds=10),
    readiness=Probe.http(http, "/readyz"),
    startup=Probe.grpc(grpc, failure_threshold=30),
)

api_service = Service(
    "api",
    labels={"app.kubernetes.io/name": "api"},
    ports=[api.port("http").expose(80), api.port("grpc").expose(9000, app_protocol="grpc")],
)
api_metrics = Service(
    "api-metrics",
    labels={"app.kubernetes.io/name": "api", "monitoring": "true"},
    ports=[api.port("metrics").expose()],
)

platform_api = App(
    "api",
    namespace="platform",
    labels={"app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform"},
    containers=[api],
    services=[api_service, api_metrics],
    workload="Deployment",
    replicas=3,
    consumers=[
        # The public entry: HTTPS at the edge, the Service's "http" port behind it.
        Ingress(
            "api",
            ingress_class="nginx",
            rules=[IngressRule("api.example.com", paths={"/": api_service.port("http")})],
            tls=[IngressTLS(hosts=["api.example.com"], secret_name="api-example-com-tls")],
        ),
        # The same Service through the Gateway API, for the clusters that moved to it.
        HTTPRoute(
            "api",
            parents=[GatewayRef("edge", namespace="gateways", section_name="https")],
            hostnames=["api.example.com"],
            rules=[RouteRule("/v2", backends=[api_service.port("http")])],
        ),
        # Prometheus scrapes the metrics Service by its labels, and the pods directly.
        ServiceMonitor("api", port=api_metrics.port("metrics"), interval="30s"),
        PodMonitor("api-pods", port=api.port("metrics"), interval="1m"),
        # Only the ingress controller's namespace reaches the HTTP port; monitoring reaches metrics.
        NetworkPolicy(
            "api-from-ingress",
            ports=[api.port("http")],
            from_namespaces={"kubernetes.io/metadata.name": "ingress-nginx"},
        ),
        NetworkPolicy(
            "api-from-monitoring",
            ports=[api.port("metrics")],
            from_namespaces={"kubernetes.io/metadata.name": "monitoring"},
        ),
        # The platform's own pods call the API over HTTP and gRPC.
        NetworkPolicy(
            "api-from-platform",
            ports=[api.port("http"), api.port("grpc")],
            from_pods={"app.kubernetes.io/part-of": "platform"},
        ),
    ],
)
