"""The one reader of Kubernetes documents, used by lint, import and --reserve."""

from __future__ import annotations

import json

import pytest

from svcgen.errors import Problem
from svcgen.kube.objects import MAX_LIST_DEPTH, KubeObject, format_path, pod_spec, read_objects

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db, tier: storage}
    spec:
      initContainers:
      - {name: init, image: busybox, ports: [{name: setup, containerPort: 1}]}
      - name: proxy
        image: envoy
        restartPolicy: Always
        ports: [{name: admin, containerPort: 9901}]
      containers:
      - name: db
        image: postgres
        ports:
        - {name: pg, containerPort: 5432}
        - {containerPort: 9187, protocol: UDP}
"""


def _objects(*texts: str) -> list[KubeObject | Problem]:
    return list(read_objects([(f"f{i}.yaml", text) for i, text in enumerate(texts)]))


def test_workload_pod_labels_containers_and_sidecars() -> None:
    (obj,) = _objects(STATEFULSET)
    assert isinstance(obj, KubeObject)
    assert (obj.kind, obj.namespace, obj.name, obj.api_version) == (
        "StatefulSet",
        "data",
        "db",
        "apps/v1",
    )
    assert obj.pod_labels() == {"app": "db", "tier": "storage"}
    ports = [(p.container, p.name, p.number, p.protocol) for p in obj.container_ports()]
    assert ports == [
        ("db", "pg", 5432, "TCP"),
        ("db", "", 9187, "UDP"),
        ("proxy", "admin", 9901, "TCP"),
    ]
    first = next(obj.container_ports())
    assert format_path(first.path) == "spec.template.spec.containers[0].ports[0]"
    assert obj.position(first.path) == (21, 11)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("Pod", "spec"),
        ("Deployment", "spec.template.spec"),
        ("DaemonSet", "spec.template.spec"),
        ("ReplicaSet", "spec.template.spec"),
        ("Job", "spec.template.spec"),
        ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ],
)
def test_every_kind_that_runs_pods(kind: str, path: str) -> None:
    obj: dict[str, object] = {"kind": kind}
    node = obj
    for part in path.split("."):
        child: dict[str, object] = {}
        node[part] = child
        node = child
    found = pod_spec(obj)
    assert found is not None and format_path(found[0]) == path
    assert pod_spec({"kind": "Service", "spec": {}}) is None
    assert pod_spec({"kind": kind, "spec": "oops"}) is None


def test_a_pods_labels_are_its_own() -> None:
    (pod,) = _objects("kind: Pod\nmetadata: {name: p, labels: {app: x}}\nspec: {containers: []}\n")
    assert isinstance(pod, KubeObject) and pod.pod_labels() == {"app": "x"}


def test_lists_are_unwrapped_with_positions() -> None:
    text = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}},
                "junk",
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}},
            ],
        },
        indent=2,
    )
    found = _objects(text)
    assert [o.name for o in found if isinstance(o, KubeObject)] == ["a", "b"]
    second = found[2]
    assert isinstance(second, KubeObject) and second.prefix == ("items", 2)
    assert second.where(("metadata", "name")) == "f0.yaml:17"


def test_nested_lists_are_unwrapped_and_items_that_are_no_objects_are_errors() -> None:
    """kubectl flattens a ServiceList inside a List; an item it cannot read makes it refuse the
    List."""
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ServiceList\n  items:\n"
        "  - {metadata: {name: a}, spec: {ports: "
        "[{port: 80}]}}\n"  # the API server's typed list: kind implied
        "  - {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Service, metadata: "
        "{name: b}}, 5]}\n- just text\n- {kind: Service, metadata: {name: c}}\n- {apiVersion: v1, "
        "kind: List, items: [{}]}\n"
    )
    found = _objects(text)
    summary = [
        (f.kind, f.name, f.prefix)
        if isinstance(f, KubeObject)
        else (f.rule, f.field, f.line, f.message)
        for f in found
    ]
    nested = (
        'inside a List: kubectl apply refuses the file ("is not a list: no Items field"); its '
        "items are checked all the same"
    )
    assert summary == [
        ("nested-list", "", 4, f"a ServiceList {nested}"),
        ("Service", "a", ("items", 0, "items", 0)),
        ("nested-list", "", 8, f"a List {nested}"),
        ("Service", "b", ("items", 0, "items", 1, "items", 0)),
        (
            "list-item",
            "items[1]",
            8,
            "not a Kubernetes object (not a mapping): kubectl refuses the whole List",
        ),
        (
            "list-item",
            "items[1]",
            9,
            "not a Kubernetes object (not a mapping): kubectl refuses the whole List",
        ),
        (
            "list-item",
            "items[2]",
            10,
            "not a Kubernetes object (no apiVersion): kubectl refuses the whole List",
        ),
        ("nested-list", "", 11, f"a List {nested}"),
        (
            "list-item",
            "items[0]",
            11,
            "not a Kubernetes object (no apiVersion and no kind): kubectl refuses the whole List",
        ),
    ]
    assert all(f.severity == "error" for f in found if isinstance(f, Problem))
    a = found[1]
    assert isinstance(a, KubeObject) and a.is_service and a.where(("spec", "ports")) == "f0.yaml:7"


def test_lists_nested_too_deep_are_an_error_not_a_hang() -> None:
    text = (
        "{apiVersion: v1, kind: List, items: [" * 12 + "{apiVersion: v1, kind: Service}" + "]}" * 12
    )
    *nested, problem = _objects(text)
    assert [p.rule for p in nested if isinstance(p, Problem)] == ["nested-list"] * MAX_LIST_DEPTH
    assert isinstance(problem, Problem) and problem.rule == "list-item"
    assert problem.message.startswith(f"Lists nested more than {MAX_LIST_DEPTH} deep")


def test_a_list_whose_items_are_no_list_is_an_error() -> None:
    (problem,) = _objects("apiVersion: v1\nkind: ServiceList\nitems: {a: b}\n")
    assert isinstance(problem, Problem) and (problem.rule, problem.line) == ("list-item", 3)


def test_unreadable_and_odd_documents_become_problems() -> None:
    found = _objects(
        "kind: Service\nmetadata: {name: ok}\n---\n- a list\n---\n\n---\nkey: [unclosed\n"
    )
    kinds = [(type(f).__name__, getattr(f, "rule", "")) for f in found]
    assert kinds == [("KubeObject", ""), ("Problem", "not-an-object"), ("Problem", "yaml")]
    problem = found[-1]
    assert isinstance(problem, Problem) and problem.severity == "error" and problem.line == 9


def test_json_that_yaml_cannot_read_is_read_as_json() -> None:
    text = '{"kind": "Service", "metadata": {"name": "a\\/b"},\t"spec": {}}'
    (obj,) = _objects(text)
    assert isinstance(obj, KubeObject) and obj.name == "a/b"


def test_problems_about_an_object_name_it() -> None:
    (obj,) = _objects(
        "kind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports: [{port: 0}]\n"
    )
    assert isinstance(obj, KubeObject)
    problem = obj.problem(
        ("spec", "ports", 0, "port"), "error", "port-range", "must be between 1 and 65535"
    )
    assert (
        str(problem)
        == "f0.yaml:4:12: error: Service/shop/web: spec.ports[0].port: must be between 1 and 65535."
    )
    assert problem.obj is not None and problem.obj.name == "web" and problem.document == 0


@pytest.mark.parametrize(
    ("api_version", "builtin"),
    [
        (None, True),
        ("v1", True),
        ("apps/v1", True),
        ("batch/v1", True),
        ("extensions/v1beta1", True),
        ("serving.knative.dev/v1", False),
        ("example.com/v1", False),
        (5, False),
    ],
)
def test_custom_resources_that_reuse_a_kind_name_are_not_kubernetes_own(
    api_version: object, builtin: bool
) -> None:
    head = "" if api_version is None else f"apiVersion: {api_version}\n"
    (service, deployment) = _objects(
        f"{head}kind: Service\nmetadata: {{name: s}}\n---\n{head}kind: Deployment\n"
        "metadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n"
    )
    assert isinstance(service, KubeObject) and isinstance(deployment, KubeObject)
    assert service.is_service == (builtin and api_version in (None, "v1"))
    assert (deployment.pod_spec() is not None) == builtin
