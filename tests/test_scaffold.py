"""svcgen new: checked values, safe literals, no overwrite, no partial scaffold; and from a real install."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from svcgen.scaffold import PortSpec, ScaffoldError, parse_port_spec, scaffold_files, templates_dir


def test_port_specs() -> None:
    assert parse_port_spec("http:5000:8080") == PortSpec("http", 5000, 8080, "TCP")
    assert parse_port_spec("dns:53/udp") == PortSpec("dns", 53, 53, "UDP")
    for bad in ("http", "http:x", ":80", "http:80:90:100", "http:80/"):
        with pytest.raises(ScaffoldError, match="expected NAME:CONTAINER_PORT"):
            parse_port_spec(bad)


def test_templates_are_found() -> None:
    assert (templates_dir() / "app" / "app.py.jinja").is_file()


def test_generated_app_declares_what_was_asked() -> None:
    files = scaffold_files("billing", [parse_port_spec("http:5000:8080"), parse_port_spec("dns:53/UDP")],
                           service_type="NodePort", image="ghcr.io/acme/billing:1.2", namespace="payments")
    assert set(files) == {"app.py", "test_app.py", "README.md"}
    namespace: dict[str, object] = {}
    exec(compile(files["app.py"], "app.py", "exec"), namespace)
    app = namespace["app"]
    from svcgen import App, render

    assert isinstance(app, App) and app.namespace == "payments"
    yaml = render(app, node_port_range=__import__("svcgen").NodePortRange()).yaml
    assert "port: 8080\n    targetPort: 5000" in yaml and "protocol: UDP" in yaml


HOSTILE_IMAGES = ['x"""; import os; os.system("echo pwned") #', "x'\nimport os\n", "x\\", "\u202e evil", "a\x00b"]


@pytest.mark.parametrize("image", HOSTILE_IMAGES)
def test_hostile_values_stay_literals(image: str) -> None:
    files = scaffold_files("web", [parse_port_spec("http:80")], image=image)
    tree = ast.parse(files["app.py"])
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    assert image in literals
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert calls <= {"Container", "Port", "App", "Service"}
    assert not any(isinstance(node, ast.Import) for node in ast.walk(tree))
    assert {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} == {"svcgen"}


@pytest.mark.parametrize(("name", "port", "kind", "message"), [
    ("Bad_Name", "http:80", "ClusterIP", "DNS-1035"),
    ('x"; import os', "http:80", "ClusterIP", "Invalid value"),
    ("web", "HTTP:80", "ClusterIP", "alpha-numeric"),
    ("web", "http:70000", "ClusterIP", "must be between 1 and 65535"),
    ("web", "http:80/ICMP", "ClusterIP", "protocol"),
    ("web", "http:80", "Headless", "type"),
])
def test_values_are_checked_before_anything_is_rendered(name: str, port: str, kind: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        scaffold_files(name, [parse_port_spec(port)], service_type=kind)


def test_new_writes_files_and_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "billing", "--port", "http:5000:8080", "--port", "metrics:6000:8081", "--type",
                     "NodePort")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "billing").iterdir()) == [
        "README.md", "app.py", "svcgen.lock", "test_app.py"]
    assert "-/billing/http/TCP: 30000" in (tmp_path / "billing" / "svcgen.lock").read_text()
    rendered = run_cli("render", "billing")
    assert rendered.code == 0 and "nodePort: 30001" in rendered.out


def test_new_refuses_to_overwrite_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.py").write_text("mine\n")
    result = run_cli("new", "web", "--port", "http:80")
    assert result.code == 2 and "already exist" in result.err
    assert sorted(p.name for p in (tmp_path / "web").iterdir()) == ["app.py"]
    assert (tmp_path / "web" / "app.py").read_text() == "mine\n"
    assert run_cli("new", "web", "--port", "http:80", "--force").code == 0
    assert "Container(" in (tmp_path / "web" / "app.py").read_text()


def test_no_partial_scaffold_when_the_first_render_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "svcgen.lock").write_text("version: 7\n")  # a lock from a newer svcgen
    result = run_cli("new", "web", "--port", "http:80", "--type", "NodePort", "--dir", "svc")
    assert result.code == 1 and "newer svcgen" in result.err
    assert sorted(p.name for p in (tmp_path / "svc").iterdir()) == ["svcgen.lock"]
    assert run_cli("new", "web", "--port", "bad").code == 2
    assert not (tmp_path / "web").exists()


def test_new_from_a_real_non_editable_install(tmp_path: Path) -> None:
    """pip install . into a fresh virtual environment; scaffold from another folder; run its test."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], capture_output=True, text=True,
                             env=env, check=False)
    assert install.returncode == 0, install.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    svcgen = venv / "bin" / "svcgen"
    new = subprocess.run([str(svcgen), "new", "billing", "--port", "http:5000:8080", "--port", "metrics:6000:8081",
                          "--type", "NodePort"], cwd=work, capture_output=True, text=True, env=env, check=False)
    assert new.returncode == 0, new.stderr
    check = subprocess.run([str(python), "-c", "import svcgen.scaffold as s; print(s.templates_dir())"], cwd=work,
                           capture_output=True, text=True, env=env, check=True)
    assert "site-packages" in check.stdout  # the templates came from the wheel, not from this checkout
    test = subprocess.run([str(python), "billing/test_app.py"], cwd=work, capture_output=True, text=True, env=env,
                          check=False)
    assert test.returncode == 0 and test.stdout.strip() == "ok", test.stderr
    render = subprocess.run([str(svcgen), "render", "billing"], cwd=work, capture_output=True, text=True, env=env,
                            check=False)
    assert render.returncode == 0 and "nodePort: 30000" in render.stdout




def test_names_that_are_python_keywords_make_valid_code() -> None:
    for name in ("class", "import", "match", "app"):
        files = scaffold_files(name, [parse_port_spec("http:80")])
        compile(files["app.py"], "app.py", "exec")
