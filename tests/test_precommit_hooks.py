"""The hooks in .pre-commit-hooks.yaml, run by pre-commit itself on small git repositories.

The hooks repository is a git copy of this working tree (uncommitted changes included), used as a
local ``repo:`` in a ``.pre-commit-config.yaml``. ``pre-commit try-repo`` is not used: it builds the
hook environment in a fresh store on every call, while ``pre-commit run`` with a shared
PRE_COMMIT_HOME builds it once for the whole module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

pytest.importorskip("pre_commit")

HOOKS_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "svcgen", "templates")

SERVICE = (
    "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
    "  ports: [{port: 80, targetPort: 8080}]\n"
)
NODEPORT_OUT_OF_RANGE = (
    "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: "
    "{app: web}\n  ports: [{port: 80, targetPort: 8080, nodePort: 40000}]\n"
)

APP = """\
from svcgen import App, Container, Port, Service

web = Container("web", image="nginx:1.27", ports=[Port("http", 8080), Port("admin", 9090)])

app = App("web", labels={"app": "web"}, containers=[web], services=[
    Service("web", type="NodePort", ports=[PORTS]),
])
"""
ONE_PORT = 'web.port("http").expose(80)'
TWO_PORTS = 'web.port("http").expose(80), web.port("admin").expose(9090)'


@dataclass(frozen=True)
class HooksRepo:
    path: Path
    rev: str


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "SKIP")}
    env.update(
        GIT_AUTHOR_NAME="svcgen tests",
        GIT_AUTHOR_EMAIL="tests@svcgen.invalid",
        GIT_COMMITTER_NAME="svcgen tests",
        GIT_COMMITTER_EMAIL="tests@svcgen.invalid",
        # no signing, templates or hooks from the user's configuration
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return env


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=git_env(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def commit_all(repo: Path) -> str:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "test")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> HooksRepo:
    path = tmp_path_factory.mktemp("hooks-repo")
    for name in HOOKS_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(source, path / name)
    return HooksRepo(path, commit_all(path))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield home
    shutil.rmtree(home, ignore_errors=True)


def project(
    tmp_path: Path, hooks: HooksRepo, hook: dict[str, object], files: dict[str, str]
) -> Path:
    """A committed git repository with ``files`` and a .pre-commit-config.yaml that uses
    ``hook``."""
    repo = tmp_path / "project"
    repo.mkdir()
    for name, text in files.items():
        (repo / name).write_text(text)
    config = {"repos": [{"repo": str(hooks.path), "rev": hooks.rev, "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(
        json.dumps(config, indent=2) + "\n"
    )  # JSON is YAML
    commit_all(repo)
    return repo


def run_pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = git_env()
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def render_lock(app: str, tmp_path: Path) -> str:
    """The svcgen.lock that ``svcgen render app.py`` writes for ``app``."""
    work = tmp_path / "lock"
    work.mkdir()
    (work / "app.py").write_text(app)
    result = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py"],
        cwd=work,
        capture_output=True,
        text=True,
        env=git_env(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return (work / "svcgen.lock").read_text()


@pytest.mark.slow
def test_lint_passes_a_valid_service(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    repo = project(tmp_path, hooks_repo, {"id": "svcgen-lint"}, {"service.yaml": SERVICE})
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "svcgen lint" in result.stdout
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_lint_fails_on_a_nodeport_out_of_range(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    repo = project(
        tmp_path, hooks_repo, {"id": "svcgen-lint"}, {"service.yaml": NODEPORT_OUT_OF_RANGE}
    )
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "service.yaml:7:" in result.stdout
    assert "provided port is not in the valid range" in result.stdout


RENDER_CHECK: dict[str, object] = {"id": "svcgen-render-check", "args": ["app.py"]}


@pytest.mark.slow
def test_render_check_passes_with_a_current_lock(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    app = APP.replace("PORTS", ONE_PORT)
    repo = project(
        tmp_path,
        hooks_repo,
        RENDER_CHECK,
        {"app.py": app, "svcgen.lock": render_lock(app, tmp_path)},
    )
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("stale", ["lock missing", "port added after the lock was written"])
def test_render_check_fails_when_the_lock_is_not_current(
    stale: str, tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    one_port = APP.replace("PORTS", ONE_PORT)
    files = (
        {"app.py": one_port}
        if stale == "lock missing"
        else {
            "app.py": APP.replace("PORTS", TWO_PORTS),
            "svcgen.lock": render_lock(one_port, tmp_path),
        }
    )
    repo = project(tmp_path, hooks_repo, RENDER_CHECK, files)
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "not up to date" in result.stdout
    # --check writes nothing: the repository is as committed.
    assert git(repo, "status", "--porcelain") == ""


def _node_port_service(name: str, node_port: int) -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: NodePort\n"
        f"  selector: {{app: {name}}}\n  ports: [{{port: 80, nodePort: {node_port}}}]\n"
    )


@pytest.mark.slow
def test_lint_sees_a_collision_across_more_files_than_one_command_line_holds(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    """pre-commit splits file names into several runs: one per CPU, and by length (128 KiB) even
    with
    require_serial.

    800 names of 200 characters are 160 KiB: a hook that took file names would lint them in two or
    more runs, and the first and the last file, which share nodePort 30123, in different ones
    ("Passed"). The hook lints the repository in one run instead.
    """
    from pre_commit.xargs import _get_platform_max_length  # type: ignore[import-untyped]

    names = [f"{i:03d}-{'x' * 192}.yaml" for i in range(800)]
    assert sum(len(n) + 1 for n in names) > _get_platform_max_length()  # pre-commit's own limit
    files = {
        name: f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"
        for i, name in enumerate(names)
    }
    files[names[0]] = _node_port_service("first", 30123)
    files[names[-1]] = _node_port_service("last", 30123)
    files["notes.json"] = (
        '{"not": "a manifest"}\n'  # found by the walk: no Kubernetes object, said nothing about
    )
    repo = project(tmp_path, hooks_repo, {"id": "svcgen-lint"}, files)
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert (
        f"{names[-1]}:7:22: error: Service/last: spec.ports[0].nodePort: Invalid value: 30123: "
        "provided port is "
        f'already allocated: Service "first" ({names[0]}:7) uses it' in result.stdout
    )
    assert (
        result.stdout.count("svcgen lint: 1 error, 0 warnings in 801 files.") == 1
    )  # one run, every file


@pytest.mark.slow
def test_lint_with_folders_in_args_lints_those_together(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    files = {"a.yaml": _node_port_service("a", 30123), "b.yaml": _node_port_service("b", 30123)}
    repo = project(tmp_path, hooks_repo, {"id": "svcgen-lint", "args": ["a.yaml"]}, files)
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode == 0, (
        result.stdout + result.stderr
    )  # b.yaml is not linted: not in args
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_render_check_takes_one_entry_per_project_of_the_repository(
    tmp_path: Path, hooks_repo: HooksRepo, pre_commit_home: Path
) -> None:
    """Two projects, each with its lock: one svcgen-render-check entry each passes; one entry for
    both
    is refused."""
    repo = tmp_path / "project"
    app = APP.replace("PORTS", ONE_PORT)
    for name in ("p1", "p2"):
        (repo / name).mkdir(parents=True)
        (repo / name / "app.py").write_text(app.replace('"web"', f'"{name}"'))
        (tmp_path / f"work-{name}").mkdir()
        (repo / name / "svcgen.lock").write_text(
            render_lock(app.replace('"web"', f'"{name}"'), tmp_path / f"work-{name}")
        )
    hooks = [
        {**RENDER_CHECK, "name": f"render check {name}", "args": [name]} for name in ("p1", "p2")
    ]
    config = {"repos": [{"repo": str(hooks_repo.path), "rev": hooks_repo.rev, "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2) + "\n")
    commit_all(repo)
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Passed") == 2
    config["repos"][0]["hooks"] = [{**RENDER_CHECK, "args": ["."]}]
    (repo / ".pre-commit-config.yaml").write_text(json.dumps(config, indent=2) + "\n")
    git(repo, "commit", "-qam", "one entry for both")
    result = run_pre_commit(repo, pre_commit_home)
    assert result.returncode != 0 and "Failed" in result.stdout
    assert (
        "svcgen render: error: the paths hold the declarations of 3 projects: . (the first "
        "path's: its settings "
        "and lock), p1, p2; render them one at a time (one lock, one nodePort space per run)"
        in result.stdout
    )
    assert git(repo, "status", "--porcelain") == ""
