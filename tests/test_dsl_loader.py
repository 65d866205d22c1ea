"""Finding Apps in Python files and directories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import marked_lines, run_cli

from svcgen import DeclarationError
from svcgen.dsl.loader import LoadError, UserCodeError, discover_files, load_apps

Writer = Callable[..., Path]

ONE = """
api = Container("api", ports=[Port("http", 80)])
app = App("{name}", labels={{"app": "{name}"}}, containers=[api],
          services=[Service("{name}", ports=[api.port("http").expose()])])
"""


def test_apps_from_lists_and_in_order(write_app: Writer) -> None:
    path = write_app("""
        api = Container("api", ports=[Port("http", 80)])
        def make(name):
            return App(name, labels={"app": name}, containers=[api],
                       services=[Service(name, ports=[api.port("http").expose()])])
        first = make("b")
        rest = [make("c"), make("a")]
        again = first
    """)
    assert [a.name for a in load_apps([str(path)])] == ["b", "c", "a"]


def test_directories_are_searched_and_tests_skipped(write_app: Writer, tmp_path: Path) -> None:
    write_app(ONE.format(name="one"), "svc/one.py")
    write_app(ONE.format(name="two"), "svc/sub/two.py")
    write_app("raise SystemExit('tests are not run')", "svc/test_one.py")
    write_app("raise SystemExit('hidden')", "svc/.venv/x.py")
    write_app("x = 1", "svc/helpers.py")
    assert [p.name for p in discover_files(["svc"])] == ["helpers.py", "one.py", "two.py"]
    assert [a.name for a in load_apps(["svc"])] == ["one", "two"]


def test_imported_files_count_once(write_app: Writer) -> None:
    write_app(ONE.format(name="base"), "proj/base.py")
    write_app("from base import app as base_app\n", "proj/extra.py")
    assert [a.name for a in load_apps(["proj/extra.py", "proj/base.py"])] == ["base"]
    assert [a.name for a in load_apps(["proj"])] == ["base"]


def test_sys_modules_and_path_are_restored(write_app: Writer) -> None:
    import sys

    path = write_app(ONE.format(name="one"), "uniquemodname.py")
    before = list(sys.path)
    load_apps([str(path)])
    assert "uniquemodname" not in sys.modules and sys.path == before


def test_missing_and_non_python_paths(write_app: Writer, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_apps(["nope.py"])
    (tmp_path / "x.yaml").write_text("a: 1")
    with pytest.raises(LoadError, match="not a Python file"):
        load_apps(["x.yaml"])


def test_a_named_file_without_app(write_app: Writer) -> None:
    path = write_app("x = 1")
    with pytest.raises(LoadError, match="no App found"):
        load_apps([str(path)])


def test_user_exceptions_carry_their_line(write_app: Writer) -> None:
    path = write_app("x = 1\ny = {}['missing']\n")
    with pytest.raises(UserCodeError) as info:
        load_apps([str(path)])
    assert info.value.location is not None and info.value.location.line == 3
    assert "KeyError" in str(info.value)


def test_exit_in_user_code_is_an_error(write_app: Writer) -> None:
    with pytest.raises(UserCodeError, match="SystemExit"):
        load_apps([str(write_app("raise SystemExit(3)"))])


def test_declaration_errors_pass_through(write_app: Writer) -> None:
    path = write_app('p = Port("http", "80")\n')
    with pytest.raises(DeclarationError) as info:
        load_apps([str(path)])
    assert info.value.problems[0].location is not None
    assert (info.value.problems[0].location.file, info.value.problems[0].location.line) == (
        "app.py",
        2,
    )


def test_library_modules_imported_by_user_code_stay_loaded(write_app: Writer) -> None:
    import sys

    sys.modules.pop("colorsys", None)
    path = write_app("import colorsys\n" + ONE.format(name="one"))
    load_apps([str(path)])
    assert "colorsys" in sys.modules


def test_what_a_file_prints_goes_to_stderr(
    write_app: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_app("""
        import sys
        print("from print")
        sys.stdout.write("from sys.stdout\\n")
        app = App("a")
    """)
    assert [a.name for a in load_apps([str(path)])] == ["a"]
    assert capsys.readouterr() == ("", "from print\nfrom sys.stdout\n")
    print("svcgen's own output")
    assert capsys.readouterr().out == "svcgen's own output\n"  # restored after the run


def test_apps_in_dicts_comprehensions_and_nested_containers_are_found_in_order(
    write_app: Writer,
) -> None:
    path = write_app("""
        by_env = {env: App(f"web-{env}", namespace=env) for env in ("dev", "prod")}
        workers = [App(f"worker-{i}") for i in range(2)]
        clusters = {"eu": {"db": (App("db-eu"), [App("cache-eu")])}, "us": [{"db": App("db-us")}]}
        again = (by_env, workers)  # found before: counts once
    """)
    assert [a.name for a in load_apps([str(path)])] == [
        "web-dev",
        "web-prod",
        "worker-0",
        "worker-1",
        "db-eu",
        "cache-eu",
        "db-us",
    ]


def test_a_container_that_holds_itself_is_walked_once(write_app: Writer) -> None:
    path = write_app("""
        loop = [App("a")]
        loop.extend([loop] * 1000)
        table = {}
        table["self"] = table
        table["app"] = App("b")
    """)
    assert [a.name for a in load_apps([str(path)])] == ["a", "b"]


UNKEPT = """
kept = App("kept")
for name in ("a", "b", "c"):
    App(name)  # <-
def helper():
    return App("in-a-function")  # <-
helper()
class Apps:
    web = App("class-attribute")  # <-
deep = [[[[[App("five-levels-down")]]]]]  # <-
"""


def test_an_app_kept_nowhere_is_an_error_at_the_line_that_made_it(write_app: Writer) -> None:
    path = write_app(UNKEPT)
    with pytest.raises(DeclarationError) as info:
        load_apps([str(path)])
    lines = marked_lines(UNKEPT)
    message = (
        "but kept nowhere svcgen looks (a module-level name, or a module-level list, tuple or "
        "dict holding it), so it would not be rendered. Fix: bind it at module level (app = "
        "App(...)) or add it to a module-level list; an App of a module the files import is found "
        "when that file is given too"
    )
    assert [str(p) for p in info.value.problems] == [
        f'app.py:{lines[0]}: error: App "a": made here (and 2 more made on this line) {message}',
        f'app.py:{lines[1]}: error: App "in-a-function": made here {message}',
        f'app.py:{lines[2]}: error: App "class-attribute": made here {message}',
        f'app.py:{lines[3]}: error: App "five-levels-down": made here {message}',
    ]
    assert [p.rule for p in info.value.problems] == ["unkept-app"] * 4


def test_an_app_of_an_imported_module_is_found_when_its_file_is_given(write_app: Writer) -> None:
    write_app('base = App("base")\n', "proj/base.py")
    write_app('import base\nextra = App("extra")\n', "proj/extra.py")
    with pytest.raises(
        DeclarationError, match=r'base.py:2: error: App "base": made here but kept nowhere'
    ):
        load_apps(["proj/extra.py"])
    assert [a.name for a in load_apps(["proj/extra.py", "proj/base.py"])] == ["extra", "base"]
    assert [a.name for a in load_apps(["proj"])] == ["base", "extra"]


def test_the_apps_of_a_file_that_failed_are_not_reported_as_kept_nowhere(write_app: Writer) -> None:
    write_app('made = [App("x")]\nraise RuntimeError("stop")\n', "proj/a.py")
    write_app('app = App("y")\n', "proj/b.py")
    with pytest.raises(DeclarationError) as info:
        load_apps(["proj"])
    assert [p.rule for p in info.value.problems] == ["user-code"]


def test_an_app_kept_nowhere_fails_the_render(write_app: Writer) -> None:
    write_app('kept = App("kept")\n[App(n) for n in ("a", "b")]\n')
    result = run_cli("render", "app.py")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(
        'app.py:3: error: App "a": made here (and 1 more made on this line) but kept nowhere'
    )
    assert result.err.endswith("svcgen: 1 error found; nothing was written.\n")


def test_a_users_exception_is_reported_on_one_line_escaped_and_short(write_app: Writer) -> None:
    """``raise ValueError("...\\n\\x1b[2J" + 1 MB)`` in a declaration file: one line, no escape
    sequence, short."""
    write_app('raise ValueError("first\\nsecond\\x1b[2J" + "z" * 1_000_000)\n', "app.py")
    with pytest.raises(UserCodeError) as info:
        load_apps(["app.py"])
    text = str(info.value)
    assert text.startswith(
        "app.py:2: error: running app.py failed: ValueError: first\\nsecond\\x1b[2Jzzz"
    )
    assert text.endswith("... (1,000,016 characters)") and "\n" not in text and "\x1b" not in text


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (os.mkfifo, "a named pipe (FIFO)"),
        (lambda path: path.symlink_to("/dev/null"), "a character device"),
    ],
)
@pytest.mark.parametrize("named", [True, False])
def test_a_pipe_or_a_device_named_py_is_refused_never_run(
    write_app: Writer, tmp_path: Path, make: Callable[[Path], None], kind: str, named: bool
) -> None:
    from conftest import deadline

    write_app(
        'c = Container("c", ports=[Port("a", 80)])\napp = App("a", labels={"a": "a"}, '
        "containers=[c])\n"
    )
    make(tmp_path / "zz.py")
    with deadline(10):  # Python's import would block on the pipe
        result = run_cli("render", "zz.py" if named else ".")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"zz.py: error: {kind}, not a regular file: svcgen runs only regular .py files. Fix: "
        "remove it, or name the declaration files to run\n"
    )


@pytest.mark.parametrize(
    ("call", "hint"),
    [
        ('Container("web", imag="x")', '. Fix: did you mean "image"?'),
        ('Container("web", securityContext={})', '. Fix: did you mean "security_context"?'),
        ("Pod(topologySpreadConstraints=[])", '. Fix: did you mean "topology_spread"?'),
        (
            "DaemonSet(zzz=1)",
            ". Fix: DaemonSet takes update_strategy, min_ready_seconds, revision_history_limit, "
            "annotations, labels",
        ),
    ],
)
def test_a_mistyped_keyword_names_the_nearest_field(
    write_app: Callable[..., Path], call: str, hint: str
) -> None:
    write_app(f"from svcgen import DaemonSet, Pod\nx = {call}\n")
    with pytest.raises(UserCodeError) as info:
        load_apps(["app.py"])
    owner = call.split("(")[0]
    keyword = call.split("(", 1)[1].split("=")[0].split(", ")[-1]
    assert str(info.value) == (
        f"app.py:3: error: running app.py failed: TypeError: {owner}.__init__() got an "
        f"unexpected keyword argument '{keyword}'{hint}"
    )
