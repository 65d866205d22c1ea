"""The call site of a declaration: the user's frame, never svcgen's or pydantic's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from svcgen import Container, Port
from svcgen.dsl.callsite import caller_location, shown_relative_to, traceback_location
from svcgen.errors import SourceLocation


def _helper() -> SourceLocation | None:
    return caller_location()


def test_the_innermost_frame_outside_svcgen_is_the_users() -> None:
    location = _helper()  # the helper's own line: it is user code too
    line = _helper.__code__.co_firstlineno + 1
    assert location is not None and str(location).endswith(f"test_dsl_callsite.py:{line}")


def test_declarations_made_through_svcgen_code_point_at_the_user() -> None:
    port = Port("http", 80)  # pydantic validates on svcgen's behalf: still this line
    line = sys._getframe().f_lineno - 1
    container = Container("c", ports=[port])
    assert port.location is not None and port.location.line == line
    assert container.location is not None and container.location.line == line + 2
    assert Path(port.location.file).name == "test_dsl_callsite.py"


def test_a_traceback_prefers_the_users_file() -> None:
    def fail() -> None:
        raise ValueError("boom")

    try:
        fail()
    except ValueError as exc:
        best = traceback_location(exc.__traceback__)
        preferred = traceback_location(exc.__traceback__, prefer_file=__file__)
    assert best is not None and preferred is not None
    assert best.line == fail.__code__.co_firstlineno + 1  # the deepest user frame: inside fail()
    assert Path(preferred.file).name == "test_dsl_callsite.py"
    assert traceback_location(None) is None


def test_locations_inside_shown_relative_to_use_that_directory_whatever_the_cwd(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = str(Path(__file__).resolve().parent)
    monkeypatch.chdir(
        tmp_path
    )  # the working directory moves; the location stays relative to `here`
    with shown_relative_to(here):
        inside = _helper()
    outside = _helper()
    assert inside is not None and inside.file == "test_dsl_callsite.py"
    assert outside is not None and Path(outside.file).is_absolute()


def test_every_declaration_of_a_long_flat_file_has_its_own_line() -> None:
    """A file of thousands of module-level declarations (as import writes them): lines from the line
    table."""
    from svcgen.dsl import callsite

    lines = ["from svcgen import Container, Port", "made = []"]
    for i in range(400):
        lines += [
            f"c{i} = Container(",
            f'    "c{i}",',
            f'    ports=[Port("http", {1000 + i})],',
            ")",
            f"made.append((c{i}, {len(lines) + 1}))",
            "if True:",
            f'    made.append((Container("d{i}"), {len(lines) + 7}))',
        ]
    code = compile("\n".join(lines) + "\n", "flat.py", "exec")
    assert len(code.co_code) >= callsite._BIG_CODE  # the table is used
    namespace: dict[str, object] = {}
    exec(code, namespace)
    made = namespace["made"]
    assert isinstance(made, list) and len(made) == 800
    assert [(c.location.file, c.location.line) for c, _ in made] == [
        ("flat.py", line) for _, line in made
    ]
    assert any(table.code is code and table.usable for table in callsite._TABLES.values())
