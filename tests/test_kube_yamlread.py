"""Reading untrusted YAML: values, positions, YAML 1.1 scalars, and every hostile case."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import HOSTILE_SCALARS
from fakeapi import fake_api_server
from hypothesis import given, settings
from hypothesis import strategies as st

from svcgen.kube.yamlread import MAX_DEPTH, load_documents


def values(text: str) -> list[object]:
    return [d.value for d in load_documents(text)]


def test_multi_document_stream_and_positions() -> None:
    docs = load_documents("a: 1\nb:\n  c: [x, z]\n---\n- 1\n")
    assert [d.value for d in docs] == [{"a": 1, "b": {"c": ["x", "z"]}}, [1]]
    assert docs[0].where(("b", "c", 1)) == (3, 10)
    assert docs[0].where(("b", "missing")) == (2, 1)
    assert docs[1].index == 1


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("on", True),
        ("Off", False),
        ("n", False),
        ("true", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("010", 8),
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("1:30", "1:30"),
        ("-12", -12),
        ("1.5", 1.5),
        ("'1.5'", "1.5"),
        ('"yes"', "yes"),
        ("!!str 80", "80"),
        ("!!int '80'", 80),
        ("8080", 8080),
        ("2001-12-14", "2001-12-14"),
        ("hello", "hello"),
        # What kubectl 1.32.4 sent a local API server for `port: TEXT` (sigs.k8s.io/yaml: go-yaml
        # v2's resolve(),
        # Go's ParseInt with base 0, then encoding/json, which writes a float with no fraction as an
        # integer):
        ("0o17", 15),
        ("0O17", 15),
        ("-0o17", -15),
        ("0X1F", 31),
        ("0B101", 5),
        ("080", 80),
        ("0_17", 15),
        ("1e3", 1000),
        ("1E3", 1000),
        ("+1e3", 1000),
        ("1e+3", 1000),
        ("1_0e1", 100),
        ("1_000e-1", 100),
        ("80.0", 80),
        ("80.", 80),
        ("-0.0", 0),
        (".5", 0.5),
        ("-.5", -0.5),
        ("1e20", 10**20),
        ("1e21", 1e21),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", 9223372036854776000),
        ("18446744073709551616", 18446744073709552000),
        ("1e400", "1e400"),
        ("0x", "0x"),
        ("0b", "0b"),
        ("0o", "0o"),
        ("_1", "_1"),
        ("2024-1-2", "2024-1-2"),
    ],
)
def test_scalars_resolve_as_kubectl_reads_them(text: str, value: object) -> None:
    """go-yaml v2 (kubectl): YAML 1.1 booleans, no base-60 numbers ("purposefully unsupported" in
    its resolve.go)."""
    (found,) = values(f"k: {text}\n")
    assert found == {"k": value} and type(found["k"]) is type(value)


def test_json_input() -> None:
    assert values('{"kind": "List", "items": [{"a": 1}]}') == [
        {"kind": "List", "items": [{"a": 1}]}
    ]


def test_merge_keys_and_aliases() -> None:
    assert values("b: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n") == [
        {"b": {"x": 1, "z": 2}, "m": {"x": 1, "z": 3}}
    ]


def test_keys_become_strings_as_kubectl_makes_them() -> None:
    # YAML 1.1 reads the key y as a bool; kubectl's JSON conversion then spells it "true".
    assert values("y: 1\n80: http\nnull: x\n") == [{"true": 1, "80": "http", "null": "x"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", 'duplicate key "a"'),
        ("? [1]\n: 2\n", "a mapping key must be a scalar"),
        ("a: *nope\n", 'unknown alias "*nope"'),
        ("a: !!python/object/apply:os.system ['true']\n", "unsupported tag"),
        ("a: !!python/name:os.system\n", "unsupported tag"),
        ("a: !custom {x: 1}\n", "unsupported tag"),
        ("a: [\n", "not valid YAML"),
        ("a: b: c\n", "not valid YAML"),
        ("\t- a\n", "not valid YAML"),
    ],
)
def test_bad_documents_are_errors_with_a_position(text: str, message: str) -> None:
    (doc,) = load_documents(text)
    assert doc.error is not None and message in doc.error.message and doc.value is None


def test_an_error_does_not_lose_the_documents_before_it() -> None:
    docs = load_documents("a: 1\n---\nb: !!python/object:x 1\n---\nc: 3\n")
    assert [d.value for d in docs] == [{"a": 1}, None, {"c": 3}]
    assert docs[1].error is not None


def test_billion_laughs_fails_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    (doc,) = load_documents("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert doc.error is not None and "alias bomb" in doc.error.message


def test_deep_nesting_is_refused() -> None:
    (doc,) = load_documents("[" * 100_000 + "]" * 100_000)
    assert doc.error is not None and f"nested more than {MAX_DEPTH} levels" in doc.error.message
    (doc,) = load_documents("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 150)))
    assert doc.error is None


def test_huge_flat_documents_are_fine() -> None:
    text = "items:\n" + "".join(f"- {{name: n{i}, port: {i}}}\n" for i in range(20000))
    (doc,) = load_documents(text)
    assert doc.error is None and len(doc.value["items"]) == 20000


def test_empty_and_comment_only_streams() -> None:
    assert values("") == [] and values("# nothing\n") == [] and values("---\n---\n") == [None, None]


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
def test_hostile_scalars_give_a_value_or_an_error_with_a_position(scalar: str) -> None:
    (document,) = load_documents(f"kind: Service\nspec:\n  port: {scalar}\n")
    if document.error is not None:
        assert document.error.position == (3, 9) and "out of range" in document.error.message
    else:
        assert isinstance(document.value, dict) and "port" in document.value["spec"]


def test_numbers_wider_than_64_bits_are_what_kubectl_sends() -> None:
    """A wide hex, octal or binary number stays the text, a wide decimal is a float; leading zeros
    do not count."""
    documents = load_documents(
        "a: 0x1_0000_0000_0000_0000\n---\nb: 0xFFFF_FFFF_FFFF_FFFF\n---\n"
        "c: -0x8000_0000_0000_0001\n---\nd: 123456789012345678901234\n---\n"
        f"e: 0x{'0' * 70}1f\n---\nf: {'0' * 70}17\n"
    )
    assert [d.value for d in documents] == [
        {"a": "0x1_0000_0000_0000_0000"},
        {"b": 18446744073709552000},
        {"c": "-0x8000_0000_0000_0001"},
        {"d": 1.2345678901234568e23},
        {"e": 31},
        {"f": 15},
    ]


def test_a_hundred_thousand_digits_take_no_time() -> None:
    start = time.perf_counter()
    (document,) = load_documents(f"a: {'9' * 100_000}\nb: 0x{'f' * 100_000}\n")
    assert document.value == {
        "a": "9" * 100_000,
        "b": "0x" + "f" * 100_000,
    }  # kubectl: ParseFloat fails, too wide
    assert time.perf_counter() - start < 5


@pytest.mark.slow
def test_a_large_file_of_plain_values_is_not_an_alias_bomb() -> None:
    """Only what aliases repeat counts toward MAX_NODES; a big `kubectl get -o yaml` dump is
    read."""
    from svcgen.kube.yamlread import MAX_NODES

    rows = MAX_NODES // 4 + 1000  # more than MAX_NODES values, written out, no alias
    text = "".join(f"- {{a: {i}, b: x, c: y}}\n" for i in range(rows))
    (doc,) = load_documents(text)
    assert doc.error is None and len(doc.value) == rows


# Plain scalars whose reading differs between YAML 1.1, YAML 1.2 and kubectl's reader, and some that
# do not.
KUBECTL_SCALARS = [
    "80",
    "80.0",
    "80.",
    "8e1",
    "1e3",
    "1E3",
    "+1e3",
    "1_000e-1",
    "0o120",
    "0O120",
    "-0o17",
    "0x50",
    "0X50",
    "+0x1F",
    "0b1010000",
    "0B101",
    "0120",
    "080",
    "0_17",
    "8_0",
    "1__0",
    "1_",
    "00",
    "-0",
    "-0.0",
    ".5",
    "-.5",
    "1.5",
    "1e20",
    "1e400",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "0x",
    "0b",
    "0o",
    "_1",
    "-_1",
    "+",
    "1:30",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "yes",
    "Off",
    "~",
    "null",
    ".inf",
    "-.Inf",
    "0xFFFF_FFFF",
    "web",
    "a b",
    # found by fuzzing kubectl: "_" between digits of a decimal that starts with "."; too wide;
    # zeros in front
    ".0_7",
    ".5_1e3",
    ".5_1e-400",
    "._5",
    ".5_",
    ".5__1",
    ".1E400",
    "0x10000000000000000",
    "-0x10000000000000000",
    "0x" + "0" * 66 + "f",
    "-0o" + "0" * 66 + "7",
    "0" * 70 + "777",
    "+" + "0" * 70 + "10",
]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_values_are_read_as_the_real_kubectl_sends_them(tmp_path: Path) -> None:
    """kubectl creates one Service per value on a local API server; each JSON it sent is what svcgen
    read.

    (NaN and infinities are left out: Go's encoding/json refuses them, and kubectl with them.)
    """
    scalars = [s for s in KUBECTL_SCALARS if s not in (".inf", "-.Inf")]
    stream = "---\n".join(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec:\n  ports:\n"
        f"  - port: {text}\n"
        for i, text in enumerate(scalars)
    )
    (tmp_path / "all.yaml").write_text(stream)
    with fake_api_server(tmp_path) as cluster:
        env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig), "HOME": str(tmp_path)}
        result = subprocess.run(
            ["kubectl", "create", "--validate=false", "-f", "all.yaml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
        )
        sent = {obj["metadata"]["name"]: obj["spec"]["ports"][0]["port"] for obj in cluster.posted}
    assert result.returncode == 0, result.stderr
    read = {
        d.value["metadata"]["name"]: d.value["spec"]["ports"][0]["port"]
        for d in load_documents(stream)
    }
    for i, text in enumerate(scalars):
        assert (text, read[f"s{i}"], type(read[f"s{i}"])) == (
            text,
            sent[f"s{i}"],
            type(sent[f"s{i}"]),
        )


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.sampled_from(KUBECTL_SCALARS),
        st.from_regex(r"[-+._0-9a-fA-FxXoObBeE]{1,8}", fullmatch=True),
    )
)
def test_what_svcgen_writes_kubectl_reads_back_as_the_same_string(text: str) -> None:
    from svcgen.kube.yamlwrite import to_yaml

    written = to_yaml([{"k": text}])
    assert values(written) == [{"k": text}], written


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!int 1.0", "'1.0' is not a valid !!int"),
        ("!!int abc", "'abc' is not a valid !!int"),
        ("!!bool 1", "'1' is not a valid !!bool"),
        ("!!float x", "'x' is not a valid !!float"),
    ],
)
def test_a_tag_the_value_does_not_fit_is_an_error_where_it_stands(text: str, message: str) -> None:
    """go-yaml: "cannot decode !!float `1.0` as a !!int" (an !!int must have an integer's
    syntax)."""
    (document,) = load_documents(f"a: 1\nk: {text}\n")
    assert (
        document.error is not None
        and document.error.message == message
        and document.error.position == (2, 4)
    )


def test_a_big_scalar_repeated_by_aliases_is_refused_fast() -> None:
    """A 1 MB anchored scalar is one value but a megabyte for each alias: the budget counts
    characters too."""
    from svcgen.kube.yamlread import MAX_ALIAS_CHARACTERS

    start = time.perf_counter()
    (doc,) = load_documents(f'a: &a "{"x" * 1_000_000}"\nb: [{", ".join(["*a"] * 4000)}]\n')
    assert time.perf_counter() - start < 2
    assert doc.error is not None and doc.value is None
    assert doc.error.message == (
        f"the document expands to more than {MAX_ALIAS_CHARACTERS:,} characters through "
        'aliases (here "*a": an alias bomb?); write the values out, or repeat less'
    )
    assert doc.error.position == (2, 5 + 10 * 4)  # the eleventh alias: eleven megabytes
    # keys count too, and a mapping repeats all of its scalars
    (doc,) = load_documents(f"a: &a\n  ? {'k' * 600_000}\n  : 1\nb: [{', '.join(['*a'] * 20)}]\n")
    assert doc.error is not None and "characters through aliases" in doc.error.message


def test_a_certificate_anchored_and_used_a_few_times_is_fine() -> None:
    cert = "A" * 100_000
    (doc,) = load_documents(f"a: &cert {cert}\nb: [{', '.join(['*cert'] * 50)}]\n")
    assert doc.error is None and doc.value["b"] == [cert] * 50


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path into ``node``, and beside each a key and an index that are not there."""
    found: list[tuple[object, ...]] = [prefix, (*prefix, "missing"), (*prefix, 99), (*prefix, -1)]
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in items:
        found += _paths(child, (*prefix, key))
    return found


_tree = st.recursive(
    st.integers(0, 3) | st.sampled_from(["a", "b", "<<"]) | st.none(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "0"]), inner, max_size=3)
    ),
    max_leaves=12,
)


def _positions_before_and_after_compact(text: str) -> None:
    for doc in load_documents(text):
        paths = _paths(doc.value)
        before = [doc.where(p) for p in paths]
        doc.compact()
        assert [doc.where(p) for p in paths] == before, text


@settings(max_examples=300, deadline=None)
@given(_tree, st.booleans())
def test_compacted_positions_are_the_same_positions(tree: object, flow: bool) -> None:
    import json

    from svcgen.kube.yamlwrite import to_yaml

    block = to_yaml([tree]) if isinstance(tree, dict) and tree else f"x: {json.dumps(tree)}"
    text = json.dumps(tree) if flow else block
    _positions_before_and_after_compact(text)


def test_compacted_positions_with_merge_keys_aliases_and_lists() -> None:
    _positions_before_and_after_compact(
        "base: &b {a: 1, b: [1, {c: 2}]}\nx:\n  <<: *b\n  c: 3\n---\ny:\n  <<: {a: 1}\n  b: [[1, "
        "2], {c: [3]}]\n---\nitems:\n- {a: 1}\n- - x\n  - {y: [1, 2]}\n- 3\n"
    )
    (doc,) = load_documents("a:\n  <<: {b: 1}\n  c: 2\n")
    doc.compact()
    assert doc.where(("a", "b")) == (1, 1) and doc.where(("a", "c")) == (
        3,
        3,
    )  # a merged key has no position


def test_documents_are_read_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first document is handed over before the parser has read the second."""
    from svcgen.kube import yamlread

    read: list[object] = []
    events = yamlread._events

    def counted(text: str) -> Iterator[object]:
        for event in events(text):
            read.append(event)
            yield event

    monkeypatch.setattr(yamlread, "_events", counted)
    documents = yamlread.iter_documents("a: 1\n---\nb: [1, 2, 3, 4, 5, 6]\n")
    first = next(documents)
    assert (
        first.value == {"a": 1} and len(read) <= 8
    )  # stream, document, mapping, 2 scalars, ends: not b's list
    assert [d.value for d in documents] == [{"b": [1, 2, 3, 4, 5, 6]}]


class _Text(str):
    """A text whose release can be seen (a weak reference)."""


def test_a_large_text_is_let_go_once_read_even_with_the_collector_paused() -> None:
    # The parser's loader is in a reference cycle: with the collector paused (as the CLI runs),
    # a text it held would stay in memory through everything that follows the read.
    import gc
    import weakref

    from svcgen.kube.yamlread import iter_documents

    text = _Text(
        "".join(f"---\nname: app{i}\nport: {i}\n" for i in range(20000))
    )  # ASCII, over one piece
    seen = weakref.ref(text)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        documents = iter_documents(text)
        del text
        assert sum(1 for _ in documents) == 20000
        del documents
        assert seen() is None
    finally:
        if was_enabled:
            gc.enable()


def test_a_compact_document_keeps_its_position_and_shares_its_empty_positions() -> None:
    first, second = load_documents("a: {b: 1}\n---\n\n  c: [1, 2]\n")
    for document in (first, second):
        document.compact()
    assert (first.position, second.position) == ((1, 1), (2, 1))
    assert (first.where(("a", "b")), second.where(("c", 1))) == ((1, 5), (4, 10))
    assert (
        first.key_positions == {} and first.key_positions is second.key_positions
    )  # one dict, not one each
    assert not any(
        isinstance(getattr(first, slot), tuple) for slot in type(first).__slots__
    )  # position packed
    assert first.packed == b"".join(
        n.to_bytes(8, sys.byteorder) for n in (1 << 32 | 1, 1 << 32 | 5)
    )  # a, b
