"""svcgen import: existing manifests into DSL source and lock; rendering it gives the same Services back."""

from __future__ import annotations

from typing import Any

from conftest import ROOT
from ruamel.yaml import YAML

from svcgen import NodePortRange, render
from svcgen.importer import import_manifests
from svcgen.kube.apiserver import default_service

DATA = ROOT / "tests" / "data" / "import-shop.yaml"


def _services(text: str) -> dict[tuple[str, str], dict[str, Any]]:
    docs = [d for d in YAML(typ="safe").load_all(text) if d and d.get("kind") == "Service"]
    return {(d["metadata"].get("namespace", ""), d["metadata"]["name"]): default_service(d) for d in docs}


def _run(source: str) -> list[Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    from svcgen import App

    return [v for v in namespace.values() if isinstance(v, App)]


def test_round_trip_gives_back_the_same_services() -> None:
    imported = import_manifests([(DATA.name, DATA.read_text())])
    rendered = render(_run(imported.source), lock=imported.lock, node_port_range=NodePortRange())
    original = _services(DATA.read_text())
    original.pop(("shop", "legacy-manual"), None)
    assert _services(rendered.yaml) == original
    # Every existing nodePort came from the lock: nothing was allocated, nothing moved.
    assert rendered.lock == imported.lock
    assert all(item.source in ("lock", "pinned") for item in rendered.allocated)


def test_warnings_name_what_was_not_carried_over() -> None:
    text = DATA.read_text() + (
        "---\nkind: Service\nmetadata: {name: manual}\nspec:\n  ports: [{port: 80}]\n"
        "---\nkind: Service\nmetadata: {name: fixed-ip}\nspec:\n  clusterIP: 10.0.0.10\n"
        "  externalIPs: [1.2.3.4]\n  selector: {app: x}\n  ports: [{port: 80}]\n")
    imported = import_manifests([("shop.yaml", text)])
    joined = "\n".join(map(str, imported.warnings))
    assert "shop.yaml:118:1: warning: Service/manual: spec: has no selector" in joined
    assert "warning: Service/fixed-ip: spec: not carried over" in joined and "externalIPs" in joined \
        and "clusterIP" in joined
    assert "warning: Service/shop/legacy: spec.selector: no workload in these files matches its selector" in joined


def test_keyword_names_make_valid_code() -> None:
    text = ("kind: Deployment\nmetadata: {name: class}\nspec:\n  template:\n    metadata: {labels: {app: x}}\n"
            "    spec:\n      containers: [{name: import, image: x, ports: [{name: http, containerPort: 80}]}]\n"
            "---\nkind: Service\nmetadata: {name: for}\nspec: {selector: {app: x}, ports: [{port: 80}]}\n")
    imported = import_manifests([("k.yaml", text)])
    compile(imported.source, "app.py", "exec")
    assert len(_run(imported.source)) == 1


