"""The Service objects built from the DSL: wire names, key order, what is left out."""

from __future__ import annotations

from svcgen import App, Container, Port, Service
from svcgen.dsl.manifests import build_manifests
from svcgen.nodeports.lock import PortKey

api = Container("api", ports=[Port("http", 8080), Port("grpc", 9000)])


def _build(*services: Service, namespace: str | None = None, node_ports: dict[PortKey, int]
           | None = None) -> list[dict[str, object]]:
    app = App("web", namespace=namespace, labels={"app": "web"}, containers=[api], services=list(services))
    return build_manifests([app], node_ports or {})


def test_minimal_cluster_ip_service() -> None:
    (svc,) = _build(Service("web", ports=[api.port("http").expose(80)]))
    assert svc == {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"type": "ClusterIP", "selector": {"app": "web"},
                 "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}]},
    }
    assert list(svc) == ["apiVersion", "kind", "metadata", "spec"]


def test_named_target_port_and_node_port() -> None:
    (svc,) = _build(Service("web", type="NodePort", ports=[api.port("http").expose(target_by="name")]),
                    namespace="shop", node_ports={PortKey("shop", "web", "http", "TCP"): 30080})
    assert svc["metadata"] == {"name": "web", "namespace": "shop"}
    assert svc["spec"]["ports"] == [  # type: ignore[index]
        {"name": "http", "protocol": "TCP", "port": 8080, "targetPort": "http", "nodePort": 30080}]


def test_headless_and_external_name() -> None:
    headless, alias = _build(Service("db", headless=True, ports=[api.port("grpc").expose()]),
                             Service("alias", type="ExternalName", external_name="x.example.com"))
    assert headless["spec"]["clusterIP"] == "None"  # type: ignore[index]
    assert alias["spec"] == {"type": "ExternalName", "externalName": "x.example.com"}


def test_declared_options_are_written_and_defaults_are_not() -> None:
    (svc,) = _build(Service(
        "lb", type="LoadBalancer", allocate_load_balancer_node_ports=False, load_balancer_class="x.io/lb",
        load_balancer_source_ranges=["10.0.0.0/8"], external_traffic_policy="Local",
        internal_traffic_policy="Cluster", labels={"tier": "edge"}, annotations={"x.io/a": "b"},
        ports=[api.port("http").expose(443, name="https", app_protocol="https", node_port=None)]))
    assert svc["metadata"] == {"name": "lb", "labels": {"tier": "edge"}, "annotations": {"x.io/a": "b"}}
    assert svc["spec"] == {
        "type": "LoadBalancer", "selector": {"app": "web"},
        "ports": [{"name": "https", "protocol": "TCP", "appProtocol": "https", "port": 443, "targetPort": 8080}],
        "allocateLoadBalancerNodePorts": False, "loadBalancerClass": "x.io/lb",
        "loadBalancerSourceRanges": ["10.0.0.0/8"], "externalTrafficPolicy": "Local",
        "internalTrafficPolicy": "Cluster",
    }


def test_unnamed_single_port() -> None:
    (svc,) = _build(Service("web", ports=[api.port("http").expose(name="")]))
    assert svc["spec"]["ports"] == [{"protocol": "TCP", "port": 8080, "targetPort": 8080}]  # type: ignore[index]


def test_workloads_share_the_selector_and_declare_named_ports() -> None:
    web = Container("web", image="web:1", ports=[Port("http", 8080, "TCP"), Port("dns", 53, "UDP")])
    app = App("web", namespace="ns", labels={"app": "web"}, pod_labels={"version": "1"}, replicas=2,
              containers=[web], services=[Service("web", ports=[web.port("http").expose(80)])])
    service, deployment = build_manifests([app], {}, with_workloads=True)
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert deployment == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web", "version": "1"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web", "version": "1"}},
            "spec": {"containers": [{"name": "web", "image": "web:1", "ports": [
                {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]}}},
    }


def test_explicit_target_by_wins_and_statefulsets_name_their_headless_service() -> None:
    db = Container("db", image="pg", ports=[Port("pg", 5432)])
    app = App("db", labels={"app": "db"}, workload="StatefulSet", containers=[db], services=[
        Service("db-client", ports=[db.port("pg").expose(target_by="number")]),
        Service("db", headless=True, ports=[db.port("pg").expose()])])
    client, headless, statefulset = build_manifests([app], {})
    assert client["spec"]["ports"][0]["targetPort"] == 5432
    assert headless["spec"]["ports"][0]["targetPort"] == "pg"
    assert statefulset["kind"] == "StatefulSet" and statefulset["spec"]["serviceName"] == "db"
