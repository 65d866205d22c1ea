"""mkdocs hook: pages include sections of README.md (and other files) by heading.

So the text has one source.

A line ``<!-- include FILE -->`` in a page is replaced by FILE (relative to the repository root)
without its title; ``<!-- include FILE "Heading" -->`` by the section under that heading (its
subsections too), up to the next heading of the same or a higher level;
``<!-- include FILE "Heading" "Other heading" -->`` by the text from one heading up to the other.
The heading line itself is left out (the page has its own title) and the section's subheadings
move up so that its first level below becomes ``##``.

Links are rewritten for where the text now stands: a link to a file under docs/ points at that
page or picture; a link to ``#anchor`` points at the page that includes that README heading; a link
to any other file of the repository (``../tests/test_files.py``) points at the repository when
``repo_url`` is set in mkdocs.yml and is plain text otherwise. A heading or anchor that cannot be
found is an error, so ``mkdocs build --strict`` fails rather than publishing a page with a hole.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^<!-- include (\S+)((?: "[^"]+"){0,2}) -->$', flags=re.MULTILINE)
LINK = re.compile(r"(!?\[[^\]\n]*\])\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")


class IncludeError(Exception):
    """An include line names a file or heading that is not there, or a link leads nowhere."""


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, text) of each Markdown heading, outside fenced code."""
    found, fenced = [], False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            found.append((i, len(match.group(1)), match.group(2)))
    return found


def section(text: str, start: str | None = None, stop: str | None = None) -> str:
    """The text under heading ``start``, headings moved up.

    The whole text after its title when ``start`` is None.
    """
    lines = text.splitlines()
    heads = _headings(lines)
    if start is None:
        first, level = (heads[0][0] + 1, heads[0][1]) if heads and heads[0][1] == 1 else (0, 1)
    else:
        at = [(i, lv) for i, lv, title in heads if title == start]
        if not at:
            raise IncludeError(f'no heading "{start}"')
        first, level = at[0][0] + 1, at[0][1]
    end = len(lines)
    for i, lv, title in heads:
        if i >= first and (title == stop if stop is not None else lv <= level):
            end = i
            break
    else:
        if stop is not None:
            raise IncludeError(f'no heading "{stop}" after "{start}"')
    body = lines[first:end]
    fenced = False
    for n, line in enumerate(body):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            body[n] = "#" * max(2, len(match.group(1)) - level + 1) + " " + match.group(2)
    return "\n".join(body).strip("\n") + "\n"


def anchors(text: str) -> set[str]:
    """The anchors of the headings of ``text``, as the toc extension spells them."""
    return {slugify(title, "-") for _, _, title in _headings(text.splitlines())}


def rewrite_links(
    text: str, source_dir: str, page_dir: str, anchor_pages: dict[str, str], repo_url: str | None
) -> str:
    """Links of ``text``, written in folder ``source_dir``, as seen from a page in ``page_dir``.

    Both folders are relative to the repository root ("" for the root, "docs" for the docs pages).
    """

    def fix(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            return match.group(0)  # http:, https:, mailto:
        path, _, fragment = target.partition("#")
        if not path:
            if source_dir == page_dir:
                return match.group(0)
            if fragment not in anchor_pages:
                raise IncludeError(f"link {target}: no page includes that heading")
            page = posixpath.join("docs", anchor_pages[fragment])
            return f"{label}({posixpath.relpath(page, page_dir)}#{fragment})"
        repo_path = posixpath.normpath(posixpath.join(source_dir, path))
        if not (ROOT / repo_path).exists():
            raise IncludeError(f"link {target}: {repo_path} does not exist")
        if repo_path == "docs" or repo_path.startswith("docs/"):
            new = posixpath.relpath(repo_path, page_dir)
            return f"{label}({new}{'#' + fragment if fragment else ''})"
        if repo_url:
            return f"{label}({repo_url.rstrip('/')}/blob/HEAD/{repo_path})"
        return label[1:-1] if not label.startswith("!") else label[2:-1]

    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if FENCE.match(line):
            fenced = not fenced
        out.append(line if fenced else LINK.sub(fix, line))
    return "".join(out)


def _directives(markdown: str) -> list[tuple[str, str, str | None, str | None]]:
    """(the whole line, file, start heading, stop heading) of each include line."""
    found = []
    for match in INCLUDE.finditer(markdown):
        titles = re.findall(r'"([^"]+)"', match.group(2))
        found.append((match.group(0), match.group(1), *[*titles, None, None][:2]))
    return found


def _included(file: str, start: str | None, stop: str | None) -> str:
    path = ROOT / file
    if not path.is_file():
        raise IncludeError(f"include {file}: no such file")
    return section(path.read_text(encoding="utf-8"), start, stop)


_ANCHOR_PAGES: dict[str, str] = {}


def on_files(files: Any, config: Any) -> Any:
    """Before any page: which page includes which README heading (for ``#anchor`` links)."""
    _ANCHOR_PAGES.clear()
    for page in sorted(DOCS.rglob("*.md")):
        name = page.relative_to(DOCS).as_posix()
        for _, file, start, stop in _directives(page.read_text(encoding="utf-8")):
            if file == "README.md":
                title = [f"## {start}"] if start else []
                for anchor in anchors("\n".join([*title, _included(file, start, stop)])):
                    _ANCHOR_PAGES.setdefault(anchor, name)
    return files


def expand(markdown: str, page_path: str, repo_url: str | None) -> str:
    """``markdown`` of the page at ``page_path`` with its includes and links resolved.

    ``page_path`` is relative to docs/.
    """
    page_dir = posixpath.dirname(posixpath.join("docs", page_path))
    markdown = rewrite_links(markdown, page_dir, page_dir, _ANCHOR_PAGES, repo_url)
    for line, file, start, stop in _directives(markdown):
        text = _included(file, start, stop)
        text = rewrite_links(text, posixpath.dirname(file), page_dir, _ANCHOR_PAGES, repo_url)
        markdown = markdown.replace(line, text, 1)
    return markdown


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Called by mkdocs for each page: the includes and links of the page, resolved."""
    try:
        return expand(markdown, page.file.src_uri, config.get("repo_url"))
    except IncludeError as error:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{page.file.src_uri}: {error}") from error
