"""An app that Argo CD deploys through svcgen's config management plugin (README.md here)."""

from svcgen import App, Container, Port, Service

api = Container(
    "api", image="ghcr.io/example/orders:4.0.1", ports=[Port("http", 8080), Port("admin", 9000)]
)

app = App(
    "orders",
    namespace="orders",
    labels={"app.kubernetes.io/name": "orders"},
    containers=[api],
    services=[
        Service("orders", ports=[api.port("http").expose(80)]),
        # Reached through every node: its nodePort is allocated once by `svcgen render` and kept in
        # svcgen.lock.
        Service("orders-admin", type="NodePort", ports=[api.port("admin").expose(9000)]),
    ],
)
