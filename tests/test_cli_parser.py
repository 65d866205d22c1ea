"""The argument parser: every command has help, and the options parse as documented."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from svcgen.cli.parser import _terminal_width, build_parser, command_parser
from svcgen.kube.portrange import NodePortRange

COMMANDS = [
    ["render"],
    ["ports"],
    ["explain"],
    ["new"],
    ["import"],
    ["lint"],
    ["lock"],
    ["lock", "prune"],
    ["lock", "check"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.code == 0 and result.out.startswith("usage: svcgen " + " ".join(command))


def test_options_parse_into_their_types() -> None:
    args = build_parser().parse_args(
        [
            "render",
            "--reserve",
            "x.yaml",
            "a.py",
            "b",
            "--node-port-range",
            "30000-30099",
            "--reserve",
            "y.yaml",
            "--with-workloads",
            "--check",
        ]
    )
    assert args.paths == ["a.py", "b"] and args.node_port_range == NodePortRange(30000, 30099)
    assert args.reserve == ["x.yaml", "y.yaml"] and args.with_workloads and args.check
    lint = build_parser().parse_args(["lint", "-", "--format", "json"])
    assert lint.paths == ["-"] and lint.node_port_range is None


def test_bad_options_are_usage_errors() -> None:
    assert run_cli("render", "a.py", "--node-port-range", "3-2").code == 2
    assert run_cli("lint").code == 2
    assert run_cli("frobnicate").code == 2


@pytest.mark.parametrize("version", ["1.99", "1.20", "1.\u0663\u0666", "latest"])
def test_an_unknown_kubernetes_version_is_a_usage_error_listing_the_known_ones(
    version: str,
) -> None:
    result = run_cli("render", "a.py", "--kubernetes-version", version)
    assert result.code == 2 and result.out == ""
    last = result.err.splitlines()[-1]
    assert (
        last.startswith("svcgen render: error: argument --kubernetes-version: ")
        and f'"{version}": ' in last
    )
    assert last.endswith(
        "svcgen knows 1.25 to 1.37; without a version the output is portable across 1.35-1.37, "
        "the minors still supported upstream"
    )


def test_a_mistyped_command_gets_the_nearest_one() -> None:
    result = run_cli("rendr", "app.py")
    assert result.code == 2 and "did you mean render?" in result.err
    assert "did you mean prune?" in run_cli("lock", "prnue").err


def test_an_unknown_option_shows_the_usage_of_its_command() -> None:
    result = run_cli("ports", "x", "-o", "wide")
    assert result.code == 2 and result.err.startswith("usage: svcgen ports")
    assert result.err.endswith(
        "svcgen ports: error: unrecognized arguments: -o wide; the output format is "
        "--format {table,json} (kubectl's -o)\n"
    )
    assert run_cli("lock", "prune", "x", "--bogus").err.startswith("usage: svcgen lock prune")


NAMESPACE_HINT = (
    "svcgen takes each object's namespace from its declaration (App(namespace=...)) or its "
    "manifest, not from the command line: drop it"
)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["lint", "x.yaml", "-n", "shop"],
            f"svcgen lint: error: unrecognized arguments: -n shop; {NAMESPACE_HINT}",
        ),
        (
            ["ports", "-nshop", "app.py"],
            f"svcgen ports: error: unrecognized arguments: -nshop; {NAMESPACE_HINT}",
        ),
        (
            ["render", "app.py", "--namespace=shop"],
            f"svcgen render: error: unrecognized arguments: --namespace=shop; {NAMESPACE_HINT}",
        ),
        (
            ["new", "web", "-n", "shop"],
            "svcgen new: error: unrecognized arguments: -n shop; did you mean --namespace?",
        ),
        (
            ["lint", "x.yaml", "-o", "json"],
            "svcgen lint: error: unrecognized arguments: -o json; the output format is --format "
            "json (kubectl's -o)",
        ),
        (
            ["ports", "app.py", "-ojson"],
            "svcgen ports: error: unrecognized arguments: -ojson; the output format is --format "
            "json (kubectl's -o)",
        ),
        (
            ["explain", "app.py", "--output=yaml"],
            "svcgen explain: error: unrecognized arguments: --output=yaml; the "
            "output format is --format {text,mermaid,svg,html} (kubectl's -o)",
        ),
        (
            ["render", "app.py", "--kubernetes-verison", "1.36"],
            "svcgen render: error: unrecognized arguments: --kubernetes-verison 1.36; did you "
            "mean --kubernetes-version?",
        ),
        (
            ["lint", "x.yaml", "-format", "json"],
            "svcgen lint: error: unrecognized arguments: -format json; did you mean --format?",
        ),
        (["render", "app.py", "--zzzz"], "svcgen render: error: unrecognized arguments: --zzzz"),
        (
            ["lint", "x.yaml", "--format", "jsn"],
            "svcgen lint: error: argument --format: invalid choice: 'jsn' (choose "
            "from text, json, sarif, github); did you mean json?",
        ),
    ],
)
def test_kubectl_habits_and_mistyped_options_get_a_one_line_hint(
    argv: list[str], said: str
) -> None:
    result = run_cli(*argv)
    assert result.code == 2 and result.out == "" and result.err.splitlines()[-1] == said


def test_did_you_mean_comes_from_the_parsers_tables_not_argparses_wording(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python 3.12.8 and 3.13.1 changed argparse's invalid-choice message; the suggestion must not
    depend on it."""
    import argparse

    german = {
        "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Auswahl: %(value)r "
        "(%(choices)s)",
        "invalid choice: %(value)r (choose from %(choices)s)".replace(
            "%(value)r", "%(value)s"
        ): "?",
    }
    monkeypatch.setattr(argparse, "_", lambda text: german.get(text, text))
    assert run_cli("rendr", "app.py").err.endswith("did you mean render?\n")
    assert run_cli("render", "app.py", "--chek").err.endswith("did you mean --check?\n")


@pytest.mark.parametrize("command", ["render", "ports", "explain"])
def test_commands_that_read_python_say_they_do_not_read_stdin(command: str) -> None:
    result = run_cli(command, "-")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines()[-1] == (
        f"svcgen {command}: error: argument FILE_OR_DIR: - is standard input, but "
        "this command reads Python declarations from files; give the file or folder, e.g. app.py"
    )


def test_help_offers_only_what_a_command_takes() -> None:
    prune = run_cli("lock", "prune", "--help").out
    assert "--with-workloads" not in prune and "--check" in prune
    assert "--check" not in run_cli("import", "--help").out
    assert "--locked" in run_cli("render", "--help").out


@pytest.mark.parametrize("columns", ["50", "140", "0", "-3", "wide", None])
def test_help_is_as_wide_as_shutil_would_make_it(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """svcgen's formatter finds the width without importing shutil, the same way shutil does."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _terminal_width() == shutil.get_terminal_size().columns
    if columns == "50":
        text = run_cli("render", "--help").out
        assert max(len(line) for line in text.splitlines() if not line.startswith(" " * 20)) <= 48


def test_a_parser_for_one_command_parses_it_as_the_full_parser_does() -> None:
    argv = [
        "render",
        "--reserve",
        "x.yaml",
        "a.py",
        "--node-port-range",
        "31000-31999",
        "-o",
        "out/",
    ]
    assert vars(build_parser("render").parse_args(argv)) == vars(build_parser().parse_args(argv))
    assert vars(build_parser("lock").parse_args(["lock", "prune", "a.py"])) == vars(
        build_parser().parse_args(["lock", "prune", "a.py"])
    )
    only = build_parser("lint")
    assert (
        command_parser(only, "lint").format_help()
        == command_parser(build_parser(), "lint").format_help()
    )
    with pytest.raises(SystemExit):
        only.parse_args(
            ["render", "a.py"]
        )  # the other commands are not there: main builds them all then


@pytest.mark.parametrize("argv", [["lnt", "x"], ["--debug", "render", "a.py"], ["--version"], []])
def test_runs_that_do_not_start_with_a_command_get_every_command(argv: list[str]) -> None:
    result = run_cli(*argv)
    full = run_cli("--help").out
    if not argv:
        assert result.out == full
    elif argv[0] == "lnt":
        assert (
            result.code == 2 and "did you mean lint?" in result.err and "completion" in result.err
        )
    elif argv[0] == "--debug":
        assert result.code == 2 and "a.py" in result.err  # parsed as render: the file is missing
    else:
        assert result.code == 0 and result.out.startswith("svcgen ")


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["render", ""], "FILE_OR_DIR"),
        (["render", ".", "-o", ""], "-o/--output"),
        (["render", ".", "--lock", ""], "--lock"),
        (["render", ".", "--reserve", ""], "--reserve"),
        (["ports", ""], "FILE_OR_DIR"),
        (["lock", "prune", ""], "FILE_OR_DIR"),
        (["lock", "resolve", "--lock", ""], "--lock"),
        (["lint", ""], "PATH"),
        (["import", "x.yaml", "--dir", ""], "--dir"),
        (["import", ""], "PATH"),
        (["new", "web", "--port", "http:80", "--dir", ""], "--dir"),
    ],
)
def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    argv: list[str], option: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--dir "$OUT"`` with OUT unset: refused, never taken as "." (a render, prune or import of
    the
    wrong folder)."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(*argv)
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines()[-1].startswith(
        f"svcgen {' '.join(argv[:2] if argv[0] == 'lock' else argv[:1])}: "
        f"error: argument {option}: empty path (an unset shell variable?)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["render", "."], ["lock", "prune", "."], ["lock", "resolve"]])
def test_the_lock_file_cannot_be_standard_input(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--lock -`` used to write a lock file named "-" in the current folder."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(*command, "--lock", "-")
    assert (result.code, result.out) == (2, "") and list(tmp_path.iterdir()) == []
    assert result.err.splitlines()[-1].endswith(
        "error: argument --lock: - is standard input, but svcgen writes the "
        "lock file back; give its path"
    )


def _synopsis() -> list[str]:
    """The README's command-line synopsis: the first code block of "The command line", comments
    cut."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The command line\n", 1)[1]
    block = section.split("```\n", 2)[1]
    return [re.split(r"\s+#\s", line, maxsplit=1)[0].rstrip() for line in block.splitlines()]


def _leaf_parsers(
    parser: argparse.ArgumentParser, names: tuple[str, ...] = ()
) -> dict[str, argparse.ArgumentParser]:
    """Every command that runs (``render``, ``lock prune``...) and its parser."""
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None:
        return {" ".join(names): parser}
    found: dict[str, argparse.ArgumentParser] = {}
    for name, child in sub.choices.items():
        found.update(_leaf_parsers(child, (*names, name)))
    return found


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and a.dest not in ("help", "debug")]


_FLAG = re.compile(r"(?<![\w-])(--?[a-z][a-z0-9-]*)")


def test_the_readme_synopsis_lists_every_command_and_flag_of_the_parser_and_nothing_else() -> None:
    """The README's synopsis is the parser's: each command, each of its flags (and a choice's
    values),
    no more.

    A synopsis line is ``svcgen COMMAND...``, continued by indented lines; ``[PROJECT OPTIONS]``
    stands for the flags the ``PROJECT OPTIONS:`` line lists; ``--debug`` and ``--version`` are
    on the line of ``svcgen --version``.
    """
    parser = build_parser()
    leaves = _leaf_parsers(parser)
    commands: dict[str, str] = {}
    groups: dict[str, str] = {}
    current: tuple[dict[str, str], str] | None = None
    for line in _synopsis():
        if not line or line.startswith("python -m svcgen"):
            current = None
        elif line.startswith("svcgen "):
            words = line.split()[1:]
            name = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in leaves), "")
            if words[0].startswith("-"):
                name = "svcgen"
            assert name, f"the README's synopsis names a command the parser lacks: {line}"
            assert name not in commands, f"{name} is in the README's synopsis twice"
            commands[name] = line
            current = (commands, name)
        elif re.match(r"[A-Z][A-Z ]+:", line):
            group, flags = line.split(":", 1)
            groups[group] = flags
            current = (groups, group)
        else:
            assert current is not None and line.startswith(" "), (
                f"a synopsis line of no command: {line}"
            )
            table, key = current
            table[key] += " " + line.strip()
    assert set(commands) == {*leaves, "svcgen"}, (
        "commands of the parser missing from the README's synopsis"
    )
    for name, text in commands.items():
        for group, flags in groups.items():
            text = text.replace(f"[{group}]", flags)
        actions = _options(parser) if name == "svcgen" else _options(leaves[name])
        if name == "svcgen":  # every command takes --debug: said once, on this line
            actions += [a for a in parser._actions if a.dest == "debug"]
        label = name if name == "svcgen" else f"svcgen {name}"
        known = {flag: action for action in actions for flag in action.option_strings}
        written = _FLAG.findall(text.removeprefix("svcgen "))
        unknown = sorted({flag for flag in written if flag not in known and flag != "--help"})
        assert not unknown, f"{label}: the README's synopsis has flags the parser lacks: {unknown}"
        missing = [
            a.option_strings[-1] for a in actions if not set(a.option_strings) & set(written)
        ]
        assert not missing, (
            f"{label}: flags of the parser missing from the README's synopsis: {missing}"
        )
        for action in actions:
            if action.choices is not None:
                flag = next(f for f in action.option_strings if f in written)
                assert re.search(
                    rf"{flag}[ =]{'[|]'.join(map(re.escape, action.choices))}\]", text
                ), (name, flag)
    assert "--help" in commands["svcgen"]
