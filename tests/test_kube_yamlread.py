"""Reading untrusted YAML: values, positions, YAML 1.1 scalars, and every hostile case."""

from __future__ import annotations

import time

import pytest
from conftest import HOSTILE_SCALARS

from svcgen.kube.yamlread import MAX_DEPTH, load_documents


def values(text: str) -> list[object]:
    return [d.value for d in load_documents(text)]


def test_multi_document_stream_and_positions() -> None:
    docs = load_documents("a: 1\nb:\n  c: [x, z]\n---\n- 1\n")
    assert [d.value for d in docs] == [{"a": 1, "b": {"c": ["x", "z"]}}, [1]]
    assert docs[0].where(("b", "c", 1)) == (3, 10)
    assert docs[0].where(("b", "missing")) == (2, 1)
    assert docs[1].index == 1


@pytest.mark.parametrize(("text", "value"), [
    ("yes", True), ("on", True), ("Off", False), ("n", False), ("true", True), ("~", None), ("null", None),
    ("", None), ("010", 8), ("0x1F", 31), ("0b101", 5), ("1_000", 1000), ("1:30", "1:30"), ("-12", -12),
    ("1.5", 1.5), ("'1.5'", "1.5"), ('"yes"', "yes"), ("!!str 80", "80"), ("!!int '80'", 80), ("8080", 8080),
    ("0o17", "0o17"), ("1e3", "1e3"), ("2001-12-14", "2001-12-14"), ("hello", "hello"),
])
def test_scalars_resolve_as_kubectl_reads_them(text: str, value: object) -> None:
    """go-yaml v2 (kubectl): YAML 1.1 booleans, no base-60 numbers ("purposefully unsupported" in its resolve.go)."""
    assert values(f"k: {text}\n") == [{"k": value}]


def test_json_input() -> None:
    assert values('{"kind": "List", "items": [{"a": 1}]}') == [{"kind": "List", "items": [{"a": 1}]}]


def test_merge_keys_and_aliases() -> None:
    assert values("b: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n") == [
        {"b": {"x": 1, "z": 2}, "m": {"x": 1, "z": 3}}]


def test_keys_become_strings_as_kubectl_makes_them() -> None:
    # YAML 1.1 reads the key y as a bool; kubectl's JSON conversion then spells it "true".
    assert values("y: 1\n80: http\nnull: x\n") == [{"true": 1, "80": "http", "null": "x"}]


@pytest.mark.parametrize(("text", "message"), [
    ("a: 1\na: 2\n", 'duplicate key "a"'),
    ("? [1]\n: 2\n", "a mapping key must be a scalar"),
    ("a: *nope\n", 'unknown alias "*nope"'),
    ("a: !!python/object/apply:os.system ['true']\n", "unsupported tag"),
    ("a: !!python/name:os.system\n", "unsupported tag"),
    ("a: !custom {x: 1}\n", "unsupported tag"),
    ("a: [\n", "not valid YAML"),
    ("a: b: c\n", "not valid YAML"),
    ("\t- a\n", "not valid YAML"),
])
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


def test_integers_wider_than_64_bits_are_refused_where_they_stand() -> None:
    documents = load_documents("a: 1\n---\nb: 18446744073709551616\n---\nc: 18446744073709551615\n")
    assert [d.value for d in documents] == [{"a": 1}, None, {"c": 18446744073709551615}]
    error = documents[1].error
    assert error is not None and error.position == (3, 4)
    assert error.message == "integer 18446744073709551616 is out of range: Kubernetes integers have at most 64 bits"


@pytest.mark.slow
def test_a_large_file_of_plain_values_is_not_an_alias_bomb() -> None:
    """Only what aliases repeat counts toward MAX_NODES; a big `kubectl get -o yaml` dump is read."""
    from svcgen.kube.yamlread import MAX_NODES

    rows = MAX_NODES // 4 + 1000  # more than MAX_NODES values, written out, no alias
    text = "".join(f"- {{a: {i}, b: x, c: y}}\n" for i in range(rows))
    (doc,) = load_documents(text)
    assert doc.error is None and len(doc.value) == rows
