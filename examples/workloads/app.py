"""Services *and* their workloads: a Deployment and a StatefulSet whose labels and ports always
agree."""

from svcgen import App, Container, Port, Service

web = Container(
    "web", image="ghcr.io/example/web:2.4.0", ports=[Port("http", 8080), Port("metrics", 9090)]
)

frontend = App(
    "frontend",
    namespace="blog",
    # The selector labels: the Service's selector and the Deployment's matchLabels.
    labels={"app.kubernetes.io/name": "frontend"},
    # Extra pod labels, not used for selection.
    pod_labels={"app.kubernetes.io/version": "2.4.0"},
    workload="Deployment",
    replicas=3,
    containers=[web],
    services=[
        # The workload is emitted too, so targetPorts are written by name: renumbering a
        # container port never breaks the Service.
        Service("frontend", type="NodePort", ports=[web.port("http").expose(80)]),
        Service("frontend-metrics", ports=[web.port("metrics").expose()]),
    ],
)

db = Container("postgres", image="postgres:16", ports=[Port("postgres", 5432)])

database = App(
    "blog-db",
    namespace="blog",
    labels={"app.kubernetes.io/name": "blog-db"},
    workload="StatefulSet",
    containers=[db],
    services=[Service("blog-db", headless=True, ports=[db.port("postgres").expose()])],
)
