"""YAML output: block style, order kept, strings that any YAML reader keeps as strings."""

from __future__ import annotations

import io

import pytest
from ruamel.yaml import YAML

from svcgen.kube.yamlread import load_documents
from svcgen.kube.yamlwrite import C_EMITTER, to_yaml


def test_empty_stream() -> None:
    assert to_yaml([]) == ""


def test_block_style_order_and_separators() -> None:
    text = to_yaml([{"b": 1, "a": [{"x": 1}]}, {"c": "d"}])
    assert text == "b: 1\na:\n- x: 1\n---\nc: d\n"


AMBIGUOUS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "True",
    "null",
    "~",
    "",
    "0777",
    "0o17",
    "1_000",
    "12:30",
    "1e3",
    "1.5",
    "0x1F",
    "2001-12-14",
    ".inf",
    "-.5",
    "None",
    "8080",
    "-1",
]


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_strings_stay_strings_in_yaml_1_1_and_1_2(version: str) -> None:
    text = to_yaml([{"labels": {value: value for value in AMBIGUOUS}}])
    yaml = YAML(typ="safe", pure=True)
    loaded = yaml.load(f"%YAML {version}\n---\n" + text)
    assert loaded == {"labels": {value: value for value in AMBIGUOUS}}


def test_plain_strings_are_not_quoted_and_numbers_are_numbers() -> None:
    text = to_yaml([{"name": "my-service", "port": 8080, "flag": False, "clusterIP": "None"}])
    assert "name: my-service\n" in text and "port: 8080\n" in text and "flag: false\n" in text
    assert YAML(typ="safe").load(io.StringIO(text))["port"] == 8080


def test_long_values_are_not_folded() -> None:
    value = "word " * 200
    assert len(to_yaml([{"a": value.strip()}]).splitlines()) == 1


def test_the_c_emitter_is_installed() -> None:
    # ruamel.yaml[oldlibyaml] brings ruamel.yaml.clib: without it renders are three times slower.
    assert C_EMITTER


def test_c_and_pure_emitters_give_the_same_bytes() -> None:
    # One known difference is left alone: characters beyond U+FFFF (emoji), which libyaml escapes.
    docs = [
        {
            "apiVersion": "v1",
            "metadata": {
                "name": "x",
                "labels": {v: v for v in AMBIGUOUS},
                "annotations": {
                    "a": "héllo wörld",
                    "b": "line1\nline2",
                    "c": "x" * 500,
                    "d": "word " * 1200,
                    "e": "tab\there",
                    "f": "\u00a0 x",
                    "g": "a: b",
                    "h": "- x",
                    "i": "#x",
                    "j": "x #y",
                    "k": " lead",
                    "l": "trail ",
                    "m": "{a}",
                    "n": "\x7f",
                    "p": "cr\rlf\r\n",
                    "q": "a\x85b",
                    "r": "x\u2028y",
                    "s": "\u2029",
                },
            },
            "spec": {"ports": [{"port": 80, "flag": True}], "empty": {}, "list": []},
        }
    ] * 3
    assert to_yaml(docs) == to_yaml(docs, pure=True)
    assert [
        d.value for d in load_documents(to_yaml(docs, pure=True))
    ] == docs  # YAML's NEL, LS, PS kept too


def test_the_same_object_twice_is_written_twice_not_aliased() -> None:
    shared = {"app": "x"}
    assert "&" not in to_yaml([{"a": shared, "b": shared}])


def _alternatives(pattern: str) -> set[str]:
    """The words of a resolver pattern that is one alternation of literals, ``^(?:a|b|c)$``
    (VERBOSE)."""
    assert pattern.startswith("^(?:") and pattern.endswith(")$")
    return {"".join(word.split()) for word in pattern[4:-2].split("|")}


def test_strings_starting_with_other_characters_match_only_the_boolean_and_null_words() -> None:
    """_plain's shortcut is exact: a scalar starting with a character only word lists take is a word
    or
    a str."""
    from ruamel.yaml.resolver import implicit_resolvers

    from svcgen.kube.yamlwrite import _RESOLVER_FIRST, _WORDS, _YAML_VERSIONS

    words: set[str] = set()
    for versions, tag, regexp, first in implicit_resolvers:
        if not any(v in versions for v in _YAML_VERSIONS) or set(first) <= _RESOLVER_FIRST | {""}:
            continue
        assert tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
        literal = {w for w in _alternatives(regexp.pattern) if w}
        assert all(w.isalpha() or w == "~" for w in literal)
        words |= {w for w in literal if w[0] not in _RESOLVER_FIRST}
    assert words == _WORDS


# Near misses of the words (case, suffixes, a trailing newline, which "$" matches before), and
# others.
SHORTCUT = sorted(
    {
        w
        for base in ("yes", "no", "on", "off", "true", "false", "null", "y", "n")
        for w in (
            base,
            base.upper(),
            base.title(),
            base.swapcase(),
            base + "x",
            "x" + base,
            base + " ",
            base + "\n",
            base + "-1",
            base + ":",
        )
    }
    | set(AMBIGUOUS)
    | {
        "v1",
        "NodePort",
        "TCP",
        "my-service",
        "MyApp",
        "/x",
        "_y",
        "a1e3",
        "x0777",
        "Infinity",
        "NaN",
        "nan",
        "inf",
        "0777",
        "<<",
        "=",
        "!",
        "~",
        "O",
        "o",
        "T",
    }
)


@pytest.mark.parametrize("value", SHORTCUT)
def test_plain_agrees_with_the_yaml_resolvers_and_kubectl(value: str) -> None:
    from svcgen.kube.yamlwrite import _implicit_tag, _plain, _ruamel_kit

    assert _plain(value) == (_implicit_tag(value) is _ruamel_kit().str)
