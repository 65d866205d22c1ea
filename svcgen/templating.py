"""Jinja2 templates of ``svcgen new`` and ``svcgen import``: one environment, one literal filter.

Every value enters generated Python through the ``py`` filter (:func:`literal`), which writes
a Python literal (strings double-quoted, non-printable characters escaped), so no name, image
or label can inject code. The environment is built once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from svcgen.errors import UsageError

__all__ = ["TemplateError", "literal", "render_template", "templates_dir"]


class TemplateError(UsageError):
    """svcgen's templates are missing (a broken install)."""


def templates_dir() -> Path:
    """The templates: inside the installed package, or ``templates/`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "app" / "app.py.jinja").is_file():
            return candidate
    raise TemplateError(
        f"svcgen's templates are missing (looked in {here / 'templates'}); reinstall svcgen"
    )


def _string(value: str) -> str:
    """A double-quoted Python string literal: printable characters as they are, the rest escaped."""
    parts = ['"']
    for char in value:
        if char in '"\\':
            parts.append("\\" + char)
        elif char.isprintable():
            parts.append(char)
        else:
            parts.append(repr(char)[1:-1])  # \n, \x00, \u2028...
    parts.append('"')
    return "".join(parts)


def literal(value: object) -> str:
    """A Python literal for a str, int, bool, None, or a list, tuple or mapping of those."""
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} values into generated code")


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = literal
    env.filters["pydict"] = literal
    return env


def render_template(name: str, context: Mapping[str, Any]) -> str:
    """Render one template of ``templates/`` (e.g. ``import/app.py.jinja``) with ``context``."""
    return str(_environment().get_template(name).render(context))
