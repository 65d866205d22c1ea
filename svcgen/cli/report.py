"""Findings as the tools that read them expect: text, JSON, SARIF 2.1.0 and GitHub annotations.

Every format lists the same problems in the same order (by file, line and column). SARIF is the
OASIS standard that code-scanning services import; GitHub's workflow commands
(``::error file=...,line=...::message``) annotate the lines of a pull request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from svcgen.errors import Problem, one_line, sorted_problems
from svcgen.version import __version__

__all__ = ["FORMATS", "render_problems", "sorted_problems"]

FORMATS = ("text", "json", "sarif", "github")

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(file: str) -> str:
    return PurePath(file).as_posix() if file and not file.startswith("<") else file


def _sarif(problems: Sequence[Problem]) -> str:
    rules = sorted({p.rule or "svcgen" for p in problems})
    results: list[dict[str, Any]] = []
    for p in problems:
        result: dict[str, Any] = {
            "ruleId": p.rule or "svcgen",
            "ruleIndex": rules.index(p.rule or "svcgen"),
            "level": p.severity,
            "message": {"text": _text(p)},
        }
        if p.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(p.file)}}
            if p.line:
                physical["region"] = {
                    "startLine": p.line,
                    **({"startColumn": p.column} if p.column else {}),
                }
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    run = {
        "tool": {
            "driver": {
                "name": "svcgen",
                "version": __version__,
                "informationUri": "https://pypi.org/project/svcgen/",
                "rules": [{"id": rule, "name": rule} for rule in rules],
            }
        },
        "results": results,
    }
    import json  # the JSON formats only

    return (
        json.dumps({"version": "2.1.0", "$schema": _SARIF_SCHEMA, "runs": [run]}, indent=2) + "\n"
    )


def _text(p: Problem) -> str:
    """The message with the object and the field, without the position.

    Tools show the position themselves.
    """
    p = p.shown()
    subject = f"{p.subject}: " if p.subject else ""
    field = f"{p.field}: " if p.field else ""
    return f"{subject}{field}{p.sentences()}"


def _escape(text: str, *, property_value: bool = False) -> str:
    """GitHub workflow command escaping, then svcgen's for the rest.

    GitHub's escaping covers % CR LF in data, and also : and , in properties. Other control
    characters (a terminal escape sequence) and lone surrogates (a file name that is not UTF-8)
    are escaped as in every other format (:func:`svcgen.errors.one_line`).
    """
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(text.replace(":", "%3A").replace(",", "%2C") if property_value else text)


def _github(problems: Sequence[Problem]) -> str:
    lines = []
    for p in problems:
        props = []
        if p.file:
            props.append(f"file={_escape(_uri(p.file), property_value=True)}")
        if p.line:
            props.append(f"line={p.line}")
        if p.column:
            props.append(f"col={p.column}")
        props.append(f"title={_escape('svcgen ' + (p.rule or 'lint'), property_value=True)}")
        lines.append(f"::{p.severity} {','.join(props)}::{_escape(_text(p))}")
    return "".join(line + "\n" for line in lines)


def render_problems(problems: Sequence[Problem], fmt: str) -> str:
    """The problems in ``fmt`` (one of :data:`FORMATS`), sorted by file, line and column."""
    ordered = sorted_problems(problems)
    if fmt == "json":
        import json

        return json.dumps([p.to_dict() for p in ordered], indent=2) + "\n"
    if fmt == "sarif":
        return _sarif(ordered)
    if fmt == "github":
        return _github(ordered)
    return "".join(f"{p}\n" for p in ordered)
