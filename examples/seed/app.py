from svcgen import App, Container, Port, Service

api = Container("node-app", image="node:20", ports=[Port("http", 5000), Port("metrics", 6000)])

app = App(
    "my-service",
    labels={"app": "MyApp"},
    containers=[api],
    services=[
        Service(
            "my-service",
            type="NodePort",
            ports=[
                api.port("http").expose(8080, node_port=30000),
                api.port("metrics").expose(8081, node_port=31000),
            ],
        ),
    ],
)
