"""The project of a render-like command: settings resolved once, the Apps, the reserved nodePorts."""

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
CLUSTER = "kind: Service\nmetadata: {name: other, namespace: x}\nspec:\n  ports: [{port: 80, nodePort: 20000}]\n"


def _args(*paths: str, **flags: object) -> argparse.Namespace:
    values: dict[str, object] = {"lock": None, "node_port_range": None, "reserve": [], "with_workloads": False}
    return argparse.Namespace(paths=list(paths), **{**values, **flags})


def test_the_project_uses_the_table_and_renders_with_it(write_app: Writer, tmp_path: Path) -> None:
    write_app(APP)
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen]\nnode-port-range = "20000-20999"\n'
                                             'reserve = ["cluster.yaml"]\n')
    project = load_project(_args("app.py"))
    assert project.settings.node_port_range == NodePortRange(20000, 20999)
    assert [(r.node_port, r.service, r.origin) for r in project.reservations] == [(20000, "other", "cluster.yaml")]
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
app = App("a", labels={"app": "a"}, containers=[c], services=[Service("s", ports=[c.port("http").expose()])])
"""
PRINTS = """
import os, subprocess, sys
print("print")
sys.stdout.write("sys.stdout\\n")
sys.__stdout__.write("sys.__stdout__\\n")
os.write(1, b"descriptor 1\\n")
subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
""" + DECLARATIONS


@pytest.mark.slow
@pytest.mark.parametrize("command", [["render", "app.py"], ["render", "app.py", "--format", "json"],
                                     ["ports", "app.py", "--format", "json"], ["explain", "app.py"]])
def test_nothing_a_declaration_file_writes_reaches_standard_output(write_app: Writer, tmp_path: Path,
                                                                  command: list[str]) -> None:
    """``svcgen render . | kubectl apply -f -``: stdout holds the manifests and nothing else, at every level."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    write_app(PRINTS)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "svcgen", *command], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "print\nsys.stdout\nsys.__stdout__\ndescriptor 1\na child process\n"
    write_app(DECLARATIONS, "quiet.py")
    quiet = subprocess.run([sys.executable, "-m", "svcgen", command[0], "quiet.py", *command[2:]], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=60)
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert done.stdout == quiet.stdout  # byte for byte what the same declarations give without the prints
