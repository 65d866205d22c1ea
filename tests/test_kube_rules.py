"""The API server's field rules, with cases from apimachinery's validation_test.go."""

from __future__ import annotations

import pytest

from svcgen.kube import rules


@pytest.mark.parametrize(
    "value",
    [
        "a",
        "ab",
        "abc",
        "a1",
        "a-1",
        "a--1--2--b",
        "0",
        "01",
        "012",
        "1a",
        "1-a",
        "1--a--b--2",
        "a" * 63,
    ],
)
def test_dns1123_label_valid(value: str) -> None:
    assert rules.dns1123_label(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "A",
        "ABC",
        "aBc",
        "A1",
        "A-1",
        "1-A",
        "-",
        "a-",
        "-a",
        "1-",
        "-1",
        "_",
        "a_",
        "_a",
        "a_b",
        "1_",
        "_1",
        "1_2",
        ".",
        "a.",
        ".a",
        "a.b",
        "1.",
        ".1",
        "1.2",
        " ",
        "a ",
        " a",
        "a b",
        "1 ",
        " 1",
        "1 2",
        "a" * 64,
        "a\n",
    ],
)
def test_dns1123_label_invalid(value: str) -> None:
    assert rules.dns1123_label(value) != []


def test_dns1123_label_messages() -> None:
    assert rules.dns1123_label("a.b") == ["must not contain dots"]
    assert rules.dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert rules.dns1123_label("A") == [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "a",
        "ab",
        "abc",
        "a1",
        "a-1",
        "a--1--2--b",
        "0",
        "01",
        "012",
        "1a",
        "1-a",
        "1--a--b--2",
        "a.a",
        "ab.a",
        "abc.a",
        "a1.a",
        "a-1.a",
        "a--1--2--b.a",
        "a.1",
        "ab.1",
        "abc.1",
        "a1.1",
        "a-1.1",
        "a--1--2--b.1",
        "0.a",
        "01.a",
        "012.a",
        "1a.a",
        "1-a.a",
        "1--a--b--2",
        "a" * 253,
    ],
)
def test_dns1123_subdomain_valid(value: str) -> None:
    assert rules.dns1123_subdomain(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "",
        "A",
        "ABC",
        "aBc",
        "A1",
        "A-1",
        "1-A",
        "-",
        "a-",
        "-a",
        "1-",
        "-1",
        "_",
        "a_",
        "_a",
        "a_b",
        "1_",
        "_1",
        "1_2",
        ".",
        "a.",
        ".a",
        "a..b",
        "1.",
        ".1",
        "1..2",
        " ",
        "a ",
        " a",
        "a b",
        "1 ",
        " 1",
        "1 2",
        "A.a",
        "aB.a",
        "ab.A",
        "A1.a",
        "a1.A",
        "A.1",
        "aB.1",
        "A1.1",
        "1A.1",
        "0.A",
        "01.A",
        "012.A",
        "1A.a",
        "1a.A",
        "A.B.C.D.E",
        "AA.BB.CC.DD.EE",
        "a.B.c.d.e",
        "aa.bB.cc.dd.ee",
        "a@b",
        "a,b",
        "a_b",
        "a;b",
        "a:b",
        "a%b",
        "a?b",
        "a$b",
        "a" * 254,
    ],
)
def test_dns1123_subdomain_invalid(value: str) -> None:
    assert rules.dns1123_subdomain(value) != []


@pytest.mark.parametrize("value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "a" * 63])
def test_dns1035_label_valid(value: str) -> None:
    assert rules.dns1035_label(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "01",
        "012",
        "1a",
        "1-a",
        "1--a--b--2",
        "",
        "A",
        "ABC",
        "aBc",
        "A1",
        "A-1",
        "1-A",
        "-",
        "a-",
        "-a",
        "1-",
        "-1",
        "_",
        "a_",
        "_a",
        "a_b",
        "1_",
        "_1",
        "1_2",
        ".",
        "a.",
        ".a",
        "a.b",
        "1.",
        ".1",
        "1.2",
        " ",
        "a ",
        " a",
        "a b",
        "1 ",
        " 1",
        "1 2",
        "a" * 64,
    ],
)
def test_dns1035_label_invalid(value: str) -> None:
    assert rules.dns1035_label(value) != []


@pytest.mark.parametrize(
    "value",
    [
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "1234",
        "simple/simple",
        "now-with-dashes/simple",
        "now-with-dashes/now-with-dashes",
        "now.with.dots/simple",
        "now-with.dashes-and.dots/simple",
        "1-num.2-num/3-num",
        "1234/5678",
        "1.2.3.4/5678",
        "Uppercase_Is_OK_123",
        "example.com/Uppercase_Is_OK_123",
        "requests.storage-foo",
        "a" * 63,
        "a" * 253 + "/" + "b" * 63,
    ],
)
def test_qualified_name_valid(value: str) -> None:
    assert rules.qualified_name(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "nospecialchars%^=@",
        "cantendwithadash-",
        "-cantstartwithadash-",
        "only/one/slash",
        "Example.com/abc",
        "example_com/abc",
        "example.com/",
        "/simple",
        "a" * 64,
        "a" * 254 + "/abc",
        "~https",
        "x/a{b}",
    ],
)
def test_qualified_name_invalid(value: str) -> None:
    assert rules.qualified_name(value) != []


def test_qualified_name_messages() -> None:
    assert rules.qualified_name("/simple") == ["prefix part must be non-empty"]
    assert rules.qualified_name("example.com/") == [
        "name part must be non-empty",
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]
    assert rules.qualified_name("a/b/c")[0].startswith("a valid label key must consist of")


@pytest.mark.parametrize(
    "value",
    [
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "end-with-num-1",
        "1234",
        "a" * 63,
        "",
        "A.B_c-1",
    ],
)
def test_label_value_valid(value: str) -> None:
    assert rules.label_value(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "nospecialchars%^=@",
        "Tama-nui-te-rā.is.Māori.sun",
        "\\backslashes\\are\\bad",
        "-starts-with-dash",
        "ends-with-dash-",
        ".starts.with.dot",
        "ends.with.dot.",
        "a" * 64,
        "has space",
    ],
)
def test_label_value_invalid(value: str) -> None:
    assert rules.label_value(value) != []


@pytest.mark.parametrize(
    "value", ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]
)
def test_port_name_valid(value: str) -> None:
    assert rules.port_name(value) == []


@pytest.mark.parametrize(
    ("value", "messages"),
    [
        ("longerthan15characters", ["must be no more than 15 characters"]),
        (
            "",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("h_it", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]),
        ("12345", ["must contain at least one letter (a-z)"]),
        ("1-2-3-4", ["must contain at least one letter (a-z)"]),
        ("a--b", ["must not contain consecutive hyphens"]),
        ("-ab", ["must not begin or end with a hyphen"]),
        ("ab-", ["must not begin or end with a hyphen"]),
        (
            "HTTP",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("http\n", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]),
    ],
)
def test_port_name_invalid(value: str, messages: list[str]) -> None:
    assert rules.port_name(value) == messages


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (65535, True), (0, False), (-1, False), (65536, False)]
)
def test_port_number(value: int, ok: bool) -> None:
    assert (rules.port_number(value) == []) is ok


def test_external_name_allows_one_trailing_dot() -> None:
    assert rules.external_name("db.example.com.") == []
    assert rules.external_name("db.example.com..") != []
    assert rules.external_name("DB.example.com") != []


def test_go_length_counts_bytes() -> None:
    # Go's len() counts UTF-8 bytes: 32 two-byte characters exceed the 63 limit.
    assert "must be no more than 63 bytes" in rules.label_value("é" * 32)


def test_annotation_size_limit() -> None:
    assert rules.annotations_size({"a": "x" * (256 * 1024 - 1)}) == []
    assert rules.annotations_size({"a": "x" * (256 * 1024)}) == [
        "may not be more than 262144 bytes"
    ]


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (86400, True), (0, False), (86401, False), (-5, False)]
)
def test_session_affinity_timeout(value: int, ok: bool) -> None:
    assert (rules.session_affinity_timeout(value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("10.0.0.0/8", True),
        (" 10.0.0.0/8 ", True),
        ("2001:db8::/32", True),
        ("10.0.0.1", False),
        ("10.0.0.0/33", False),
        ("nope", False),
    ],
)
def test_ip_cidr(value: str, ok: bool) -> None:
    assert (rules.ip_cidr(value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("*.example.com", True),
        ("*.a", True),
        ("*", False),
        ("*.", False),
        ("a.*.example.com", False),
        ("*.Example.com", False),
        ("**.example.com", False),
        ("*." + "a" * 252, False),
    ],
)
def test_wildcard_dns1123_subdomain(value: str, ok: bool) -> None:
    """IsWildcardDNS1123Subdomain (apimachinery validation.go and its tests' cases)."""
    assert (rules.wildcard_dns1123_subdomain(value) == []) is ok


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", "1/10"),
        ("1Gi", "1073741824"),
        ("1e3", "1000"),
        ("1.5", "3/2"),
        (".5", "1/2"),
        ("-1", "-1"),
        ("2k", "2000"),
        ("1E-2", "1/100"),
        ("500n", "1/2000000"),
        (3, "3"),
        (0.25, "1/4"),
    ],
)
def test_parse_quantity(text: str | int | float, value: str) -> None:
    from fractions import Fraction

    assert rules.parse_quantity(text) == Fraction(value)
    assert rules.quantity(text) == []


def test_quantities_of_any_size_are_exact_and_fast() -> None:
    # More digits than Python turns into an int, an exponent far out, one past an int32 (as
    # Kubernetes refuses).
    from decimal import Decimal, localcontext

    with localcontext(prec=6000):
        assert rules.parse_quantity("9" * 5000 + "Ei") == Decimal("9" * 5000) * 1024**6
    assert rules.parse_quantity("1e2000000000") > rules.parse_quantity("9" * 5000)  # type: ignore[operator]
    assert rules.parse_quantity("1e-2000000000") < rules.parse_quantity("1n")  # type: ignore[operator]
    assert (
        rules.parse_quantity("1e2147483647") is not None
        and rules.parse_quantity("1e2147483648") is None
    )
    assert (
        rules.parse_quantity("1e-2147483648") is not None
        and rules.parse_quantity("1e-2147483649") is None
    )
    assert rules.parse_quantity("1e" + "0" * 50 + "3") == 1000
    assert rules.parse_quantity("1e" + "9" * 5000) is None


@pytest.mark.parametrize("text", ["", "x", "1Gb", "1 Gi", "Gi", "1KiB", "1e", "--1", "1.2.3"])
def test_a_quantity_that_does_not_parse(text: str) -> None:
    assert rules.parse_quantity(text) is None
    assert rules.quantity(text) == [
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    ]


def test_env_var_names_strict_and_relaxed() -> None:
    for good in ("A", "my.env-name", "_X1", "-a"):
        assert rules.env_var_name(good, relaxed=False) == []
    assert rules.env_var_name("1A", relaxed=False) == [
        "a valid environment variable name must consist of alphabetic characters, digits, '_', "
        "'-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
        "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
    ]
    assert rules.env_var_name("1A a:b") == []
    relaxed = [
        "a valid environment variable name must consist only of printable ASCII characters other "
        "than '='"
    ]
    assert rules.env_var_name("A=B") == relaxed
    assert rules.env_var_name("A\tB") == relaxed
    assert rules.env_var_name("é") == relaxed


@pytest.mark.parametrize(
    ("path", "errors"),
    [
        ("data", []),
        ("a/b..c", []),
        ("/abs", ["must be a relative path"]),
        ("..", ["must not contain '..'"]),
        ("a/../b", ["must not contain '..'"]),
        ("/../x", ["must be a relative path", "must not contain '..'"]),
    ],
)
def test_local_descending_path(path: str, errors: list[str]) -> None:
    assert rules.local_descending_path(path) == errors


def test_name_rules_remember_only_valid_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid name is checked once (names repeat across a project); an invalid one each time, same
    messages."""
    first = rules.dns1123_label("remembered-name")
    invalid = rules.dns1123_label("Not_Valid")

    class Broken:
        def fullmatch(self, value: str) -> None:
            raise AssertionError(f"{value!r} checked again")

    monkeypatch.setattr(rules, "_DNS1123_LABEL_RE", Broken())
    again = rules.dns1123_label("remembered-name")
    assert first == again == [] and again is not first  # a new list: callers may extend it
    with pytest.raises(AssertionError, match="Not_Valid"):
        rules.dns1123_label("Not_Valid")
    monkeypatch.undo()
    assert rules.dns1123_label("Not_Valid") == invalid != []
