"""The project of a render-like command: settings resolved once, the Apps, the reserved
nodePorts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from svcgen.cli.project import load_project
from svcgen.errors import UsageError
from svcgen.kube.portrange import NodePortRange

Writer = Callable[..., Path]

APP = """
api = Container("api", ports=[Port("http", 80)])
app = App("web", labels={"app": "web"}, containers=[api], services=[
    Service("web", type="NodePort", ports=[api.port("http").expose()])])
"""
CLUSTER = (
    "kind: Service\nmetadata: {name: other, namespace: x}\nspec:\n  ports: [{port: 80, "
    "nodePort: 20000}]\n"
)


def _args(*paths: str, **flags: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "lock": None,
        "node_port_range": None,
        "reserve": [],
        "with_workloads": False,
    }
    return argparse.Namespace(paths=list(paths), **{**values, **flags})


def test_the_project_uses_the_table_and_renders_with_it(write_app: Writer, tmp_path: Path) -> None:
    write_app(APP)
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nnode-port-range = "20000-20999"\nreserve = ["cluster.yaml"]\n'
    )
    project = load_project(_args("app.py"))
    assert project.settings.node_port_range == NodePortRange(20000, 20999)
    assert [(r.node_port, r.service, r.origin) for r in project.reservations] == [
        (20000, "other", "cluster.yaml")
    ]
    assert [a.name for a in project.apps] == ["web"]
    rendered = project.render(project.read_lock()[1])
    assert [i.node_port for i in rendered.allocated] == [20001]  # 20000 is reserved
    assert project.lock_path == tmp_path.resolve() / "svcgen.lock"


def test_a_missing_reserve_path_is_a_usage_error(write_app: Writer) -> None:
    write_app(APP)
    with pytest.raises(UsageError, match="--reserve: no such file"):
        load_project(_args("app.py", reserve=["nope.yaml"]))


DECLARATIONS = """
c = Container("c", ports=[Port("http", 80)])
app = App("a", labels={"app": "a"}, containers=[c],
          services=[Service("s", ports=[c.port("http").expose()])])
"""
PRINTS = (
    """
import os, subprocess, sys
print("print")
sys.stdout.write("sys.stdout\\n")
sys.__stdout__.write("sys.__stdout__\\n")
os.write(1, b"descriptor 1\\n")
subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
"""
    + DECLARATIONS
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["render", "app.py"],
        ["render", "app.py", "--format", "json"],
        ["ports", "app.py", "--format", "json"],
        ["explain", "app.py"],
    ],
)
def test_nothing_a_declaration_file_writes_reaches_standard_output(
    write_app: Writer, tmp_path: Path, command: list[str]
) -> None:
    """``svcgen render . | kubectl apply -f -``: stdout holds the manifests and nothing else, at
    every
    level."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    write_app(PRINTS)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "print\nsys.stdout\nsys.__stdout__\ndescriptor 1\na child process\n"
    write_app(DECLARATIONS, "quiet.py")
    quiet = subprocess.run(
        [sys.executable, "-m", "svcgen", command[0], "quiet.py", *command[2:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert (
        done.stdout == quiet.stdout
    )  # byte for byte what the same declarations give without the prints


def _project(folder: Path, node_port: int, *, settings: bool = True) -> dict[Path, bytes]:
    """A project with a NodePort Service whose nodePort is locked; its files, as they are."""
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(
        "from svcgen import App, Container, Port, Service\n"
        + APP.replace('"web"', f'"{folder.name}"')
    )
    (folder / "svcgen.lock").write_text(
        f"version: 1\nnodePorts:\n  -/{folder.name}/http/TCP: {node_port}\n"
    )
    if settings:
        (folder / "pyproject.toml").write_text('[tool.svcgen]\nnode-port-range = "30000-32767"\n')
    return {p: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(
    "command",
    [
        ["render"],
        ["render", "--check"],
        ["lock", "check"],
        ["lock", "prune"],
        ["ports"],
        ["explain"],
    ],
)
def test_two_projects_in_one_run_are_refused_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """Each project has its own lock: p2's Service must not move from 30050, nor land in p1's
    lock."""
    from conftest import run_cli

    monkeypatch.chdir(tmp_path)
    before = {**_project(tmp_path / "p1", 30000), **_project(tmp_path / "p2", 30050)}
    result = run_cli(*command, "p1", "p2")
    verb = {
        "ports": "list them",
        "explain": "explain them",
        "prune": "prune them",
        "check": "check them",
    }.get(command[-1] if command[0] == "lock" else command[0], "render them")
    name = " ".join(command[:2] if command[0] == "lock" else command[:1])
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"svcgen {name}: error: the paths hold the declarations of 2 projects: p1 (the first "
        "path's: "
        f"its settings and lock), p2; {verb} one at a time (one lock, one nodePort space per run)\n"
    )
    assert {p: p.read_bytes() for p in [*tmp_path.glob("p1/*"), *tmp_path.glob("p2/*")]} == before
    assert run_cli("render", "p2").out.count("nodePort: 30050") == 1  # alone, each keeps its own


def test_a_folder_holding_several_projects_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``render examples/``: the nested svcgen.lock files make each example its own project."""
    import shutil

    from conftest import EXAMPLES, run_cli

    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    result = run_cli("render", "examples", "--check")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "svcgen render: error: the paths hold the declarations of 7 projects: examples (the first "
        "path's: its settings and lock), examples/argocd, examples/dns, examples/kustomize, "
        "examples/seed, examples/webshop, examples/workloads; render them one at a time (one lock, "
        "one nodePort space per run)\n"
    )
    for example in ("argocd", "dns", "kustomize", "platform", "seed", "webshop", "workloads"):
        assert run_cli("render", "--check", f"examples/{example}").code == 0


def test_a_project_nested_in_the_folder_given_is_refused(write_app: Writer, tmp_path: Path) -> None:
    write_app(APP, "svc/app.py")
    _project(tmp_path / "svc" / "team" / "billing", 30050, settings=False)
    with pytest.raises(
        UsageError,
        match=r"of 2 projects: svc \(the first path's: its settings and lock\), "
        r"svc/team/billing; render them one at a time",
    ):
        load_project(_args("svc"))
    assert (
        load_project(_args("svc/team/billing")).lock_path
        == (tmp_path / "svc/team/billing/svcgen.lock").resolve()
    )


def test_folders_and_files_of_one_project_are_one_project(
    write_app: Writer, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        write_app(APP.replace('"web"', f'"{name}"'), f"proj/services/{name}/app.py")
    (tmp_path / "proj" / "pyproject.toml").write_text("[tool.svcgen]\n")
    (tmp_path / "proj" / "services" / "b" / "pyproject.toml").write_text(
        "[project]\nname = 'b'\n"
    )  # a package
    for paths in (
        ["proj"],
        ["proj/services"],
        ["proj/services/a", "proj/services/b/app.py"],
        ["proj/services/b/app.py", "proj/services/a/app.py", "proj"],
    ):
        project = load_project(_args(*paths))
        assert project.lock_path == (tmp_path / "proj" / "svcgen.lock").resolve(), paths
        assert sorted(a.name for a in project.apps) == ["a", "b"]


def test_a_file_outside_the_first_paths_project_is_refused(write_app: Writer) -> None:
    """Without settings, the first path's folder is the project: another folder's file would use its
    lock."""
    write_app(APP, "a/app.py")
    write_app(APP.replace('"web"', '"other"'), "b/app.py")
    with pytest.raises(
        UsageError, match=r"of 2 projects: a \(the first path's: its settings and lock\), b;"
    ):
        load_project(_args("a/app.py", "b/app.py"))
    assert [a.name for a in load_project(_args(".")).apps] == [
        "web",
        "other",
    ]  # the folder above both: one


def test_with_lock_projects_that_only_have_a_lock_file_go_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--lock`` asks for one lock; a project with its own [tool.svcgen] would still lose its
    settings."""
    monkeypatch.chdir(tmp_path)
    _project(tmp_path / "p1", 30000, settings=False)
    _project(tmp_path / "p2", 30050, settings=False)
    project = load_project(_args("p1", "p2", lock="all.lock"))
    assert [a.name for a in project.apps] == ["p1", "p2"] and project.lock_path == Path("all.lock")
    _project(tmp_path / "p3", 30100)
    with pytest.raises(
        UsageError,
        match=r"of 2 projects: p1 \(the first path's: its settings and lock\), p3; "
        r"--lock takes projects together only when they have no \[tool.svcgen\] "
        r"settings of their own; render them one at a time",
    ):
        load_project(_args("p1", "p3", lock="all.lock"))


@pytest.mark.parametrize(
    "command", [["lock", "prune"], ["lock", "prune", "--check"], ["render"], ["lock", "check"]]
)
def test_another_projects_lock_given_as_lock_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """``lock prune p1 --lock p2/svcgen.lock`` would release every entry of p2, whose declarations
    it
    never ran."""
    from conftest import run_cli

    monkeypatch.chdir(tmp_path)
    before = {
        **_project(tmp_path / "p1", 30000, settings=False),
        **_project(tmp_path / "p2", 30050, settings=False),
    }
    result = run_cli(*command, "p1", "--lock", "p2/svcgen.lock")
    name = " ".join(command[:2] if command[0] == "lock" else command[:1])
    effect = {
        "lock prune": "release every entry in it that these paths do not declare",
        "lock check": "check these declarations against it",
    }.get(name, "allocate these declarations' nodePorts in it")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"svcgen {name}: error: --lock p2/svcgen.lock is the lock of the project p2, whose "
        f"declarations are not among the paths; this run would {effect}. Fix: give a lock file of "
        "this project, or p2's declarations too\n"
    )
    assert {p: p.read_bytes() for p in [*tmp_path.glob("p1/*"), *tmp_path.glob("p2/*")]} == before
    assert run_cli(*command, "p1", "p2", "--lock", "p2/svcgen.lock").code in (
        0,
        1,
    )  # both projects given: one lock
    assert (
        run_cli("render", "p1", "--lock", "new.lock").code == 0
    )  # a lock of no project: the user's choice
    (tmp_path / "locks").mkdir()
    (tmp_path / "locks" / "svcgen.lock").write_text("version: 1\nnodePorts: {}\n")
    assert (
        run_cli("render", "p1", "--lock", "locks/svcgen.lock").code == 0
    )  # nor a folder of locks alone


@pytest.mark.parametrize("command", [["render"], ["lock", "prune"]])
def test_a_walked_file_linked_from_another_project_is_that_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """p1/shared.py -> ../p2/app.py: p2's Service keeps 30050 in p2's lock, never moves into
    p1's."""
    from conftest import run_cli

    monkeypatch.chdir(tmp_path)
    before = {**_project(tmp_path / "p1", 30000), **_project(tmp_path / "p2", 30050)}
    (tmp_path / "p1" / "more").mkdir()
    (tmp_path / "p1" / "more" / "shared.py").symlink_to("../../p2/app.py")
    result = run_cli(*command, "p1")
    assert (result.code, result.out) == (2, "")
    assert (
        "the paths hold the declarations of 2 projects: p1 (the first path's: its settings and "
        "lock), p2;" in result.err
    )
    assert {p: p.read_bytes() for p in [*tmp_path.glob("p1/*.*"), *tmp_path.glob("p2/*")]} == before
    (tmp_path / "p1" / "more" / "shared.py").unlink()
    (tmp_path / "p1" / "more" / "same.py").symlink_to(
        "../app.py"
    )  # a link within the project: one project
    assert run_cli(*command, "p1").code == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "closes",
    [
        "sys.stdout.close()",
        "sys.__stdout__.close()",
        "sys.stderr.close()",
        "sys.__stderr__.close()",
        "os.close(1)",
        "os.close(2)",
        "sys.stdout = sys.__stdout__ = None",
    ],
)
def test_a_declaration_file_cannot_close_svcgens_streams(
    write_app: Writer, tmp_path: Path, closes: str
) -> None:
    """A file that closes or replaces standard output or error closes its own copy: manifests and
    messages come."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    write_app(f"import os, sys\n{closes}\n" + APP)
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert (done.returncode, done.stderr) == (0, "svcgen.lock: 1 new nodePort:\n  web/http 30000\n")
    assert (
        done.stdout.startswith("apiVersion: v1\nkind: Service\n")
        and "nodePort: 30000\n" in done.stdout
    )
