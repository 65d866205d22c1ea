"""svcgen import on the command line: app.py and the lock are written together, or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import run_cli
from test_importer import DATA, _services


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
    assert result.code == 1 and "no Service to import" in result.err
    assert "cm.yaml:6:1: warning: Service/m: spec: has no selector" in result.err
    assert not (tmp_path / "out").exists()


def test_no_app_py_is_left_when_the_lock_cannot_be_written(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "svcgen.lock").mkdir()  # a folder where the lock file should be
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 2 and "svcgen.lock" in result.err
    assert not (tmp_path / "adopted" / "app.py").exists()
