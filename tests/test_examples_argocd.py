"""examples/argocd: the config management plugin's own command line renders the example, writing
nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, run_cli
from ruamel.yaml import YAML

EXAMPLE = EXAMPLES / "argocd"


def _load(name: str) -> Any:
    return YAML(typ="safe").load((EXAMPLE / name).read_text())


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_plugin_is_a_config_management_plugin_that_finds_the_example() -> None:
    plugin = _load("plugin.yaml")
    assert (plugin["apiVersion"], plugin["kind"]) == (
        "argoproj.io/v1alpha1",
        "ConfigManagementPlugin",
    )
    assert (EXAMPLE / plugin["spec"]["discover"]["fileName"]).is_file()
    # the Application names the plugin (a sidecar plugin without a version is called by its name)
    application = _load("application.yaml")
    assert application["spec"]["source"]["plugin"]["name"] == plugin["metadata"]["name"]
    assert "version" not in plugin["spec"]
    # the sidecar runs Argo CD's cmp-server with plugin.yaml where it looks for it
    (container,) = _load("sidecar.yaml")["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert {
        "mountPath": "/home/argocd/cmp-server/config/plugin.yaml",
        "name": "svcgen-plugin",
        "subPath": "plugin.yaml",
    } in container["volumeMounts"]


@pytest.mark.slow
def test_the_plugins_generate_command_renders_the_example(example: Callable[[str], Path]) -> None:
    """Run spec.generate as Argo CD does (command + args, in the Application's folder): the app's
    manifests."""
    copy = example("argocd")
    before = _files(copy)
    generate = _load("plugin.yaml")["spec"]["generate"]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        [*generate["command"], *generate.get("args", [])],
        cwd=copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (EXAMPLE / "generated.yaml").read_text()
    assert _files(copy) == before  # nothing written in the checkout
    # the same as svcgen render --with-workloads, the command a developer runs
    rendered = run_cli("render", "--with-workloads", "--locked", str(copy / "app.py"))
    assert (rendered.code, rendered.out) == (0, done.stdout)


@pytest.mark.slow
def test_the_plugin_fails_the_sync_on_a_lock_that_is_not_current(
    example: Callable[[str], Path],
) -> None:
    copy = example("argocd")
    (copy / "svcgen.lock").unlink()
    generate = _load("plugin.yaml")["spec"]["generate"]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        [*generate["command"], *generate.get("args", [])],
        cwd=copy,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(
        "error: svcgen.lock: 1 new nodePort: orders/orders-admin/admin 30000; a generator "
        "writes no file"
    )
    assert "run `svcgen render app.py` once" in done.stderr
    assert not (copy / "svcgen.lock").exists()


def test_what_the_plugin_gives_argo_cd_lints_clean() -> None:
    result = run_cli("lint", str(EXAMPLE / "generated.yaml"))
    assert result.code == 0, result.out + result.err
    assert "0 errors, 0 warnings" in result.err
