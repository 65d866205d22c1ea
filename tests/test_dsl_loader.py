"""Finding Apps in Python files and directories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
    assert (info.value.problems[0].location.file, info.value.problems[0].location.line) == ("app.py", 2)


def test_library_modules_imported_by_user_code_stay_loaded(write_app: Writer) -> None:
    import sys

    sys.modules.pop("colorsys", None)
    path = write_app("import colorsys\n" + ONE.format(name="one"))
    load_apps([str(path)])
    assert "colorsys" in sys.modules


def test_what_a_file_prints_goes_to_stderr(write_app: Callable[..., Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
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
