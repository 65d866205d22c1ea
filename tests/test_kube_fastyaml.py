"""The fast path writes the very bytes ruamel.yaml writes, or declines; what it writes reads back
exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, HOSTILE_SCALARS, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from svcgen.kube.fastyaml import fast_document, fast_documents
from svcgen.kube.yamlwrite import _plain, to_yaml

# Strings people write, and strings that break naive writers: quotes, ": ", "#", leading indicators,
# YAML 1.1 booleans and numbers-as-strings, control and non-BMP characters.
TRICKY = [
    *HOSTILE_SCALARS,
    "web",
    "app.kubernetes.io/name",
    "a: b",
    "a #b",
    "#a",
    "'q'",
    '"q"',
    "*x",
    "&x",
    "!x",
    "|x",
    ">x",
    "%x",
    "@x",
    "`x",
    "-x",
    "- x",
    "? x",
    "x:",
    ":x",
    "yes",
    "No",
    "ON",
    "true",
    "False",
    "NULL",
    "0o17",
    "+1",
    "-1",
    "0x1F",
    "1e3",
    ".5",
    "5.",
    "1_0",
    "",
    " ",
    " x",
    "x ",
    "a\nb",
    "a\tb",
    "\x00",
    "\x85",
    "\u2028",
    "é",
    "😀",
    "[x]",
    "{x}",
    "x,y",
    "a/b",
    "a.b",
    "A-1",
    "9" * 1001,
    "x" * 1000,
    "=",
    "<<",
    "0X1F",
    "0B1",
    "0O17",
    "089",
    "1E3",
    "-_1",
    "0_17",
]  # the last: numbers to kubectl (Go's syntax) only

strings = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,20}", fullmatch=True),
)
scalars = st.one_of(
    strings, st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.none()
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(strings, inner, max_size=4)
    ),
    max_leaves=12,
)
documents = st.dictionaries(strings, values, min_size=1, max_size=5)


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if isinstance(d, dict) and d]


CORPUS = sorted(
    [*EXAMPLES.glob("*/expected.yaml"), *(ROOT / "tests" / "data" / "realworld").glob("*.y*ml")]
)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.parent.name + "/" + p.name)
def test_the_examples_and_the_corpus_come_out_byte_for_byte_as_ruamel_writes_them(
    path: Path,
) -> None:
    docs = _docs(path)
    assert to_yaml(docs) == to_yaml(docs, fast=False)
    for doc in docs:  # and as ruamel.yaml's pure-Python emitter writes them
        text = fast_document(doc, _plain)
        assert text is None or text == to_yaml([doc], fast=False, pure=True)


def test_most_real_documents_take_the_fast_path() -> None:
    docs = [d for path in CORPUS for d in _docs(path)]
    fast = sum(fast_document(d, _plain) is not None for d in docs)
    assert fast / len(docs) > 0.5, (fast, len(docs))


def test_a_large_render_is_the_same_bytes_both_ways() -> None:
    from svcgen import App, Container, Port, Service
    from svcgen.render import render_manifests

    api = Container("api", ports=[Port("http", 8080), Port("dns", 53, "UDP")])
    apps = [
        App(
            f"a{i}",
            namespace=f"ns{i % 7}",
            labels={"app": f"a{i}", "tier": "true" if i % 2 else "0777"},
            containers=[api],
            services=[
                Service(
                    f"a{i}",
                    type="NodePort" if i % 3 == 0 else "ClusterIP",
                    annotations={"note": "x: y #z"} if i % 50 == 0 else {},
                    ports=[api.port("http").expose(80), api.port("dns").expose()],
                )
            ],
        )
        for i in range(500)
    ]
    manifests = render_manifests(apps).manifests
    assert to_yaml(manifests) == to_yaml(manifests, fast=False)


@pytest.mark.slow  # 200 examples: 10-14 s
@settings(max_examples=200, deadline=None)
@given(st.lists(documents, min_size=1, max_size=3))
def test_any_document_is_written_as_ruamel_writes_it_and_reads_back_exactly(
    docs: list[dict[str, Any]],
) -> None:
    text = to_yaml(docs)
    assert text == to_yaml(docs, fast=False)
    assert list(YAML(typ="safe").load_all(text)) == docs


@pytest.mark.parametrize(
    "value", [1.5, [[1]], {1: "a"}, "it's", "a\tb", "é", "x" * 1001, "a\nb", {"k" * 101: 1}]
)
def test_what_is_not_certain_is_declined(value: Any) -> None:
    assert fast_document({"k": value}, _plain) is None
    assert fast_document({}, _plain) is None


def test_strings_another_reader_would_retype_are_single_quoted() -> None:
    assert (
        fast_document({"a": "true", "b": "0777", "c": "1_000", "d": "web", "e": "80"}, _plain)
        == "a: 'true'\nb: '0777'\nc: '1_000'\nd: web\ne: '80'\n"
    )


def test_a_stream_shares_what_it_learnt_without_changing_a_byte() -> None:
    """Strings and key lines are remembered across documents, declined ones included."""
    docs: list[dict[str, Any]] = [
        {
            "metadata": {"name": "true", "labels": {"name": "web"}},
            "spec": {"ports": [{"name": "web", "port": 80}]},
        },
        {"metadata": {"name": "web", "note": "it's"}},  # declined: ruamel writes it
        {"name": {"metadata": "true"}, "web": ["name", "true", "0777"]},
    ]
    shared = list(fast_documents(docs, _plain))
    assert shared == [fast_document(d, _plain) for d in docs] and shared[1] is None
    assert to_yaml(docs) == to_yaml(docs, fast=False)


def test_a_str_subclass_is_left_to_ruamel() -> None:
    """An Enum member is a str that prints otherwise: it is never written, nor remembered, as its
    value."""
    import enum

    class Kind(str, enum.Enum):
        WEB = "web"

    assert fast_document({"name": Kind.WEB}, _plain) is None
    assert list(fast_documents([{"name": Kind.WEB}, {"name": "web"}], _plain)) == [
        None,
        "name: web\n",
    ]


# Every printable ASCII character that means something to a YAML reader or emitter, and a letter and
# a digit.
INDICATORS = " :#-?.'\"!@%`,[]{}&*|>=~\\/+;()<$^_a0"


def _both_emitters(docs: list[dict[str, Any]]) -> None:
    """Each document the fast path writes is what ruamel.yaml's C emitter and its pure-Python one
    write."""
    for doc in docs:
        text = fast_document(doc, _plain)
        if text is not None:
            assert text == to_yaml([doc], fast=False) == to_yaml([doc], fast=False, pure=True), doc


def test_every_short_string_of_indicators_is_written_as_both_emitters_write_it() -> None:
    import itertools

    strings = ["".join(chars) for n in (1, 2) for chars in itertools.product(INDICATORS, repeat=n)]
    strings += [
        "---",
        "...",
        "--- a",
        "a---",
        "...x",
        "x:",
        "x: y",
        "a #b",
        "a#b",
        "- x",
        "? x",
        ": x",
        "a:b",
        "x :",
        " x",
        "x ",
        "a  b",
        "12:30",
        "1:2",
        "on",
        "0777",
        "=",
        "<<",
    ]
    _both_emitters([{"k": s, "l": [s, {"m": s}], s: 1} for s in strings])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=INDICATORS, min_size=1, max_size=10), min_size=1, max_size=8))
def test_strings_of_indicators_are_written_as_both_emitters_write_them(strings: list[str]) -> None:
    _both_emitters([{"k": s, "l": [s], s: {"m": s}} for s in strings])


def test_a_deployment_with_images_arguments_and_commands_takes_the_fast_path() -> None:
    """Images (``:``), arguments (``=:``) and shell commands (spaces) are certain: no document goes
    to
    ruamel.yaml."""
    container = {
        "name": "app",
        "image": "registry.example.com/app:1.2@sha256:0f1e",
        "args": ["--listen=:8080"],
        "command": ["sh", "-c", "exec app --config /etc/app/config.yaml # start"],
        "env": [
            {"name": "URL", "value": "http://db:5432/app?sslmode=disable"},
            {"name": "EMPTY_LOOKING", "value": "- x"},
            {"name": "KEY", "value": "a: b"},
        ],
    }
    doc = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "app",
            "annotations": {"kubernetes.io/change-cause": "deploy 1.2: fix #12"},
        },
        "spec": {"template": {"spec": {"containers": [container]}}},
    }
    text = fast_document(doc, _plain)
    assert text is not None
    assert text == to_yaml([doc], fast=False) == to_yaml([doc], fast=False, pure=True)
