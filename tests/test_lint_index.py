"""Selecting by label through the index: exactly what a scan of every object selects, without the
scan.

Behaviour through ``lint_texts`` (selectors with several labels, an empty one, one that selects
nothing, a label every object shares, namespaces), then the index against a brute-force match
written here, on generated objects and selectors.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcgen.errors import Problem
from svcgen.kube import objects
from svcgen.kube.objects import CONTROLLER_LABELS, KubeObject, read_objects
from svcgen.kube.yamlwrite import to_yaml
from svcgen.lint import lint_texts
from svcgen.lint.index import LabelIndex
from svcgen.lint.port_references import _Selectable
from svcgen.lint.services import Workloads

SHARED = {"app.kubernetes.io/part-of": "shop"}


def _service(
    name: str, selector: dict[str, Any], namespace: str = "shop", target: str = "http"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {**SHARED, "app": name}},
        "spec": {
            "selector": selector,
            "ports": [{"name": "web", "port": 80, "targetPort": target}],
        },
    }


def _deployment(name: str, namespace: str = "shop", port: str = "http") -> dict[str, Any]:
    labels = {**SHARED, "app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "i", "ports": [{"name": port, "containerPort": 80}]}
                    ]
                },
            },
        },
    }


def _lint(docs: list[dict[str, Any]]) -> list[Problem]:
    return lint_texts([("all.yaml", to_yaml(docs))])


def _selected(problem: Problem) -> str:
    """The workloads or Services a finding says were selected."""
    found = re.search(
        r"(?:selected workloads|selected Service|the policy selects) \(([^;)]*)", problem.message
    )
    assert found is not None, problem.message
    return found[1]


def test_a_selector_with_the_shared_label_and_its_own_selects_its_workload_only() -> None:
    docs = [
        d
        for i in range(5)
        for d in (
            _service(f"s{i}", {**SHARED, "app": f"s{i}"}, target="nope"),
            _deployment(f"s{i}"),
        )
    ]
    found = [p for p in _lint(docs) if p.rule == "target-port-resolves"]
    assert [(p.subject, _selected(p)) for p in found] == [
        (f"Service/shop/s{i}", f"Deployment/s{i}") for i in range(5)
    ]


def test_a_selector_of_the_shared_label_alone_selects_every_workload_of_its_namespace() -> None:
    docs = [
        _deployment("a"),
        _deployment("b", namespace="other"),
        _deployment("c"),
        {
            **_deployment("d"),
            "metadata": {"name": "d"},
        },  # no namespace: in whichever it is applied to
        _service("all", dict(SHARED), target="nope"),
        _service("all2", dict(SHARED), target="nope"),
    ]
    found = [p for p in _lint(docs) if p.rule == "target-port-resolves"]
    assert [_selected(p) for p in found] == ["Deployment/a, Deployment/c, Deployment/d"] * 2


def test_a_selector_no_workload_meets_in_full_selects_nothing() -> None:
    docs = [
        _deployment("a"),
        _deployment("b"),
        _service("x", {**SHARED, "app": "x"}),
        _service("y", {**SHARED, "app": "a", "tier": "fe"}),
        _service("z", {"app": "a"}, namespace="other"),
    ]
    assert [(p.subject, p.rule) for p in _lint(docs)] == [
        ("Service/shop/x", "selector"),
        ("Service/shop/y", "selector"),
        ("Service/other/z", "selector"),
    ]


def test_an_empty_selector_is_no_selection() -> None:
    assert [p.rule for p in _lint([_deployment("a"), _service("s", {})])] == []


def test_monitors_and_policies_sharing_a_selector_each_see_every_selected_object() -> None:
    docs: list[dict[str, Any]] = [
        _deployment("a"),
        _deployment("b"),
        _service("a", {**SHARED, "app": "a"}),
        _service("b", {**SHARED, "app": "b"}),
    ]
    for i in range(3):
        meta = {"name": f"m{i}", "namespace": "shop"}
        docs.append(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": meta,
                "spec": {
                    "selector": {"matchLabels": dict(SHARED)},
                    "endpoints": [{"port": "nope"}],
                },
            }
        )
        docs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {
                    "podSelector": {
                        "matchExpressions": [
                            {"key": "app", "operator": "In", "values": ["b", "a", "b"]}
                        ]
                    },
                    "ingress": [{"ports": [{"port": "nope"}]}],
                },
            }
        )
    found = [(p.rule, _selected(p)) for p in _lint(docs)]
    assert (
        found
        == [
            ("servicemonitor-port", "Service/a, Service/b"),
            ("networkpolicy-port", "Deployment/a, Deployment/b"),
        ]
        * 3
    )


def test_a_controller_label_is_found_beside_a_template_label_of_another_workload() -> None:
    """A StatefulSet's pods carry pod-name and controller-revision-hash though its template sets
    neither."""
    stateful = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "i",
                            "ports": [{"name": "http", "containerPort": 80}],
                        }
                    ]
                },
            }
        },
    }
    other = _deployment("other")
    other["spec"]["template"]["metadata"]["labels"] = {"controller-revision-hash": "abc"}
    service = _service(
        "web-0", {"controller-revision-hash": "abc", "statefulset.kubernetes.io/pod-name": "web-0"}
    )
    assert _lint([other, stateful, service]) == []


def _counting(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> list[int]:
    calls = [0]
    original = getattr(target, name)

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return original(*args)

    monkeypatch.setattr(target, name, counted)
    return calls


def test_each_selector_is_matched_against_its_candidates_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """200 apps sharing a label: a few full matches per selector, not one per object (lint was
    quadratic)."""
    services = 200
    docs: list[dict[str, Any]] = []
    for i in range(services):
        selector = dict(SHARED) if i % 10 == 0 else {**SHARED, "app": f"s{i}"}
        meta = {"name": f"s{i}", "namespace": "shop"}
        docs += [
            _service(f"s{i}", selector),
            _deployment(f"s{i}"),
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": meta,
                "spec": {"selector": {"matchLabels": selector}, "endpoints": [{"port": "web"}]},
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {
                    "podSelector": {"matchLabels": selector},
                    "ingress": [{"ports": [{"port": "http"}]}],
                },
            },
        ]
    text = to_yaml(docs)
    may_select = _counting(monkeypatch, KubeObject, "may_select")
    matches = _counting(monkeypatch, objects, "label_selector_matches")
    monkeypatch.setattr(
        "svcgen.lint.port_references.label_selector_matches", objects.label_selector_matches
    )
    assert lint_texts([("all.yaml", text)]) == []
    # Each selector: its own app (1 candidate, matched again when asked again), or the shared label
    # (200
    # candidates, matched once per index). A scan of every object sharing the label: 40,000 and
    # 12,000.
    assert may_select[0] <= 3 * services
    assert matches[0] <= 10 * services


# The index against brute force: small alphabets, so that labels, selectors and namespaces collide
# often.
_KEYS = [
    "app",
    "tier",
    "app.kubernetes.io/part-of",
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "job-name",
]
_VALUES = ["a", "b", "web", "web-0", "web-1", "1", ""]
_labels = st.dictionaries(
    st.sampled_from(_KEYS), st.sampled_from(_VALUES) | st.integers(0, 1), max_size=4
)
_workload = st.tuples(
    st.sampled_from(["Deployment", "StatefulSet", "Pod", "Job", "DaemonSet"]),
    st.sampled_from(["web", "a", "b"]),
    st.sampled_from(["", "x", "y"]),
    _labels,
)


def _objects(specs: list[tuple[str, str, str, dict[str, Any]]]) -> list[KubeObject]:
    docs = []
    for kind, name, namespace, labels in specs:
        meta: dict[str, Any] = {"name": name, **({"namespace": namespace} if namespace else {})}
        pod = {"containers": [{"name": "c", "image": "i"}]}
        if kind == "Pod":
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": kind,
                    "metadata": {**meta, "labels": labels},
                    "spec": pod,
                }
            )
        else:
            docs.append(
                {
                    "apiVersion": "apps/v1" if kind != "Job" else "batch/v1",
                    "kind": kind,
                    "metadata": meta,
                    "spec": {"template": {"metadata": {"labels": labels}, "spec": pod}},
                }
            )
    found = [o for o in read_objects([("w.yaml", to_yaml(docs))]) if isinstance(o, KubeObject)]
    assert len(found) == len(specs)
    return found


def _pods_carry(workload: KubeObject, labels: dict[str, Any], key: str, value: Any) -> bool:
    """Whether ``workload``'s pods can carry label key=value: set by its template, or added by its
    controller."""
    if key in labels:
        return bool(labels[key] == value)
    test = CONTROLLER_LABELS.get(workload.kind, {}).get(key)
    return test is not None and isinstance(value, str) and bool(test(workload, value))


def _in_namespace(obj: KubeObject, namespaces: set[str] | None) -> bool:
    return namespaces is None or not obj.namespace or obj.namespace in namespaces


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(_workload, max_size=8), _labels, st.sampled_from(["", "x", "y"]))
def test_a_service_selector_selects_what_a_scan_selects(
    specs: list[Any], selector: dict[str, Any], namespace: str
) -> None:
    workloads = _objects(specs)
    expected = [
        i
        for i, w in enumerate(workloads)
        if _in_namespace(w, {namespace} if namespace else None)
        and (
            all(_pods_carry(w, w.pod_labels(), k, v) for k, v in selector.items())
            if selector
            else w.kind in CONTROLLER_LABELS
        )
    ]
    index = Workloads(workloads)
    assert index.select(namespace, selector) == expected
    assert index.select(namespace, selector) == expected  # remembered: the same again


_expression = st.fixed_dictionaries(
    {
        "key": st.sampled_from(_KEYS),
        "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
        "values": st.lists(st.sampled_from(_VALUES), max_size=3),
    }
)
_label_selector = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "matchLabels": st.dictionaries(
            st.sampled_from(_KEYS), st.sampled_from(_VALUES), max_size=3
        ),
        "matchExpressions": st.lists(_expression, max_size=2),
    },
)


def _brute_label_selector(
    selector: Any, obj: KubeObject, labels: dict[str, Any], pods: bool
) -> bool:
    """The LabelSelector rule, written out; for pods, a matchLabels-only selector may name
    controller labels."""
    if selector is None:
        return True
    match, expressions = selector.get("matchLabels") or {}, selector.get("matchExpressions") or []
    if pods and "matchExpressions" not in selector:
        return all(_pods_carry(obj, labels, k, v) for k, v in match.items())
    if any(k not in labels or labels[k] != v for k, v in match.items()):
        return False
    for e in expressions:
        present = e["key"] in labels
        ok = {
            "In": present and labels.get(e["key"]) in e["values"],
            "NotIn": not present or labels[e["key"]] not in e["values"],
            "Exists": present,
            "DoesNotExist": not present,
        }[e["operator"]]
        if not ok:
            return False
    return True


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.lists(_workload, max_size=8),
    _label_selector,
    st.none() | st.sets(st.sampled_from(["x", "y"]), min_size=1),
    st.booleans(),
)
def test_a_label_selector_selects_what_a_scan_selects(
    specs: list[Any], selector: Any, namespaces: set[str] | None, pods: bool
) -> None:
    found = _objects(specs)
    labels_of = KubeObject.pod_labels if pods else (lambda o: o.metadata.get("labels") or {})
    index = _Selectable(found, labels_of, controller_labels=pods)
    expected = [
        o
        for o in found
        if _in_namespace(o, namespaces) and _brute_label_selector(selector, o, labels_of(o), pods)
    ]
    assert index.select(selector, namespaces) == expected


def test_the_index_offers_the_rarest_requirement_in_order() -> None:
    index = LabelIndex(
        [
            ("", {"a": "1", "b": "1"}, ()),
            ("x", {"a": "1"}, ()),
            ("y", {"a": "1", "b": "1"}, ()),
            ("x", {"b": "2"}, ("a",)),
        ]
    )
    assert index.candidates([[("a", "1")], [("b", "1")]], None) == [0, 2]
    assert index.candidates([[("a", "1")]], {"x"}) == [0, 1]
    assert index.candidates([[("b", "2"), ("b", "1")]], {"x", "y"}) == [0, 2, 3]
    assert index.candidates([[("a", "1")], [("c", "1")]], None) == []
    assert index.candidates([], None) is None
