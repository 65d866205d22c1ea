"""The command line, run in-process: output, exit codes, messages, nothing written on error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, CliResult, marked_lines, run_cli

from svcgen import __version__
from svcgen.errors import UsageError

Writer = Callable[..., Path]

BAD = """
api = Container("api", ports=[Port("http", 8080)])
app = App("web", labels={"app": "web"}, containers=[api], services=[
    Service("Web", ports=[api.port("http").expose()]),  # <-
])
"""


def test_render_prints_the_seed_service(example: Callable[[str], Path]) -> None:
    seed = example("seed")
    result = run_cli("render", str(seed / "app.py"))
    assert result.code == 0 and result.err == ""
    assert result.out == (EXAMPLES / "seed" / "expected.yaml").read_text()


def test_errors_name_file_line_field_rule_and_fix(write_app: Writer) -> None:
    write_app(BAD)
    result = run_cli("render", "app.py")
    (line,) = marked_lines(BAD)
    assert result.code == 1 and result.out == ""
    first, summary = result.err.splitlines()
    assert first.startswith(
        f'app.py:{line}: error: Service "Web": metadata.name: Invalid value: "Web": '
        "a DNS-1035 label must consist of"
    )  # portable by default: 1.35's rule
    assert "Fix: " in first
    assert summary == "svcgen: 1 error found; nothing was written."
    assert "Traceback" not in result.err


def test_nothing_is_written_on_error(write_app: Writer, tmp_path: Path) -> None:
    write_app(BAD)
    out = tmp_path / "out.yaml"
    out.write_text("previous\n")
    assert run_cli("render", "app.py", "-o", str(out)).code == 1
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "out.yaml"]


def test_output_file_is_written(tmp_path: Path, example: Callable[[str], Path]) -> None:
    out = tmp_path / "out.yaml"
    seed = example("seed")
    result = run_cli("render", str(seed / "app.py"), "-o", str(out))
    assert result.code == 0 and result.out == ""
    lock = os.path.relpath(seed / "svcgen.lock", tmp_path)
    header = (
        f"# Written by svcgen render (project lock: {lock}): do not edit; render again instead.\n"
    )
    assert out.read_text() == header + (EXAMPLES / "seed" / "expected.yaml").read_text()


def test_unwritable_output_is_a_usage_error(tmp_path: Path, example: Callable[[str], Path]) -> None:
    (tmp_path / "a-file").write_text("")
    result = run_cli(
        "render", str(example("seed") / "app.py"), "-o", str(tmp_path / "a-file" / "out.yaml")
    )
    assert result.code == 2 and "a-file: error: cannot create" in result.err


def test_user_exception_without_and_with_debug(write_app: Writer) -> None:
    write_app("x = 1\nraise ValueError('boom')\n")
    result = run_cli("render", "app.py")
    assert result.code == 1
    assert result.err.splitlines()[0] == "app.py:3: error: running app.py failed: ValueError: boom"
    assert "Traceback" not in result.err
    debug = run_cli("render", "--debug", "app.py")
    assert debug.code == 1 and "Traceback" in debug.err


def test_syntax_error(write_app: Writer) -> None:
    write_app("x = (\n")
    result = run_cli("render", "app.py")
    assert result.code == 1 and result.err.startswith(
        "app.py:2: error: running app.py failed: SyntaxError"
    )


def test_type_errors_point_at_the_line(write_app: Writer) -> None:
    write_app('api = Container("api", ports=[Port("http", "8080")])\n')
    result = run_cli("render", "app.py")
    assert result.code == 1
    assert result.err.startswith(
        "app.py:2: error: port \"http\": number: expected a whole number, got str '8080'."
    )


def test_missing_file_is_exit_2() -> None:
    result = run_cli("render", "does-not-exist.py")
    assert (
        result.code == 2 and result.err == "does-not-exist.py: error: no such file or directory\n"
    )


def test_bad_node_port_range_is_exit_2() -> None:
    result = run_cli("render", "--node-port-range", "30000", "x.py")
    assert result.code == 2 and "invalid nodePort range" in result.err


def test_node_port_range_flag(write_app: Writer) -> None:
    write_app("""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", type="NodePort", ports=[api.port("http").expose(node_port=20080)])])
    """)
    assert run_cli("render", "app.py").code == 1
    result = run_cli("render", "app.py", "--node-port-range", "20000-22767")
    assert result.code == 0 and "nodePort: 20080" in result.out


def test_warnings_go_to_stderr_and_render_goes_on(write_app: Writer) -> None:
    write_app("""
        a = Container("a", ports=[Port("http", 8080)])
        b = Container("b", ports=[Port("alt", 8080)])
        app = App("web", labels={"app": "web"}, containers=[a, b], services=[
            Service("web", ports=[a.port("http").expose()])])
    """)
    result = run_cli("render", "app.py")
    assert result.code == 0 and "warning: " in result.err and "kind: Service" in result.out


def test_version_and_help() -> None:
    version = run_cli("--version")
    assert (version.code, version.out) == (0, f"svcgen {__version__}\n")
    helped = run_cli("render", "--help")
    assert helped.code == 0 and "FILE_OR_DIR" in helped.out and "Exit codes" in helped.out
    bare = run_cli()
    assert bare.code == 0 and bare.out.startswith("usage: svcgen") and "render" in bare.out


def test_with_workloads_flag(write_app: Writer) -> None:
    write_app("""
        api = Container("api", image="api:1", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(80)])])
    """)
    plain = run_cli("render", "app.py")
    assert "kind: Deployment" not in plain.out and "targetPort: 8080" in plain.out
    with_workloads = run_cli("render", "app.py", "--with-workloads")
    assert "kind: Deployment" in with_workloads.out and "targetPort: http" in with_workloads.out


def test_hostile_names_stay_on_one_line(write_app: Writer) -> None:
    write_app('app = App("a\\nb\\rc", labels={"k\\n": "v\\x00"})\n')
    result = run_cli("render", "app.py")
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 4 and all(
        line.startswith(("app.py:2: error: ", "svcgen: ")) for line in lines
    )
    assert 'App "a\\nb\\rc"' in lines[0]


def test_a_reader_that_stops_early_ends_the_output_quietly(
    write_app: Writer, tmp_path: Path
) -> None:
    write_app("""
        c = Container("c", ports=[Port("http", 80)])
        apps = [App(f"a{i}", labels={"app": f"a{i}"}, containers=[c],
                    services=[Service(f"s{i}", ports=[c.port("http").expose()])])
                for i in range(50)]
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "svcgen", "render", "app.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| true`: gone before Python has even started
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b""


@pytest.mark.parametrize(
    ("module", "function", "argv", "paused"),
    [
        (
            "render",
            "cmd_render",
            ["render", "app.py"],
            True,
        ),  # many small declarations: no collector passes
        (
            "lint",
            "cmd_lint",
            ["lint", "x.yaml"],
            False,
        ),  # a parser's cycle per file: collected as it goes
        ("importer", "cmd_import", ["import", "x.yaml"], False),
    ],
)
def test_the_cyclic_collector_is_paused_for_declarations_and_restored_after(
    module: str, function: str, argv: list[str], paused: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import importlib

    seen: list[bool] = []

    def command(*args: object) -> int:
        seen.append(gc.isenabled())
        raise UsageError("stop here")

    monkeypatch.setattr(importlib.import_module(f"svcgen.cli.{module}"), function, command)
    assert gc.isenabled()
    result = run_cli(*argv)
    assert (seen, result.code, gc.isenabled()) == (
        [not paused],
        2,
        True,
    )  # restored on the error's way out too


def test_the_process_ends_with_its_output_whole_its_code_and_its_exit_handlers_run(
    write_app: Writer, tmp_path: Path
) -> None:
    """svcgen skips the interpreter's teardown at exit, nothing else: output, exit code, atexit
    handlers."""
    write_app("""
        import atexit, pathlib
        atexit.register(lambda: pathlib.Path("handler-ran").write_text("yes"))
        c = Container("c", ports=[Port("http", 80)])
        apps = [App(f"a{i}", labels={"app": f"a{i}"}, containers=[c],
                    services=[Service(f"s{i}", ports=[c.port("http").expose()])])
                for i in range(2000)]
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    last = (
        "    app: a1999\n  ports:\n  - name: http\n    protocol: TCP\n    port: 80\n    "
        "targetPort: 80\n"
    )
    assert done.stdout.count("kind: Service\n") == 2000 and done.stdout.endswith(
        last
    )  # every byte, flushed
    assert (tmp_path / "handler-ran").read_text() == "yes"
    failed = subprocess.run(
        [sys.executable, "-m", "svcgen", "lint", "missing.yaml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 2 and failed.stderr.endswith("in 0 files.\n")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_what_a_declaration_file_prints_at_exit_is_not_output(
    write_app: Writer, tmp_path: Path, fmt: str
) -> None:
    """An ``atexit`` handler of a declaration file runs after the manifests: it prints to stderr,
    never
    after them."""
    import json

    write_app("""
        import atexit, os, sys
        atexit.register(lambda: (print("print at exit"), sys.stdout.flush(),
                                 os.write(1, b"fd 1 at exit\\n")))
        c = Container("c", ports=[Port("http", 80)])
        app = App("a", labels={"app": "a"}, containers=[c],
                  services=[Service("s", ports=[c.port("http").expose()])])
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py", "--format", fmt],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "print at exit\nfd 1 at exit\n")
    if fmt == "json":
        assert json.loads(done.stdout)["items"][0]["metadata"]["name"] == "s"
    else:
        assert done.stdout.endswith("    port: 80\n    targetPort: 80\n")


@pytest.mark.parametrize("debug", [False, True])
def test_ctrl_c_is_one_line_and_exit_130(write_app: Writer, debug: bool) -> None:
    write_app("""
        raise KeyboardInterrupt
    """)
    result = run_cli("render", "app.py", *(["--debug"] if debug else []))
    assert (result.code, result.out) == (130, "")
    assert (
        result.err == "svcgen: interrupted\n"
        if not debug
        else (
            result.err.startswith("svcgen: interrupted\nTraceback")
            and "KeyboardInterrupt" in result.err
        )
    )


def test_ctrl_c_while_the_command_line_is_read_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    main_module = importlib.import_module("svcgen.cli.main")

    def interrupted(*args: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, "_parse", interrupted)
    assert run_cli("lint", "x.yaml") == CliResult(130, "", "svcgen: interrupted\n")


@pytest.mark.slow
def test_sigint_while_a_declaration_file_runs_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    """A real Ctrl-C (SIGINT to the process) in the middle of a render: exit 130, one line, nothing
    written."""
    import shutil
    import signal
    import time

    project = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", project, ignore=shutil.ignore_patterns("__pycache__"))
    source = (project / "app.py").read_text()
    (project / "app.py").write_text(
        source + "\nimport pathlib, time\npathlib.Path('started').write_text('')\ntime.sleep(60)\n"
    )
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "svcgen", "render", "seed", "-o", "seed/out.yaml"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while (
        not (tmp_path / "started").exists() and proc.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, b"", b"svcgen: interrupted\n")
    assert {
        p.name: p.read_bytes() for p in project.iterdir()
    } == before  # no lock change, no out.yaml, no .tmp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed", "started"]


def test_every_message_shows_control_characters_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path with a terminal escape sequence, in whatever message names it, never reaches the
    terminal
    raw."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "a\x1b[2Jb"
    folder.mkdir()
    (folder / "app.py").write_text("raise RuntimeError('x')\n")
    for argv, line in [
        (["render", "gone\x1b[31m.py"], "gone\\x1b[31m.py: error: no such file or directory\n"),
        (
            ["render", "a\x1b[2Jb"],
            "a\\x1b[2Jb/app.py:1: error: running a\\x1b[2Jb/app.py failed: RuntimeError: x\n",
        ),
    ]:
        result = run_cli(*argv)
        assert result.code != 0 and "\x1b" not in result.err
        assert result.err.startswith(line), result.err


def test_paths_in_messages_are_relative_to_the_working_directory_when_under_it_else_absolute(
    write_app: Writer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However a path was given (absolute, ./, ../), every command shows it the one way."""
    write_app(BAD.replace('"Web"', '"web"').replace("expose()", "expose(80)"), "svc/app.py")
    bad = tmp_path / "svc" / "bad.py"
    bad.write_text((tmp_path / "svc" / "app.py").read_text().replace('"web"', '"Web"', 1))
    manifest = "apiVersion: v1\nkind: Service\nmetadata: {name: X}\nspec: {ports: [{port: 80}]}\n"
    (tmp_path / "svc" / "x.yaml").write_text(manifest)
    svc = tmp_path / "svc"
    assert run_cli("lint", str(svc / "x.yaml")).out.startswith("svc/x.yaml:3:12: error:")
    assert run_cli("lint", "./svc/../svc/x.yaml").out.startswith("svc/x.yaml:3:12: error:")
    assert run_cli("render", str(bad)).err.startswith("svc/bad.py:")
    (svc / "out").mkdir()
    (svc / "out" / "kustomization.yaml").write_text("mine\n")
    refused = run_cli("render", str(svc / "app.py"), "-o", str(svc / "out"))
    assert refused.code == 2 and refused.err.startswith(
        "svc/out/kustomization.yaml: error: svcgen did not write"
    )
    assert run_cli("render", str(svc / "app.py"), "-o", str(svc / "out"), "--force").code == 0
    (svc / "app.py").write_text((svc / "app.py").read_text().replace("expose(80)", "expose(81)"))
    check = run_cli("render", str(svc / "app.py"), "-o", str(svc / "out"), "--check")
    assert "--- a/svc/out/service_web.yaml\n+++ b/svc/out/service_web.yaml\n" in check.out
    imported = run_cli(
        "import", str(svc / "x.yaml").replace("X", "x"), "--dir", str(tmp_path / "adopted")
    )
    assert imported.err.startswith("svc/x.yaml:3:12: error:")  # lint runs first
    (svc / "x.yaml").write_text(
        manifest.replace("X", "x").replace("spec: {", "spec: {selector: {app: x}, ")
    )
    imported = run_cli("import", str(svc / "x.yaml"), "--dir", str(tmp_path / "adopted"))
    assert imported.code == 0 and "svcgen: wrote adopted/app.py\n" in imported.err
    new = run_cli("new", "shop", "--port", "http:8080", "--dir", str(tmp_path / "shop"))
    assert new.err.splitlines()[0] == "svcgen: wrote shop/app.py"
    monkeypatch.chdir(svc / "out")  # outside the working directory: absolute
    assert run_cli("lint", "../x.yaml").err == "svcgen lint: 0 errors, 0 warnings in 1 file.\n"
    assert run_cli("render", "../bad.py").err.startswith(f"{bad}:")
    assert (
        run_cli("lint", "../nothing.yaml").out
        == f"{svc / 'nothing.yaml'}: error: no such file or directory.\n"
    )
