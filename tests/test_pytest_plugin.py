"""svcgen's pytest plugin, run as users run it: whole pytest sessions (pytester) over a project of
their own.

The inner sessions load the plugin through its ``pytest11`` entry point (as any installed svcgen
does), never through ``-p``; the project lives in a subfolder, and pytest runs from its parent,
so every path the plugin reads is the test file's, not the working directory's.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

import svcgen

pytest_plugins = ["pytester"]

# pytester drops from sys.modules every module a test imported: all of svcgen is imported first,
# so that no later test gets a second copy of a module (and of its classes: `svcgen.App` keeps
# the first one).
for _module in pkgutil.walk_packages(svcgen.__path__, "svcgen."):
    if _module.name != "svcgen.__main__":
        importlib.import_module(_module.name)
# The same for what svcgen imports on first use only (ruamel.yaml: reading, and writing what
# fastyaml does not): a second copy of its event classes would no longer match the first.
importlib.import_module("svcgen.kube.yamlread").load_documents("a: [1, &x b, *x]\n")
importlib.import_module("svcgen.kube.yamlwrite").to_yaml([{"a": "it's"}])

APP = """\
from svcgen import App, Container, Port, Service

web = Container("web", image="web:1", ports=[Port("http", 8080), Port("admin", 9000)])
app = App("web", labels={"app": "web"}, containers=[web], services=[
    Service("web", type="NodePort",
            ports=[web.port("http").expose(80), web.port("admin").expose(90PIN)]),
])
"""

CHECKS = """\
def test_app(svcgen_project):
    rendered = svcgen_project.render("app.py")
    svcgen_project.assert_locked(rendered)
    svcgen_project.assert_lint_clean(rendered)
    svcgen_project.assert_matches_snapshot(rendered, "expected.yaml")
"""

UPDATE = "--svcgen-update-snapshots"


def project(
    pytester: pytest.Pytester, test: str = CHECKS, *, pin: str = "", rendered: bool = True
) -> Path:
    """``svc/``: app.py, its test and, when ``rendered``, the lock and expected.yaml that `svcgen
    render` writes."""
    folder = pytester.path / "svc"
    folder.mkdir()
    (folder / "app.py").write_text(APP.replace("PIN", pin))
    (folder / "test_app.py").write_text(textwrap.dedent(test))
    if rendered:
        result = run_cli("render", "svc/app.py")
        assert result.code == 0, result.err
        (folder / "expected.yaml").write_text(result.out)
    return folder


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in-process on the project, without hypothesis's plugin (its summary alone takes a
    second
    here)."""
    return pytester.runpytest(*args, "-p", "no:hypothesispytest")


def test_the_plugin_is_registered_through_its_entry_point() -> None:
    (entry,) = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "svcgen"]
    assert entry.value == "svcgen.pytest_plugin"


def test_a_current_project_passes(pytester: pytest.Pytester) -> None:
    """A snapshot is exactly what `svcgen render` prints; the lock `svcgen render` wrote is
    current."""
    folder = project(pytester)
    lock = (folder / "svcgen.lock").read_bytes()
    result = run(pytester, "svc")
    result.assert_outcomes(passed=1)
    assert (folder / "svcgen.lock").read_bytes() == lock
    assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == [
        "app.py",
        "expected.yaml",
        "svcgen.lock",
        "test_app.py",
    ]  # nothing written


def test_without_the_plugin_there_is_no_fixture(pytester: pytest.Pytester) -> None:
    project(pytester)
    result = run(pytester, "svc", "-p", "no:svcgen")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'svcgen_project' not found*"])


def test_a_snapshot_that_differs_fails_with_a_diff(pytester: pytest.Pytester) -> None:
    folder = project(pytester)
    snapshot = folder / "expected.yaml"
    snapshot.write_text(snapshot.read_text().replace("port: 90\n", "port: 91\n"))
    before = snapshot.read_bytes()
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svc/expected.yaml: the render of svc/app.py differs from the snapshot (-: the "
            "snapshot, +: the render):",
            "E * --- a/svc/expected.yaml",
            "E * +++ b/svc/expected.yaml",
            "E * @@ -14,6 +14,6 @@",
            "E * -    port: 91",
            "E * +    port: 90",
            "E * Fix: if the change is what you meant, run `pytest --svcgen-update-snapshots` and "
            "commit svc/expected.yaml",
        ]
    )
    assert snapshot.read_bytes() == before


def test_the_update_flag_rewrites_the_snapshots_that_differ(pytester: pytest.Pytester) -> None:
    folder = project(pytester)
    snapshot = folder / "expected.yaml"
    expected = snapshot.read_bytes()
    snapshot.write_text("stale\n")
    result = run(pytester, "svc", UPDATE)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*- svcgen -*", "svcgen: rewrote the snapshot svc/expected.yaml"])
    assert snapshot.read_bytes() == expected
    # A snapshot that matches is left alone (not even replaced by the same bytes), and not listed.
    inode = snapshot.stat().st_ino
    again = run(pytester, "svc", UPDATE)
    again.assert_outcomes(passed=1)
    assert "rewrote" not in again.stdout.str()
    assert snapshot.stat().st_ino == inode
    run(pytester, "svc").assert_outcomes(passed=1)


def test_a_missing_snapshot_fails_until_the_flag_writes_it(pytester: pytest.Pytester) -> None:
    folder = project(pytester)
    expected = (folder / "expected.yaml").read_text()
    (folder / "expected.yaml").unlink()
    test = folder / "test_app.py"
    test.write_text(test.read_text().replace('"expected.yaml"', '"snapshots/web.yaml"'))
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svc/snapshots/web.yaml: no such snapshot. Fix: run `pytest "
            "--svcgen-update-snapshots` to write it from the render of svc/app.py, review it "
            "and commit it"
        ]
    )
    assert not (folder / "snapshots").exists()
    run(pytester, "svc", UPDATE).assert_outcomes(passed=1)
    assert (folder / "snapshots" / "web.yaml").read_text() == expected


def test_a_snapshot_that_is_not_a_file_is_said_and_never_replaced(
    pytester: pytest.Pytester,
) -> None:
    folder = project(pytester)
    (folder / "expected.yaml").unlink()
    (folder / "expected.yaml").mkdir()
    for args in ((), (UPDATE,)):
        result = run(pytester, "svc", *args)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["E * svc/expected.yaml: cannot read the snapshot: a directory, not a regular *"]
        )
    assert (folder / "expected.yaml").is_dir()


def test_a_lock_that_is_not_current_names_each_new_nodeport(pytester: pytest.Pytester) -> None:
    folder = project(pytester)
    (folder / "svcgen.lock").unlink()
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svc/svcgen.lock is not current: the render of svc/app.py would allocate 2 new "
            "nodePorts:",
            'E *   svc/app.py:6: Service "web" port "admin" (web/admin): new nodePort 30000',
            'E *   svc/app.py:6: Service "web" port "http" (web/http): new nodePort 30001',
            "E * Fix: run `svcgen render svc/app.py` (it records them in svc/svcgen.lock), then "
            "commit svc/svcgen.lock",
        ]
    )
    assert not (folder / "svcgen.lock").exists()  # nothing written


def test_a_pin_that_moves_a_locked_nodeport_is_not_current(pytester: pytest.Pytester) -> None:
    folder = project(pytester)
    (folder / "app.py").write_text(APP.replace("PIN", ", node_port=30500"))
    lock = (folder / "svcgen.lock").read_bytes()
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svc/svcgen.lock is not current: the render of svc/app.py would change 1 locked "
            "nodePort:",
            'E *   svc/app.py:6: Service "web" port "admin" (web/admin): nodePort 30000 -> 30500',
        ]
    )
    assert (folder / "svcgen.lock").read_bytes() == lock


def test_lint_problems_with_the_projects_other_manifests(pytester: pytest.Pytester) -> None:
    """The render, linted with the Deployment written by hand: its pods do not carry the App's
    labels."""
    folder = project(
        pytester,
        """\
        def test_lint(svcgen_project):
            rendered = svcgen_project.render("app.py")
            assert svcgen_project.lint(rendered) == []
            assert [p.rule for p in svcgen_project.lint(rendered, "deploy")] == ["selector"]
            svcgen_project.assert_lint_clean(rendered, "deploy")
        """,
    )
    (folder / "deploy").mkdir()
    (folder / "deploy" / "web.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web-v2}}
          template:
            metadata: {labels: {app: web-v2}}
            spec:
              containers:
              - name: web
                image: web:1
                ports: [{name: http, containerPort: 8080}, {name: admin, containerPort: 9000}]
        """)
    )
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svcgen lint finds 1 problem in the render of svc/app.py with deploy:",
            "E *   <render of svc/app.py>:7:3: warning: Service/web: spec.selector: selects no "
            "Pod or workload in these *",
        ]
    )
    # The pods get the App's labels: clean.
    (folder / "deploy" / "web.yaml").write_text(
        (folder / "deploy" / "web.yaml").read_text().replace("web-v2", "web")
    )
    test = folder / "test_app.py"
    test.write_text(test.read_text().replace('== ["selector"]', "== []"))
    run(pytester, "svc").assert_outcomes(passed=1)


def test_apps_given_directly_use_the_settings_of_the_tests_folder(
    pytester: pytest.Pytester,
) -> None:
    folder = project(
        pytester,
        """\
        import runpy
        from pathlib import Path

        def test_apps(svcgen_project):
            app = runpy.run_path(str(Path(__file__).parent / "app.py"))["app"]
            rendered = svcgen_project.render([app])
            assert [p["nodePort"] for p in rendered.manifests[0]["spec"]["ports"]] == [20001, 20000]
            assert rendered.settings.lock == Path(__file__).parent / "ports.lock"
            svcgen_project.assert_locked(rendered)
        """,
        rendered=False,
    )
    (folder / "pyproject.toml").write_text(
        '[tool.svcgen]\nnode-port-range = "20000-22767"\nlock = "ports.lock"\n'
    )
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * svc/ports.lock is not current: the render of the Apps given would allocate 2 *",
            "E * Fix: run `svcgen render` on the files that declare the Apps *",
        ]
    )
    assert run_cli("render", "svc").code == 0
    run(pytester, "svc").assert_outcomes(passed=1)


def test_a_test_asks_neither_the_cluster_nor_the_registry(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reserve-cluster and registry are for `svcgen render`; a test reads the project's files
    only."""
    folder = project(pytester)
    (folder / "pyproject.toml").write_text(
        '[tool.svcgen]\nreserve-cluster = "prod"\nowner = "svc"\n'
        'registry = "file:///nonexistent/ports.git#prod.lock"\n'
    )
    bin_dir = pytester.path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kubectl").write_text(f"#!/bin/sh\ntouch {pytester.path / 'kubectl-ran'}\nexit 1\n")
    (bin_dir / "kubectl").chmod(0o755)
    (bin_dir / "git").write_text(f"#!/bin/sh\ntouch {pytester.path / 'git-ran'}\nexit 1\n")
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    run(pytester, "svc").assert_outcomes(passed=1)
    assert not (pytester.path / "kubectl-ran").exists() and not (pytester.path / "git-ran").exists()
    # Where svcgen render asks them (and fails here): the registry, then, without one, the cluster.
    assert run_cli("render", "svc", "--check").code == 2 and (pytester.path / "git-ran").exists()
    (folder / "pyproject.toml").write_text('[tool.svcgen]\nreserve-cluster = "prod"\n')
    assert (
        run_cli("render", "svc", "--check").code != 0 and (pytester.path / "kubectl-ran").exists()
    )


def test_a_declaration_error_fails_the_test_at_the_users_line(pytester: pytest.Pytester) -> None:
    """svcgen's message, as the command line shows it: no trace through svcgen's code."""
    folder = project(pytester, rendered=False)
    (folder / "app.py").write_text(
        APP.replace("PIN", "").replace('Port("admin", 9000)', 'Port("admin", 70000)')
    )
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       rendered = svcgen_project.render("app.py")',
            "E       svcgen.errors.DeclarationError: svc/app.py:3: error: *70000*must be between "
            "1 and 65535*",
        ]
    )
    assert "svcgen/" not in result.stdout.str()
    # The declaration can be tested for its refusal, too.
    (folder / "test_app.py").write_text(
        textwrap.dedent("""\
        import pytest
        import svcgen

        def test_refused(svcgen_project):
            with pytest.raises(svcgen.DeclarationError, match="70000"):
                svcgen_project.render("app.py")
        """)
    )
    run(pytester, "svc").assert_outcomes(passed=1)


def test_an_exception_in_the_users_file_shows_the_users_trace(pytester: pytest.Pytester) -> None:
    folder = project(pytester, rendered=False)
    (folder / "app.py").write_text('def helper():\n    raise RuntimeError("boom")\n\nhelper()\n')
    result = run(pytester, "svc")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">   helper()",
            "svc/app.py:4: ",
            "*",
            '>       raise RuntimeError("boom")',
            "E       RuntimeError: boom",
            "svc/app.py:2: RuntimeError",
            "",
            "The above exception was the direct cause of the following exception:",
            "*",
            "E       svcgen.dsl.loader.UserCodeError: svc/app.py:2: error: running * failed: "
            "RuntimeError: boom",
        ]
    )
    assert "svcgen/" not in result.stdout.str()


def test_importing_the_plugin_loads_nothing_of_svcgens() -> None:
    """pytest imports every installed plugin in every project: it must not load the DSL (pydantic)
    or
    YAML."""
    code = (
        "import sys, svcgen.pytest_plugin\nprint(sorted(m for m in sys.modules if m.split('.')[0] "
        "in ('svcgen', 'pydantic', 'ruamel', 'jinja2')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['svcgen', 'svcgen.pytest_plugin', 'svcgen.version']"


def test_the_scaffolded_test_passes_and_catches_a_stale_lock(pytester: pytest.Pytester) -> None:
    """`svcgen new`'s test_app.py, in a project with its own lock path and nodePort range."""
    (pytester.path / "pyproject.toml").write_text(
        '[tool.svcgen]\nlock = "deploy/ports.lock"\nnode-port-range = "20000-22767"\n'
    )
    assert run_cli("new", "billing", "--port", "http:5000:8080", "--type", "NodePort").code == 0
    run(pytester, "billing").assert_outcomes(passed=1)
    lock = pytester.path / "deploy" / "ports.lock"
    kept = lock.read_bytes()
    lock.unlink()
    stale = run(pytester, "billing")
    stale.assert_outcomes(failed=1)
    stale.stdout.fnmatch_lines(
        [
            "E * deploy/ports.lock is not current: the render of billing/app.py would allocate 1 "
            "new nodePort:",
            'E *   billing/app.py:*: Service "billing" port "http" (billing/http): new nodePort '
            "20000",
        ]
    )
    lock.write_bytes(kept)
    # The snapshot line its comment offers, taken up as the comment says.
    test = pytester.path / "billing" / "test_app.py"
    line = '    # svcgen_project.assert_matches_snapshot(rendered, "expected.yaml")\n'
    assert line in test.read_text()
    test.write_text(test.read_text().replace(line, line.replace("# ", "", 1)))
    run(pytester, "billing").assert_outcomes(failed=1)
    run(pytester, "billing", UPDATE).assert_outcomes(passed=1)
    assert (pytester.path / "billing" / "expected.yaml").read_text() == run_cli(
        "render", "billing"
    ).out
    run(pytester, "billing").assert_outcomes(passed=1)


def test_svcgen_render_stays_the_function_after_the_plugin_rendered(
    pytester: pytest.Pytester,
) -> None:
    """The plugin imports the module svcgen.render; a later test's `svcgen.render(app)` still calls
    the
    function."""
    project(
        pytester,
        """\
        import runpy
        from pathlib import Path

        import svcgen

        def test_plugin(svcgen_project):
            svcgen_project.assert_locked(svcgen_project.render("app.py"))

        def test_library():
            app = runpy.run_path(str(Path(__file__).parent / "app.py"))["app"]
            assert "kind: Service" in svcgen.render(app).yaml
        """,
    )
    run(pytester, "svc").assert_outcomes(passed=2)
    code = (
        "import svcgen.render, svcgen; from svcgen import render; print(svcgen.render is "
        "render, callable(render))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True"]
