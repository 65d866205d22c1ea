"""svcgen import: existing manifests into DSL source and lock; rendering it gives the same Services back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import ROOT, run_cli
from ruamel.yaml import YAML

from svcgen import NodePortRange, render
from svcgen.apiserver import default_service
from svcgen.importer import import_manifests

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
    joined = "\n".join(imported.warnings)
    assert 'Service "manual" has no selector' in joined
    assert 'Service "fixed-ip": not carried over' in joined and "externalIPs" in joined and "clusterIP" in joined
    assert 'Service "legacy": no workload in these files matches its selector' in joined


def test_cli_import_writes_app_and_lock(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "adopted").iterdir()) == ["app.py", "svcgen.lock"]
    assert "shop/storefront/https/TCP: 31443" in (tmp_path / "adopted" / "svcgen.lock").read_text()
    rendered = run_cli("render", "adopted")
    assert rendered.code == 0, rendered.err
    assert _services(rendered.out) == _services(DATA.read_text())
    assert run_cli("render", "--check", "adopted").code == 0
    again = run_cli("import", str(DATA), "--dir", "adopted")
    assert again.code == 2 and "already exist" in again.err


def test_cli_import_refuses_a_conflicting_lock(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "svcgen.lock").write_text("version: 1\nnodePorts:\n  shop/storefront/http/TCP: 30001\n")
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 1 and "shop/storefront/http/TCP" in result.err
    assert not (tmp_path / "adopted" / "app.py").exists()




def test_nothing_to_import_is_an_error(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text("kind: ConfigMap\nmetadata: {name: x}\n---\nkind: Service\nmetadata: {name: m}\n"
                                      "spec: {ports: [{port: 80}]}\n")
    result = run_cli("import", "cm.yaml", "--dir", "out")
    assert result.code == 1 and "no Service to import" in result.err and 'Service "m" has no selector' in result.err
    assert not (tmp_path / "out").exists()


def test_keyword_names_make_valid_code() -> None:
    text = ("kind: Deployment\nmetadata: {name: class}\nspec:\n  template:\n    metadata: {labels: {app: x}}\n"
            "    spec:\n      containers: [{name: import, image: x, ports: [{name: http, containerPort: 80}]}]\n"
            "---\nkind: Service\nmetadata: {name: for}\nspec: {selector: {app: x}, ports: [{port: 80}]}\n")
    imported = import_manifests([("k.yaml", text)])
    compile(imported.source, "app.py", "exec")
    assert len(_run(imported.source)) == 1


def test_no_app_py_is_left_when_the_lock_cannot_be_written(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "svcgen.lock").mkdir()  # a folder where the lock file should be
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 2 and "svcgen.lock" in result.err
    assert not (tmp_path / "adopted" / "app.py").exists()
