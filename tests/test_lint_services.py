"""Lint across Services and workloads: shared nodePorts, selectors and named targetPorts."""

from __future__ import annotations

import pytest
from test_lint import DEPLOYMENT, SERVICE, STATEFUL, lint

from svcgen.kube.objects import KubeObject, read_objects
from svcgen.lint import lint_texts
from svcgen.lint.services import Workloads, service_ports


def test_the_workload_index_selects_by_template_and_controller_labels() -> None:
    objects = [
        o
        for o in read_objects([("s.yaml", STATEFUL + "---\n" + DEPLOYMENT)])
        if isinstance(o, KubeObject)
    ]
    index = Workloads(objects)
    assert [index.items[i].name for i in index.select("shop", {"app": "redis"})] == ["redis"]
    assert [
        index.items[i].name
        for i in index.select("", {"statefulset.kubernetes.io/pod-name": "redis-3"})
    ] == ["redis"]
    assert (
        index.select("other", {"app": "web"}) == [] and index.select("shop", {"app": ["x"]}) == []
    )
    (service,) = [o for o in read_objects([("s.yaml", SERVICE)]) if isinstance(o, KubeObject)]
    assert [p["name"] for _, p in service_ports(service)] == ["http"]


def test_the_same_node_port_in_two_files() -> None:
    other = SERVICE.replace("name: web\n  namespace", "name: other\n  namespace").replace(
        "app: web", "app: x"
    )
    found = lint_texts([("a.yaml", SERVICE), ("b.yaml", other)])
    collision = [p for p in found if p.rule == "node-port-collision"]
    assert len(collision) == 1
    assert collision[0].file == "b.yaml" and collision[0].line == 14 and collision[0].column == 5
    assert 'Service "shop/web" (a.yaml:14)' in collision[0].message


def test_same_port_siblings_may_share_a_node_port() -> None:
    dns = """\
kind: Service
metadata: {name: dns}
spec:
  type: NodePort
  ports:
  - {name: a, port: 53, protocol: UDP, nodePort: 30053}
  - {name: b, port: 53, protocol: TCP, nodePort: 30053}
"""
    assert lint(dns) == []


def test_health_check_node_port_collides_too() -> None:
    lb = """\
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 30080
  ports: [{port: 443}]
"""
    assert ("f1.yaml", 6, "error", "spec.healthCheckNodePort", "node-port-collision") in lint(
        SERVICE, lb
    )


def test_named_target_port_must_match_name_and_protocol() -> None:
    udp = DEPLOYMENT.replace(
        "{name: http, containerPort: 8080}", "{name: http, containerPort: 8080, protocol: UDP}"
    )
    found = lint_texts([("s.yaml", SERVICE), ("d.yaml", udp)])
    assert [(p.field, p.rule, p.line) for p in found] == [
        ("spec.ports[0].targetPort", "target-port-resolves", 13)
    ]
    assert 'named targetPort "http" (TCP) matches no container port' in found[0].message


def test_sidecar_ports_count_for_named_target_ports() -> None:
    sidecar = DEPLOYMENT.replace(
        "      containers:",
        "      initContainers:\n      - name: side\n        restartPolicy: Always\n        "
        "ports: [{name: admin, containerPort: 9}]\n      containers:",
    )
    service = SERVICE + "  - {name: admin, port: 9, targetPort: admin}\n"
    assert lint(service, sidecar) == []
    plain_init = sidecar.replace("        restartPolicy: Always\n", "")
    assert [r for *_, r in lint(service, plain_init)] == ["target-port-resolves"]


def test_selector_that_selects_nothing_is_a_warning_only_with_workloads() -> None:
    lonely = SERVICE.replace("app: web", "app: gone")
    assert lint(lonely) == []
    assert lint(lonely, DEPLOYMENT) == [("f0.yaml", 8, "warning", "spec.selector", "selector")]


def test_namespaces_separate_workloads() -> None:
    elsewhere = DEPLOYMENT.replace("namespace: shop", "namespace: other")
    assert [r for *_, r in lint(SERVICE, elsewhere)] == ["selector"]


def test_a_service_health_check_port_may_not_reuse_its_own_node_port() -> None:
    lb = """\
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 30443
  ports: [{port: 443, nodePort: 30443}]
"""
    assert [r for *_, r in lint(lb)] == ["node-port-collision"]


def _announce(selector: str, target: str = "redis") -> str:
    return (
        "apiVersion: v1\nkind: Service\nmetadata: {name: redis-announce-0, namespace: "
        "shop}\nspec:\n"
        f"  publishNotReadyAddresses: true\n  selector: {selector}\n"
        f"  ports: [{{name: redis, port: 6379, targetPort: {target}}}]\n"
    )


@pytest.mark.parametrize(
    "selector",
    [
        "{app: redis, "
        '"statefulset.kubernetes.io/pod-name": redis-0}',  # argo-cd's redis-ha announce Services
        '{"statefulset.kubernetes.io/pod-name": redis-12}',
        '{app: redis, "apps.kubernetes.io/pod-index": "0"}',
        "{app: redis, controller-revision-hash: redis-5d8f7}",
    ],
)
def test_labels_that_the_stateful_set_controller_adds_select_its_pods(selector: str) -> None:
    assert lint(STATEFUL, _announce(selector)) == []
    # ...so the Service's named targetPorts are checked against the StatefulSet's ports.
    assert [p[-1] for p in lint(STATEFUL, _announce(selector, target="redsi"))] == [
        "target-port-resolves"
    ]


@pytest.mark.parametrize(
    "selector",
    [
        '{app: redis, "statefulset.kubernetes.io/pod-name": other-0}',
        '{app: redis, "statefulset.kubernetes.io/pod-name": redis-x}',
        '{app: redis, "apps.kubernetes.io/pod-index": "first"}',
        "{app: redis, pod-template-hash: abc}",  # a Deployment's label, not a StatefulSet's
    ],
)
def test_controller_labels_with_values_the_controller_never_sets_select_nothing(
    selector: str,
) -> None:
    assert [p[-1] for p in lint(STATEFUL, _announce(selector))] == ["selector"]


def test_a_deployments_pod_template_hash_selects_its_pods() -> None:
    service = SERVICE.replace("app: web\n", "app: web\n    pod-template-hash: 7d4b9c\n")
    assert lint(service, DEPLOYMENT) == []
