"""One error root that knows its exit code; one Problem type for the DSL, lint and import."""

from __future__ import annotations

import importlib

import pytest

import svcgen.errors
from svcgen.dsl.loader import LoadError, UserCodeError
from svcgen.errors import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    MESSAGE_LIMIT,
    DeclarationError,
    InputError,
    ObjectRef,
    Problem,
    SourceLocation,
    SvcgenError,
    UsageError,
    count_errors,
    one_line,
)
from svcgen.importer import ImportRefusedError
from svcgen.nodeports.lockfile import LockFileError
from svcgen.nodeports.reserve import ReserveError
from svcgen.registry import RegistryConflictError, RegistryError
from svcgen.scaffold import ScaffoldError
from svcgen.settings import SettingsError
from svcgen.templating import TemplateError


def test_a_dsl_problem_names_line_subject_field_rule_and_fix() -> None:
    problem = Problem(
        'Service "web"',
        "metadata.name",
        'Invalid value: "Web": must be lower case',
        "use web",
        SourceLocation("app.py", 8),
    )
    assert str(problem) == (
        'app.py:8: error: Service "web": metadata.name: Invalid value: "Web": must be lower '
        "case. Fix: use web"
    )


def test_a_yaml_problem_has_a_column_and_an_object() -> None:
    ref = ObjectRef("Service", "shop", "web")
    problem = Problem(
        str(ref),
        "spec.ports[0].nodePort",
        "Invalid value: 80.",
        "",
        SourceLocation("s.yaml", 15, 5),
        "warning",
        "node-port-range",
        ref,
        2,
    )
    assert (
        str(problem)
        == "s.yaml:15:5: warning: Service/shop/web: spec.ports[0].nodePort: Invalid value: 80."
    )
    assert (problem.file, problem.line, problem.column) == ("s.yaml", 15, 5)
    assert problem.to_dict() == {
        "file": "s.yaml",
        "line": 15,
        "column": 5,
        "document": 2,
        "kind": "Service",
        "namespace": "shop",
        "name": "web",
        "field": "spec.ports[0].nodePort",
        "severity": "warning",
        "rule": "node-port-range",
        "message": "Invalid value: 80.",
        "hint": "",
        "subject": "Service/shop/web",
    }


def test_locations_leave_out_what_is_unknown() -> None:
    assert str(SourceLocation("a.yaml")) == "a.yaml"
    assert str(SourceLocation("a.yaml", 3)) == "a.yaml:3"
    assert str(SourceLocation("a.yaml", 0, 4)) == "a.yaml"
    assert str(Problem("", "", "no such file or directory", location=SourceLocation("x"))) == (
        "x: error: no such file or directory."
    )
    assert str(ObjectRef("Service", "", "web")) == "Service/web"


def test_control_characters_print_on_one_line() -> None:
    assert one_line("a\nb\tc\x1b\u2028") == "a\\nb\\tc\\x1b\\u2028"
    assert "\n" not in str(Problem('Service "a\nb"', "name", "bad\r\nvalue"))


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SvcgenError("x"), EXIT_INVALID),
        (UsageError("x"), EXIT_USAGE),
        (LoadError("x"), EXIT_USAGE),
        (ScaffoldError("x"), EXIT_USAGE),
        (TemplateError("x"), EXIT_USAGE),
        (InputError("x"), EXIT_INVALID),
        (LockFileError("x"), EXIT_INVALID),
        (SettingsError("x"), EXIT_INVALID),
        (ReserveError("x"), EXIT_INVALID),
        (ImportRefusedError([Problem("", "", "x")]), EXIT_INVALID),
        (DeclarationError([]), EXIT_INVALID),
        (UserCodeError("app.py", None, ValueError("boom")), EXIT_INVALID),
        (RegistryError("x"), EXIT_USAGE),  # the registry's URL or path, git, the network
        (
            RegistryConflictError("x"),
            EXIT_INVALID,
        ),  # another project holds the entry: a conflict to fix
    ],
)
def test_every_error_knows_its_exit_code(error: SvcgenError, code: int) -> None:
    assert isinstance(error, SvcgenError)
    assert error.exit_code == code


def test_the_exit_code_table_is_documented_once_with_every_code() -> None:
    assert (EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED) == (0, 1, 2, 130)
    table = svcgen.errors.__doc__ or ""
    for code, name in (
        (0, "EXIT_OK"),
        (1, "EXIT_INVALID"),
        (2, "EXIT_USAGE"),
        (130, "EXIT_INTERRUPTED"),
    ):
        assert f"\n{code:<4}  :data:`{name}`" in table
    cli_main = importlib.import_module(
        "svcgen.cli.main"
    )  # the module: svcgen.cli.main is its function
    assert "the table is in :mod:`svcgen.errors`" in (cli_main.__doc__ or "")
    assert cli_main.EXIT_INTERRUPTED is EXIT_INTERRUPTED


def test_reports() -> None:
    assert InputError("lock.yaml:3: error: bad").report() == [
        "lock.yaml:3: error: bad",
        "svcgen: nothing was written.",
    ]
    problems = [
        Problem("a", "f", "m"),
        Problem("b", "f", "m", severity="warning"),
        Problem("c", "f", "m"),
    ]
    assert count_errors(problems) == 2
    assert DeclarationError(problems).report()[-1] == "svcgen: 2 errors found; nothing was written."
    original = ValueError("boom")
    user = UserCodeError("app.py", SourceLocation("app.py", 3), original)
    assert user.report() == [
        "app.py:3: error: running app.py failed: ValueError: boom",
        "svcgen: run with --debug to see the Python traceback.",
    ]
    assert user.report(debug=True) == ["app.py:3: error: running app.py failed: ValueError: boom"]
    assert user.debug_cause() is original
    assert UsageError("u").debug_cause().args == ("u",)


def test_one_problem_given_alone_is_one_problem() -> None:
    problem = Problem('App "x"', "name", "Invalid value", "rename it")
    assert DeclarationError(problem).problems == [problem] == DeclarationError([problem]).problems


def test_one_line_escapes_every_terminal_control_and_lone_surrogates() -> None:
    from svcgen.errors import one_line

    assert (
        one_line("a\x1b[2J\x9b31m\x85b\r\n\t") == "a\\x1b[2J\\x9b31m\\x85b\\r\\n\\t"
    )  # C1's CSI (0x9b) too
    # a byte of a file name that is not UTF-8 (os.fsdecode) as that byte; any other lone surrogate
    # as \\u
    assert one_line("bad\udcff.yaml \ud800") == "bad\\xff.yaml \\ud800"
    assert one_line("ok: é ü 漢 \U0001f600") == "ok: é ü 漢 \U0001f600"
    one_line("".join(map(chr, range(0x110000)))).encode("utf-8")  # always encodable


def test_long_values_are_shortened_with_their_length() -> None:
    from svcgen.errors import NAME_LIMIT, ObjectRef, Problem, shorten

    assert shorten("x" * 100) == "x" * 100
    assert shorten("x" * 1_000_001) == "x" * 100 + "... (1,000,001 characters)"
    ref = ObjectRef("Service", "shop", "n" * 5000)
    assert str(ref) == f"Service/shop/{'n' * NAME_LIMIT}... (5,000 characters)"
    assert (
        Problem(str(ref), "", "m", obj=ref).to_dict()["name"]
        == f"{'n' * NAME_LIMIT}... (5,000 characters)"
    )


def test_every_output_of_a_problem_cuts_its_parts_at_the_message_limit() -> None:
    """Whatever path made a problem (a declaration's 1 MB value), str() and to_dict() stay short."""
    from svcgen.cli.report import render_problems

    huge = "x" * 1_000_000
    problem = Problem(
        f'Service "{huge}"', f"labels[{huge}]", f'Invalid value: "{huge}"', f"use {huge}"
    )
    assert len(str(problem)) < 4 * (MESSAGE_LIMIT + 40)
    assert all(
        len(value) <= MESSAGE_LIMIT + 30
        for value in problem.to_dict().values()
        if isinstance(value, str)
    )
    for fmt in ("text", "json", "sarif", "github"):
        assert len(render_problems([problem], fmt)) < 6000, fmt
    short = Problem("Service/web", "spec", "fine", "hint")
    assert short.shown() == short and str(short) == "error: Service/web: spec: fine. Fix: hint"
