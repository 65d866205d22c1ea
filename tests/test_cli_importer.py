"""svcgen import on the command line: app.py and the lock are written together, or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli
from test_importer import DATA, GOOD_WEB, _services, service


def test_cli_import_writes_app_and_lock(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 0, result.err
    # Its workload is declared whole, its port without a name too (Port(number=8443)): nothing kept
    # as YAML
    assert sorted(p.name for p in (tmp_path / "adopted").iterdir()) == ["app.py", "svcgen.lock"]
    assert "Port(number=8443)" in (tmp_path / "adopted" / "app.py").read_text()
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
    (tmp_path / "adopted" / "svcgen.lock").write_text(
        "version: 1\nnodePorts:\n  shop/storefront/http/TCP: 30001\n"
    )
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 1 and "shop/storefront/http/TCP" in result.err
    assert not (tmp_path / "adopted" / "app.py").exists()


def test_a_refused_import_writes_nothing_and_says_why(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cm.yaml").write_text(
        "kind: ConfigMap\nmetadata: {name: x}\n---\nkind: Service\nmetadata: {name: m}\n"
        "spec: {ports: [{port: 80}]}\n"
    )
    result = run_cli("import", "cm.yaml", "--dir", "out")
    assert result.code == 1 and result.out == ""
    assert result.err.splitlines() == [
        "cm.yaml:6:1: warning: Service/m: spec: left out: has no selector: its endpoints are "
        "managed outside Kubernetes' selection, and svcgen declares Services in front of the "
        "pods they select. Fix: keep this Service (and its EndpointSlices) as YAML",
        "error: cm.yaml: no Service left to import (each was left out, as said above).",
        "svcgen import: 1 error; nothing was written.",
    ]
    assert not (tmp_path / "out").exists()
    (tmp_path / "cm.yaml").write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    nothing = run_cli("import", "cm.yaml", "--dir", "out")
    assert nothing.code == 1 and "cm.yaml: no Service to import" in nothing.err


def test_allow_changes_and_declare_missing_ports_flags(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(
        "kind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
        "  ports: [{port: 80, targetPort: http}]\n"
    )
    refused = run_cli("import", "s.yaml", "--dir", "out")
    assert refused.code == 1 and "--declare-missing-ports" in refused.err
    accepted = run_cli(
        "import", "s.yaml", "--dir", "out", "--declare-missing-ports", "--allow-changes"
    )
    assert accepted.code == 0, accepted.err
    assert "check its number" in accepted.err and (tmp_path / "out" / "app.py").is_file()
    assert run_cli("render", "out").code == 0


def test_no_app_py_is_left_when_the_lock_cannot_be_written(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "svcgen.lock").mkdir()  # a folder where the lock file should be
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 2 and "svcgen.lock" in result.err
    assert not (tmp_path / "adopted" / "app.py").exists()


def test_a_forced_import_that_cannot_record_its_nodeports_keeps_the_old_app_py(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "app.py").write_text("# my own declarations\n")
    (tmp_path / "adopted" / "svcgen.lock").mkdir()  # a folder where the lock file should be
    result = run_cli("import", str(DATA), "--dir", "adopted", "--force")
    assert result.code == 2 and "nothing was written" in result.err
    assert (tmp_path / "adopted" / "app.py").read_text() == "# my own declarations\n"


def test_a_node_port_a_reserved_lock_holds_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "svcgen.lock").write_text(
        "version: 1\nnodePorts:\n  billing/api/http/TCP: 31443\n"
    )
    (tmp_path / "adopted").mkdir()
    (tmp_path / "adopted" / "pyproject.toml").write_text(
        '[tool.svcgen]\nreserve = ["../billing/svcgen.lock"]\n'
    )
    result = run_cli("import", str(DATA), "--dir", "adopted")
    assert result.code == 1, result.err
    assert [line for line in result.err.splitlines() if ": error: " in line] == [
        f"{DATA}:40:48: error: Service/shop/storefront: spec.ports[1].nodePort: nodePort 31443 is "
        "already allocated to billing/svcgen.lock: billing/api/http (project billing): one "
        "nodePort is one Service port's. Fix: if that Service is gone, free its nodePort there "
        "(svcgen lock prune in its project, or edit the reserve file); else this Service must "
        "move: remove the nodePort from this manifest"
    ]
    assert sorted(p.name for p in (tmp_path / "adopted").iterdir()) == ["pyproject.toml"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_import_checks_the_shared_registry_and_pushes_nothing(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from test_registry import GIT_ENV, app, bare, log, project, render

    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0  # billing claims 30000 and 30001
    history = log(repo)
    shop = project(tmp_path, "shop", repo, {})
    dump = tmp_path / "dump.yaml"
    taken = GOOD_WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web}\n"
        "  ports: [{name: http, port: 80, targetPort: http, nodePort: 30001}]\n",
    )
    dump.write_text(taken.replace("metadata: {name: web}", "metadata: {name: web, namespace: x}"))
    monkeypatch.chdir(shop)
    refused = run_cli("import", str(dump))
    assert refused.code == 1
    assert "nodePort 30001 is already allocated to registry " in refused.err
    assert "billing/billing/p1 (project billing)" in refused.err
    assert (
        sorted(p.name for p in shop.iterdir()) == [".svcgen", "pyproject.toml"]
        and log(repo) == history
    )
    dump.write_text(dump.read_text().replace("nodePort: 30001", "nodePort: 30101"))
    accepted = run_cli("import", str(dump))
    assert accepted.code == 0, accepted.err
    assert log(repo) == history  # import checks; the next render claims
    assert (shop / "svcgen.lock").read_text().endswith("x/web/http/TCP: 30101\n")
    assert render(shop)[0] == 0 and len(log(repo)) == len(history) + 1


def test_a_cluster_dump_is_imported_and_what_is_left_out_is_said(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    dump = ROOT / "tests" / "data" / "import-cluster-dump.yaml"
    result = run_cli("import", str(dump), "--dir", "adopted")
    assert result.code == 0, result.err
    # Its Deployment is declared whole: an unnamed port, an empty securityContext (nothing kept as
    # YAML)
    assert result.out == ""  # what was written is said on standard error, as by every command
    assert result.err.endswith(
        "svcgen: wrote adopted/app.py\nsvcgen: recorded 2 nodePorts in adopted/svcgen.lock\n"
    )
    left_out = [line.split(": ")[2] for line in result.err.splitlines() if ": left out: " in line]
    assert left_out == [
        "Service/default/kubernetes",
        "Service/kube-system/kube-dns",
        "Service/shop/payments-db",
        "Service/shop/prometheus-operated",
    ]
    assert not [line for line in result.err.splitlines() if ": error: " in line]
    assert run_cli("render", "--check", "adopted").code == 0


def test_import_reports_its_problems_by_file_and_line(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    missing = (
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {0}}}\nspec:\n  selector: {{app: {0}}}\n"
        "  ports: [{{name: http, port: 80, targetPort: missing}}]\n"
    )
    (tmp_path / "b.yaml").write_text(missing.format("b1") + "---\n" + missing.format("b0"))
    (tmp_path / "a.yaml").write_text(missing.format("a1"))
    result = run_cli("import", "b.yaml", "a.yaml", "--dir", "out")
    assert result.code == 1
    assert [line.split(": ")[0] for line in result.err.splitlines()] == [
        "a.yaml:5:3",
        "a.yaml:6:34",
        "b.yaml:5:3",
        "b.yaml:6:34",
        "b.yaml:12:3",
        "b.yaml:13:34",
        "svcgen import",
    ]
