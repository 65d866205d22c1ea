"""A DNS server: port 53 on TCP and UDP, reachable from outside the cluster on one nodePort."""

from svcgen import App, Container, Port, Service

coredns = Container(
    "coredns",
    image="coredns/coredns:1.11.1",
    ports=[
        Port("dns", 53, protocol="UDP"),
        Port("dns-tcp", 53, protocol="TCP"),
        Port("metrics", 9153),
    ],
)

app = App(
    "dns",
    namespace="dns",
    labels={"app": "dns"},
    containers=[coredns],
    services=[
        # 53/UDP and 53/TCP share one nodePort, as the API server does: svcgen allocates one
        # number for both and keeps it in svcgen.lock.
        Service(
            "dns-external",
            type="NodePort",
            ports=[
                coredns.port("dns").expose(),
                coredns.port("dns-tcp").expose(),
            ],
        ),
        # Cluster-internal DNS and metrics.
        Service(
            "dns",
            internal_traffic_policy="Local",
            ports=[
                coredns.port("dns").expose(),
                coredns.port("dns-tcp").expose(),
                coredns.port("metrics").expose(),
            ],
        ),
    ],
)
