"""The documentation site: mkdocs.yml, its pages in docs/ and the hook that includes README.md's
sections.

The slow test builds the site with ``mkdocs build --strict`` as CI does; the others check the
include hook (docs/hooks/include.py) and that every section of the README is on some page.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "svcgen_docs_include", ROOT / "docs" / "hooks" / "include.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _hook()

TEXT = """# Title

intro, [a page](docs/never.md)

## First

first text, see [below](#second-one)

```yaml
# not a heading
a: [x](docs/nothing-here.md)
```

### Inner

inner text, [a test](tests/conftest.py), ![picture](docs/explain-seed.svg)

## Second one

second text
"""


def test_a_section_is_its_text_without_its_title_with_its_subheadings_moved_up() -> None:
    assert hook.section(TEXT, "First") == (
        "first text, see [below](#second-one)\n\n```yaml\n# not a heading\na: "
        "[x](docs/nothing-here.md)\n```\n\n"
        "## Inner\n\ninner text, [a test](tests/conftest.py), ![picture](docs/explain-seed.svg)\n"
    )
    assert (
        hook.section(TEXT, "Inner")
        == "inner text, [a test](tests/conftest.py), ![picture](docs/explain-seed.svg)\n"
    )
    assert hook.section(TEXT, "Title", "First") == "intro, [a page](docs/never.md)\n"
    assert hook.section(TEXT).startswith("intro,") and hook.section(TEXT).endswith(
        "## Second one\n\nsecond text\n"
    )


def test_a_heading_that_is_not_there_is_an_error() -> None:
    with pytest.raises(hook.IncludeError, match='no heading "Third"'):
        hook.section(TEXT, "Third")
    with pytest.raises(hook.IncludeError, match='no heading "Third" after "First"'):
        hook.section(TEXT, "First", "Third")


def test_links_point_where_the_included_text_now_stands() -> None:
    first = hook.section(TEXT, "First") + hook.section(TEXT, "Inner")
    fixed = hook.rewrite_links(first, "", "docs", {"second-one": "sharing.md"}, None)
    assert "see [below](sharing.md#second-one)" in fixed
    assert "a: [x](docs/nothing-here.md)" in fixed  # code is left alone
    assert "[a test]" not in fixed and "inner text, a test, ![picture](explain-seed.svg)" in fixed
    deeper = hook.rewrite_links(
        first, "", "docs/reference", {"second-one": "sharing.md"}, "https://example.org/x/"
    )
    assert (
        "see [below](../sharing.md#second-one)" in deeper
        and "![picture](../explain-seed.svg)" in deeper
    )
    assert "[a test](https://example.org/x/blob/HEAD/tests/conftest.py)" in deeper
    page = (
        "[same page](#here), [a test](../tests/conftest.py), [lint](lint-checks.md#x), "
        "[w](https://k8s.io)"
    )
    assert hook.rewrite_links(page, "docs", "docs", {}, None) == (
        "[same page](#here), a test, [lint](lint-checks.md#x), [w](https://k8s.io)"
    )


def test_a_link_that_leads_nowhere_is_an_error() -> None:
    with pytest.raises(hook.IncludeError, match="link #nowhere: no page includes that heading"):
        hook.rewrite_links("[x](#nowhere)", "", "docs", {}, None)
    with pytest.raises(
        hook.IncludeError, match=r"link docs/gone\.md: docs/gone\.md does not exist"
    ):
        hook.rewrite_links("[x](docs/gone.md)", "", "docs", {}, None)


def _covered_readme_headings() -> set[str]:
    """Titles of the README headings that some page includes (the start heading and all inside)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    covered = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for _, file, start, stop in hook._directives(page.read_text(encoding="utf-8")):
            if file == "README.md":
                covered.add(start)
                covered |= {
                    m.group(2)
                    for m in map(hook.HEADING.match, hook.section(readme, start, stop).splitlines())
                    if m
                }
    return covered


def test_every_section_of_the_readme_is_on_a_page_of_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    headings = {title for _, _, title in hook._headings(readme)}
    assert "Sharing a cluster" in headings
    missing = sorted(headings - _covered_readme_headings())
    assert not missing, (
        "README sections on no page of the site (add an include line to a page in docs/): "
        f"{missing}"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-5000:]
    assert "WARNING" not in built.stderr, built.stderr
    return out


def _text(page: Path) -> str:
    """The words of a built page (tags dropped, entities decoded, white space collapsed)."""
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split()
    )


def _letters(text: str) -> str:
    """``text`` without white space (a tag's place in HTML leaves a space where the Markdown had
    none)."""
    return "".join(text.split())


def _words(markdown: str) -> str:
    """The text of a Markdown paragraph: no emphasis, code marks or link targets."""
    return re.sub(r"[*`]|\]\([^)]*\)|\[", "", markdown)


@pytest.mark.slow
def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    pages = {
        p.parent.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if "assets" not in p.parts
    }
    assert pages == {
        ".",
        "getting-started",
        "nodeports",
        "sharing",
        "commands",
        "checks",
        "pictures",
        "gitops",
        "reference/dsl",
        "reference/library",
        "lint-checks",
        "service-rules",
        "never",
        "development",
        "changelog",
    }
    assert not (site / "hooks").exists() and not list(site.glob("*.mmd"))


@pytest.mark.slow
def test_the_readme_sections_are_on_the_site_word_for_word(site: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for title, page in [
        ("Sharing a cluster", "sharing"),
        ("The command line", "commands"),
        ("What is checked", "checks"),
        ("Library use", "reference/library"),
    ]:
        text = re.sub(
            r"^```.*?^```$", "", hook.section(readme, title), flags=re.MULTILINE | re.DOTALL
        )
        prose = [p for p in text.split("\n\n") if re.match(r"[A-Za-z]", p)]
        assert _letters(_words(prose[0])) in _letters(_text(site / page / "index.html")), title
    assert "Keep a Changelog" in _text(site / "changelog" / "index.html")


@pytest.mark.slow
def test_the_dsl_reference_lists_every_argument_from_the_docstrings(site: Path) -> None:
    import svcgen

    page = _text(site / "reference" / "dsl" / "index.html")
    for cls in (
        svcgen.App,
        svcgen.Container,
        svcgen.Port,
        svcgen.Service,
        svcgen.Ingress,
        svcgen.NetworkPolicy,
    ):
        assert f"{cls.__name__} " in page
        for field in cls.model_fields:
            if field != "location":
                assert re.search(rf"\b{field}\b", page), (cls.__name__, field)
    assert (
        "the Service's name (a DNS-1035 label: starts with a letter)" in page
    )  # Service's docstring


@pytest.mark.slow
def test_the_pictures_and_the_guarantees_are_on_the_site(site: Path) -> None:
    for picture in ("explain-seed.svg", "explain-webshop.svg", "explain-platform.svg"):
        assert (site / picture).read_bytes() == (ROOT / "docs" / picture).read_bytes()
        assert f'src="../{picture}"' in (site / "pictures" / "index.html").read_text(
            encoding="utf-8"
        )
    never = _text(site / "never" / "index.html")
    named = re.findall(
        r"`(test_\w+\.py::test_\w+)`", (ROOT / "docs" / "never.md").read_text(encoding="utf-8")
    )
    assert named and all(name in never for name in named)
