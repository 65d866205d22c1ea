"""The shared registry with the real git: claims, retries, offline work, and projects racing for ports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import HEADER, ROOT, run_cli

from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lockfile import parse_lock
from svcgen.registry import MAX_ATTEMPTS

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}


def app(name: str, ports: int = 2) -> str:
    exposed = ", ".join(f'c.port("p{i}").expose()' for i in range(ports))
    declared = ", ".join(f'Port("p{i}", {8000 + i})' for i in range(ports))
    return (HEADER + f'c = Container("{name}", ports=[{declared}])\n'
            f'app = App("{name}", namespace="{name}", labels={{"app": "{name}"}}, containers=[c], services=['
            f'Service("{name}", type="NodePort", ports=[{exposed}])])\n')


def bare(tmp_path: Path) -> Path:
    repo = tmp_path / "registry.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(repo)], check=True)
    return repo


def project(tmp_path: Path, name: str, registry: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n[tool.svcgen]\n'
                                           f'registry = "{registry}#clusters/prod.lock"\n')
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


def registry_text(repo: Path) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), "show", "main:clusters/prod.lock"], capture_output=True,
                          text=True, check=True).stdout


def log(repo: Path) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(repo), "log", "--format=%s%x00%P", "main"], capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def render(folder: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = run_cli("render", *(args or ("app.py",)))
    finally:
        os.chdir(old)
    return result.code, result.out, result.err


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def test_the_first_claim_creates_the_registry_and_the_lock_follows_the_push(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 0, err
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert {str(k): v for k, v in registry.entries.items()} == {
        "billing/billing/p0/TCP": 30000, "billing/billing/p1/TCP": 30001}
    assert set(registry.owners.values()) == {"billing"}
    (subject,) = log(repo)
    assert subject.startswith("svcgen: billing claims 2 nodePorts")
    body = subprocess.run(["git", "--git-dir", str(repo), "log", "-1", "--format=%b", "main"], capture_output=True,
                          text=True, check=True).stdout
    assert "+ billing/billing/p0/TCP: 30000" in body
    lock = parse_lock((billing / "svcgen.lock").read_text(), "l", NodePortRange())
    assert lock.entries == registry.owned_by("billing").entries
    assert render(billing)[0] == 0 and len(log(repo)) == 1  # nothing new: no push


def test_another_project_takes_other_ports_and_ports_shows_the_whole_registry(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    shop = project(tmp_path, "shop", repo, {"app.py": app("shop", 3)})
    assert render(billing)[0] == 0
    code, out, err = render(shop)
    assert code == 0, err
    assert "nodePort: 30002" in out and "nodePort: 30000" not in out
    os.chdir(shop)
    table = run_cli("ports", "app.py").out
    assert "registry (billing)" in table and "registry (shop)" in table
    clash = project(tmp_path, "clash", repo, {"app.py": app("clash").replace("expose()", "expose(node_port=30000)",
                                                                                 1)})
    code, out, err = render(clash)
    assert code == 1 and "already allocated to registry" in err and "(project billing)" in err
    assert not (clash / "svcgen.lock").exists() and len(log(repo)) == 2


def test_without_network_a_render_that_claims_nothing_works_from_the_copy(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0
    repo.rename(tmp_path / "gone.git")
    code, out, err = render(billing)
    assert code == 0 and "cannot be reached; working from the copy fetched last" in err
    (billing / "app.py").write_text(app("billing", 3))
    before = (billing / "svcgen.lock").read_text()
    code, out, err = render(billing)
    assert code == 2 and "new claims cannot be recorded; nothing was written" in err
    assert (billing / "svcgen.lock").read_text() == before and out == ""


def test_an_unreachable_registry_without_a_copy_is_one_clear_error(tmp_path: Path) -> None:
    billing = project(tmp_path, "billing", tmp_path / "nowhere.git", {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 2 and "cannot be fetched, and there is no copy of it here yet" in err
    assert err.count("\n") == 1 and not (billing / "svcgen.lock").exists()


def test_a_push_that_keeps_being_rejected_gives_up_cleanly(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the registry is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, out, err = render(billing)
    assert code == 2 and f"the push was rejected {MAX_ATTEMPTS} times" in err
    assert f"allocating again ({MAX_ATTEMPTS}/{MAX_ATTEMPTS})" in err
    assert not (billing / "svcgen.lock").exists() and out == ""


def test_a_registry_edited_into_a_duplicate_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    work = tmp_path / "edit"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(work)], check=True, capture_output=True)
    (work / "clusters").mkdir()
    (work / "clusters" / "prod.lock").write_text(
        "version: 1\nnodePorts:\n  a/a/http/TCP: 30000\n  b/b/http/TCP: 30000\n")
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "--quiet", "-m", "by hand"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "--quiet", "origin", "HEAD:main"], check=True,
                   capture_output=True)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 1 and "nodePort 30000 is given to both" in err and "clusters/prod.lock:4" in err
    assert not (billing / "svcgen.lock").exists()


def test_lock_prune_releases_the_entries_in_the_registry(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing", 3)})
    assert render(billing)[0] == 0
    (billing / "app.py").write_text(app("billing", 1))
    os.chdir(billing)
    assert run_cli("lock", "prune", "app.py").code == 0
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert {str(k) for k in registry.entries} == {"billing/billing/p0/TCP"}
    assert log(repo)[0].startswith("svcgen: billing releases 2 nodePorts")


@pytest.mark.slow
def test_two_projects_started_four_times_each_at_once(tmp_path: Path) -> None:
    """8 processes, 2 projects of 4 declaration files each: disjoint ports, a linear history."""
    repo = bare(tmp_path)
    folders = [project(tmp_path, team, repo, {f"app{i}.py": app(f"{team}{i}") for i in range(4)})
               for team in ("billing", "shop")]
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "svcgen", "render", f"app{i}.py"], cwd=folder, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(4) for folder in folders]
    results = [p.communicate(timeout=300) for p in processes]
    elapsed = time.perf_counter() - start
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    retries = sum(err.count("allocating again") for _, err in results)
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert len(registry.entries) == 16 and len(set(registry.entries.values())) == 16
    for folder, team in zip(folders, ("billing", "shop"), strict=True):
        lock = parse_lock((folder / "svcgen.lock").read_text(), "l", NodePortRange())
        assert lock.entries == registry.owned_by(team).entries and len(lock) == 8
    history = log(repo)
    assert all(" " not in parents for _, parents in (line.split("\x00") for line in history))  # no merges
    print(f"8 renders in {elapsed:.1f} s, {retries} retries, {len(history)} commits")


def test_two_projects_declaring_the_same_service_port_is_an_error_not_a_silent_takeover(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    first = project(tmp_path, "team-a", repo, {"app.py": app("web")})
    second = project(tmp_path, "team-b", repo, {"app.py": app("web")})
    assert render(first)[0] == 0
    code, _out, err = render(second)
    assert code != 0
    assert "web/web/p0/TCP (team-a)" in err and "already claimed by another project" in err
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert set(registry.owners.values()) == {"team-a"} and len(log(repo)) == 1
    assert not (second / "svcgen.lock").exists()
