"""What lint keeps of each object for its checks across objects: the same findings as with
everything kept."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from test_lint_port_references import WEB

from svcgen.kube.objects import KubeObject, read_objects
from svcgen.kube.yamlwrite import to_yaml
from svcgen.lint import lint_texts
from svcgen.lint.keep import retain

DATA = Path(__file__).parent / "data"


def _problem_rich(seed: int) -> str:
    """Services, workloads and every consumer, with wrong ports, duplicates, Lists and shared
    nodePorts."""
    rnd = random.Random(seed)
    docs: list[dict[str, Any]] = []
    for i in range(40):
        name, ns = f"s{i % 30}", f"ns{i % 3}"
        labels = {"part-of": "shop", "app": name}
        selector = {"part-of": "shop"} if i % 7 == 0 else labels
        meta = {"name": name, "namespace": ns}
        port = rnd.choice(["http", "htp", "metrics"])
        container = {
            "name": "app",
            "image": "app:1",
            "env": [{"name": "A", "value": "1"}],
            "resources": {"limits": {"cpu": "1"}},
            "ports": [
                {"name": "http", "containerPort": 8080},
                {"name": "metrics", "containerPort": 9090},
            ],
            "livenessProbe": {"httpGet": {"path": "/", "port": rnd.choice(["http", "htpp"])}},
        }
        items: list[dict[str, Any]] = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {**meta, "labels": labels},
                "spec": {
                    "type": "NodePort",
                    "selector": selector,
                    "ports": [
                        {"name": "http", "port": 80, "targetPort": port, "nodePort": 30000 + i % 9}
                    ],
                },
            },
            {
                "apiVersion": "apps/v1",
                "kind": rnd.choice(["Deployment", "StatefulSet"]),
                "metadata": meta,
                "spec": {
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {"containers": [container]},
                    },
                },
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": meta,
                "spec": {
                    "rules": [
                        {
                            "host": "x.example",
                            "http": {
                                "paths": [
                                    {
                                        "path": "/",
                                        "pathType": "Prefix",
                                        "backend": {
                                            "service": {
                                                "name": rnd.choice([name, "gone"]),
                                                "port": {"name": port},
                                            }
                                        },
                                    }
                                ]
                            },
                        }
                    ]
                },
            },
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": meta,
                "spec": {
                    "rules": [{"backendRefs": [{"name": name, "port": rnd.choice([80, 81])}]}]
                },
            },
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "ServiceMonitor",
                "metadata": meta,
                "spec": {"selector": {"matchLabels": selector}, "endpoints": [{"port": port}]},
            },
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PodMonitor",
                "metadata": meta,
                "spec": {
                    "selector": {"matchLabels": selector},
                    "podMetricsEndpoints": [{"port": port}],
                },
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {
                    "podSelector": {"matchLabels": selector},
                    "ingress": [{"ports": [{"port": port}]}],
                },
            },
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"big": "x" * 100}},
        ]
        if i % 5 == 0:
            items = [{"apiVersion": "v1", "kind": "List", "items": items}]
        docs += items
    typed = (
        "---\napiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: s1, namespace: ns1}\n"
        "  spec: {type: NodePort, selector: {app: s1}, ports: [{port: 80, nodePort: 30001, "
        "targetPort: x}]}\n"
    )
    aliased = (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: al, namespace: ns0, labels: &l "
        "{app: s0}}\nspec: {type: NodePort, selector: *l, ports: [{port: 80, targetPort: nope, "
        "nodePort: 30002}]}\n"
    )
    return to_yaml(docs) + typed + aliased


def _sources() -> list[list[tuple[str, str]]]:
    corpora = [
        [(p.name, p.read_text()) for p in sorted((DATA / "realworld").glob("*.y*ml"))],
        [(str(p), p.read_text()) for p in sorted(EXAMPLES.glob("*/expected*.yaml"))],
        [("web.yaml", WEB)],
    ]
    return [c for c in corpora if c] + [[("rich.yaml", _problem_rich(seed))] for seed in range(3)]


@pytest.mark.parametrize("sources", _sources(), ids=lambda s: s[0][0])
def test_lint_finds_the_same_with_only_what_is_kept(
    sources: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = lint_texts(sources)
    monkeypatch.setattr("svcgen.lint.retain", lambda obj: None)
    monkeypatch.setattr("svcgen.kube.yamlread.Document.compact", lambda self: None)
    assert kept == lint_texts(sources)
    assert len(kept) > 0


def test_what_is_dropped_and_what_is_kept() -> None:
    text = _problem_rich(0)
    objects = [o for o in read_objects([("r.yaml", text)]) if isinstance(o, KubeObject)]
    positions = {
        id(o): [o.position(p) for p in (("metadata", "name"), ("spec", "ports", 0, "targetPort"))]
        for o in objects
    }
    for obj in objects:
        retain(obj)
    for obj in objects:  # (once all objects of a document, a List's items, were retained)
        obj.doc.compact()
    deployment = next(o for o in objects if o.kind == "Deployment")
    (container,) = deployment.value["spec"]["template"]["spec"]["containers"]
    assert sorted(container) == ["livenessProbe", "name", "ports"]  # no image, env, resources
    assert deployment.value["spec"]["template"]["metadata"] == {
        "labels": {"part-of": "shop", "app": "s0"}
    }
    assert (
        "selector" not in deployment.value["spec"] and "labels" not in deployment.value["metadata"]
    )
    config = next(o for o in objects if o.kind == "ConfigMap")
    assert config.value == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "s0", "namespace": "ns0"},
    }
    typed = next(
        o
        for o in objects
        if o.prefix
        and o.kind == "Service"
        and o.value.get("apiVersion") == "v1"
        and o.doc.value.get("kind") == "ServiceList"
    )
    assert "status" not in typed.doc.value["items"][0]
    aliased = next(o for o in objects if o.name == "al")
    assert (
        aliased.doc.aliased and aliased.doc.packed is None
    )  # kept whole: a value stands in two places
    assert {
        id(o): [o.position(p) for p in (("metadata", "name"), ("spec", "ports", 0, "targetPort"))]
        for o in objects
    } == positions


def test_a_kept_identity_shares_its_api_group_string() -> None:
    from svcgen.lint import _identity

    text = "".join(
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\n" for i in range(2)
    )
    first, second = [o for o in read_objects([("a.yaml", text)]) if isinstance(o, KubeObject)]
    one, two = _identity(first), _identity(second)
    assert one is not None and two is not None
    assert one[0] == "apps" and one[0] is two[0]  # one copy for every object of the group (memory)


def test_a_kept_mapping_that_lost_keys_is_sized_to_what_is_left_and_keeps_its_positions() -> None:
    import sys

    env = "".join(f"        - {{name: V{i}, value: x}}\n" for i in range(3))
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n, annotations: "
        "{a: b}}\nspec:\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      "
        "containers:\n      - name: app\n        image: app:1\n        imagePullPolicy: Always\n  "
        "      args: [a]\n        command: [b]\n        workingDir: /\n        tty: true\n        "
        "stdin: true\n"
        f"        env:\n{env}        ports: [{{name: http, containerPort: 80}}]\n"
    )
    (obj,) = [o for o in read_objects([("d.yaml", text)]) if isinstance(o, KubeObject)]
    retain(obj)
    container = obj.value["spec"]["template"]["spec"]["containers"][0]
    assert container == {"name": "app", "ports": [{"name": "http", "containerPort": 80}]}
    assert sys.getsizeof(container) == sys.getsizeof(
        {"name": "app", "ports": []}
    )  # not the table of 10 keys
    obj.doc.compact()
    assert obj.position(("spec", "template", "spec", "containers", 0, "ports", 0, "name")) == (
        21,
        18,
    )
    assert obj.position(("metadata", "namespace")) == (3, 21)
