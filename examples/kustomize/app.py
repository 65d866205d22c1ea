"""A web app rendered by kustomize: svcgen's Services join the overlay's Deployment (README.md
here)."""

from svcgen import App, Container, Port, Service

web = Container(
    "web", image="ghcr.io/example/web:2.1.0", ports=[Port("http", 8080), Port("metrics", 9090)]
)

app = App(
    "web",
    namespace="web",
    labels={"app.kubernetes.io/name": "web"},
    containers=[web],
    services=[
        # Reached through every node: its nodePort is allocated once by `svcgen render` and kept in
        # svcgen.lock.
        Service("web", type="NodePort", ports=[web.port("http").expose(80)]),
        Service("web-metrics", ports=[web.port("metrics").expose(target_by="name")]),
    ],
)
