"""svcgen new on the command line: the scaffold is written and rendered once, or not written at
all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli


def test_new_writes_files_and_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "new",
        "billing",
        "--port",
        "http:5000:8080",
        "--port",
        "metrics:6000:8081",
        "--type",
        "NodePort",
    )
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "billing").iterdir()) == [
        "README.md",
        "app.py",
        "svcgen.lock",
        "test_app.py",
    ]
    assert "-/billing/http/TCP: 30000" in (tmp_path / "billing" / "svcgen.lock").read_text()
    rendered = run_cli("render", "billing")
    assert rendered.code == 0 and "nodePort: 30001" in rendered.out


def test_new_refuses_to_overwrite_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.py").write_text("mine\n")
    result = run_cli("new", "web", "--port", "http:80")
    assert result.code == 2 and "already exist" in result.err
    assert sorted(p.name for p in (tmp_path / "web").iterdir()) == ["app.py"]
    assert (tmp_path / "web" / "app.py").read_text() == "mine\n"
    assert run_cli("new", "web", "--port", "http:80", "--force").code == 0
    assert "Container(" in (tmp_path / "web" / "app.py").read_text()


def test_no_partial_scaffold_when_the_first_render_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "svcgen.lock").write_text("version: 7\n")  # a lock from a newer svcgen
    result = run_cli("new", "web", "--port", "http:80", "--type", "NodePort", "--dir", "svc")
    assert result.code == 1 and "newer svcgen" in result.err
    assert sorted(p.name for p in (tmp_path / "svc").iterdir()) == ["svcgen.lock"]
    assert run_cli("new", "web", "--port", "bad").code == 2
    assert not (tmp_path / "web").exists()


@pytest.mark.slow
def test_new_from_a_real_non_editable_install(tmp_path: Path) -> None:
    """pip install . (and pytest) into a fresh virtual environment; scaffold from another folder;
    run
    its test.

    The test uses the svcgen_project fixture: the installed package's pytest11 entry point makes it.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(ROOT), "pytest"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    svcgen = venv / "bin" / "svcgen"
    new = subprocess.run(
        [
            str(svcgen),
            "new",
            "billing",
            "--port",
            "http:5000:8080",
            "--port",
            "metrics:6000:8081",
            "--type",
            "NodePort",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert new.returncode == 0, new.stderr
    check = subprocess.run(
        [str(python), "-c", "import svcgen.templating as s; print(s.templates_dir())"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert (
        "site-packages" in check.stdout
    )  # the templates came from the wheel, not from this checkout
    test = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "billing"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert test.returncode == 0 and "1 passed" in test.stdout, test.stdout + test.stderr
    (
        work / "billing" / "svcgen.lock"
    ).unlink()  # and the installed plugin catches a lock that is not current
    stale = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "billing"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert stale.returncode == 1 and "billing/svcgen.lock is not current" in stale.stdout, (
        stale.stdout
    )
    render = subprocess.run(
        [str(svcgen), "render", "billing"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert render.returncode == 0 and "nodePort: 30000" in render.stdout


def test_the_scaffold_follows_the_project_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project with its own lock path and nodePort range: the first render uses them.

    (The generated test passes in such a project: tests/test_pytest_plugin.py.)
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nlock = "deploy/ports.lock"\nnode-port-range = "20000-22767"\n'
    )
    result = run_cli("new", "billing", "--port", "http:5000:8080", "--type", "NodePort")
    assert result.code == 0, result.err
    assert "-/billing/http/TCP: 20000" in (tmp_path / "deploy" / "ports.lock").read_text()
    assert not (tmp_path / "billing" / "svcgen.lock").exists()
    assert run_cli("render", "billing").code == 0


def test_a_forced_scaffold_whose_render_fails_puts_the_old_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.py").write_text("# hand-written\n")
    (tmp_path / "svc" / "svcgen.lock").write_text("version: 7\n")  # a lock from a newer svcgen
    result = run_cli(
        "new", "web", "--port", "http:80", "--type", "NodePort", "--dir", "svc", "--force"
    )
    assert result.code == 1
    assert (tmp_path / "svc" / "app.py").read_text() == "# hand-written\n"
    assert sorted(p.name for p in (tmp_path / "svc").iterdir()) == ["app.py", "svcgen.lock"]


def test_a_scaffold_whose_render_fails_leaves_none_of_the_folders_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svcgen.lock").write_text("version: 7\n")  # the project's lock, from a newer svcgen
    (tmp_path / "a").mkdir()
    result = run_cli("new", "web", "--port", "http:80", "--type", "NodePort", "--dir", "a/b/c/d")
    assert result.code == 1 and "newer svcgen" in result.err
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["a", "svcgen.lock"]


def test_a_scaffold_whose_write_fails_midway_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    replace, calls = os.replace, []

    def full_disk_at_the_third(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", src, None, dst)
        replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk_at_the_third)
    result = run_cli("new", "web", "--port", "http:80", "--dir", "a/web")
    assert result.code == 2 and "No space left on device" in result.err
    assert list(tmp_path.iterdir()) == []


def test_new_says_what_it_wrote_on_standard_error_in_the_order_it_happened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "new",
        "billing",
        "--port",
        "http:5000:8080",
        "--type",
        "NodePort",
        "--dir",
        str(tmp_path / "svc" / "billing"),
    )
    assert result.code == 0, result.err
    assert (
        result.out == ""
    )  # standard output is for results; what was written is said like every command says it
    assert result.err.splitlines() == [
        "svcgen: wrote svc/billing/app.py",
        "svcgen: wrote svc/billing/test_app.py",
        "svcgen: wrote svc/billing/README.md",
        "svc/billing/svcgen.lock: 1 new nodePort:",
        "  billing/http 30000",
        "svcgen: svc/billing/app.py renders; run `svcgen render svc/billing` to print its Service.",
    ]


def test_new_says_which_files_are_in_the_way_in_proper_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "app.py").write_text("mine\n")
    one = run_cli("new", "web", "--port", "http:80")
    assert one.err.startswith("svcgen new: web/app.py already exists; nothing was written.")
    (tmp_path / "web" / "README.md").write_text("mine\n")
    two = run_cli("new", "web", "--port", "http:80")
    assert two.err.startswith(
        "svcgen new: web/app.py, web/README.md already exist; nothing was written."
    )
    assert "(s)" not in one.err + two.err
