"""A small web shop: a public storefront, internal APIs, a database and an external payment API."""

from svcgen import App, Container, Port, Service

# The storefront serves HTTP and HTTPS to the outside world and exposes Prometheus metrics.
frontend = Container(
    "frontend",
    image="ghcr.io/example/shop-frontend:1.8.2",
    ports=[Port("http", 8080), Port("https", 8443), Port("metrics", 9090)],
)

storefront = App(
    "storefront",
    namespace="shop",
    labels={"app.kubernetes.io/name": "storefront", "app.kubernetes.io/part-of": "shop"},
    containers=[frontend],
    services=[
        # Reached from outside through every node. HTTP keeps the nodePort the old load balancer
        # config points at (pinned); HTTPS gets one allocated by svcgen and kept in svcgen.lock.
        Service(
            "storefront",
            type="NodePort",
            external_traffic_policy="Local",
            ports=[
                frontend.port("http").expose(80, node_port=30080, app_protocol="http"),
                frontend.port("https").expose(443, app_protocol="https"),
            ],
        ),
        # Scraped from inside the cluster only; targeted by name so renumbering never breaks it.
        Service("storefront-metrics", ports=[frontend.port("metrics").expose(target_by="name")]),
    ],
)

# The catalog API has a gRPC port and a sidecar that answers health checks.
# An admin UI is exposed on a LoadBalancer: its nodePort is allocated too.
catalog_api = Container(
    "api", image="ghcr.io/example/catalog:3.2.0", ports=[Port("grpc", 50051), Port("admin", 8081)]
)
catalog_health = Container(
    "health", image="ghcr.io/example/healthd:1.0", ports=[Port("health", 8086)]
)

catalog = App(
    "catalog",
    namespace="shop",
    labels={"app.kubernetes.io/name": "catalog", "app.kubernetes.io/part-of": "shop"},
    containers=[catalog_api, catalog_health],
    services=[
        Service(
            "catalog",
            labels={"tier": "backend"},
            annotations={"example.com/owner": "team-catalog"},
            session_affinity="ClientIP",
            session_affinity_timeout=600,
            ports=[
                catalog_api.port("grpc").expose(9000, app_protocol="grpc"),
                catalog_health.port("health").expose(target_by="name"),
            ],
        ),
        # Local traffic policy keeps client IPs; the load balancer then health-checks each node on
        # a healthCheckNodePort, which svcgen allocates and locks like any nodePort.
        Service(
            "catalog-admin",
            type="LoadBalancer",
            load_balancer_class="example.com/internal",
            external_traffic_policy="Local",
            ports=[catalog_api.port("admin").expose(80)],
        ),
    ],
)

# The checkout service sits behind a cloud load balancer that talks to pods directly:
# no nodePorts needed (allocate_load_balancer_node_ports=False).
checkout_app = Container(
    "checkout", image="ghcr.io/example/checkout:5.0.1", ports=[Port("https", 8443)]
)

checkout = App(
    "checkout",
    namespace="shop",
    labels={"app.kubernetes.io/name": "checkout", "app.kubernetes.io/part-of": "shop"},
    containers=[checkout_app],
    services=[
        Service(
            "checkout",
            type="LoadBalancer",
            allocate_load_balancer_node_ports=False,
            load_balancer_source_ranges=["203.0.113.0/24", "198.51.100.0/24"],
            ports=[checkout_app.port("https").expose(443)],
        ),
    ],
)

# A PostgreSQL StatefulSet needs a headless Service for stable pod DNS names,
# and the payment provider is reached through an ExternalName alias.
postgres = Container("postgres", image="postgres:16", ports=[Port("postgres", 5432)])

database = App(
    "orders-db",
    namespace="shop",
    labels={"app.kubernetes.io/name": "orders-db", "app.kubernetes.io/part-of": "shop"},
    containers=[postgres],
    services=[
        Service("orders-db", headless=True, ports=[postgres.port("postgres").expose()]),
        Service("payments", type="ExternalName", external_name="api.payments.example.com"),
    ],
)
