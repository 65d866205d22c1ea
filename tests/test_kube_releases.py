"""The Kubernetes versions whose API servers must accept the output, and what differs between
versions."""

from __future__ import annotations

import pytest

from svcgen.kube import schema
from svcgen.kube.releases import CHANGES, KNOWN, PORTABLE, KubeVersion


@pytest.mark.parametrize(
    ("text", "minor"), [("1.36", 36), ("v1.35.2", 35), (" 1.25 ", 25), ("1.37", 37)]
)
def test_parse_pins_one_version(text: str, minor: int) -> None:
    parsed = KubeVersion.parse(text)
    assert parsed == KubeVersion(minor, minor) and str(parsed) == f"1.{minor}"


@pytest.mark.parametrize("text", ["", "1", "2.0", "1.x", "latest", "1.3 6"])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(
        ValueError, match=r"expected 1\.MINOR, e\.g\. 1\.37; svcgen knows 1\.25 to 1\.37;"
    ):
        KubeVersion.parse(text)


@pytest.mark.parametrize(
    "text", ["1.99", "1.20", "1.24", "1.38", "1.\u0663\u0666", "1.\uff13\uff16"]
)
def test_unknown_versions_are_refused_listing_the_known_ones(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        KubeVersion.parse(text)
    assert str(caught.value).endswith(
        "svcgen knows 1.25 to 1.37; without a version the output is portable "
        "across 1.35-1.37, the minors still supported upstream"
    )


def test_known_versions_are_those_of_the_vendored_schema() -> None:
    assert (KNOWN[0], KNOWN[-1]) == schema.schema_versions()
    assert (
        PORTABLE == KubeVersion(35, 37)
        and str(PORTABLE) == "1.35-1.37"
        and PORTABLE.newest == KNOWN[-1]
    )
    assert all(change.since in KNOWN and change.source for change in CHANGES.values())


def test_the_portable_default_takes_the_strictest_rule_of_each_change() -> None:
    v = KubeVersion.parse
    assert (
        not PORTABLE.relaxed_service_names
        and v("1.36").relaxed_service_names
        and v("1.37").relaxed_service_names
    )
    assert not v("1.35").relaxed_service_names
    assert PORTABLE.strict_ip_cidr and v("1.36").strict_ip_cidr and not v("1.35").strict_ip_cidr
    assert (
        PORTABLE.relaxed_env_names
        and v("1.32").relaxed_env_names
        and not v("1.31").relaxed_env_names
    )
    assert (
        PORTABLE.traffic_distributions
        == v("1.34").traffic_distributions
        == ("PreferClose", "PreferSameZone", "PreferSameNode")
    )
    assert v("1.33").traffic_distributions == ("PreferClose",)
    assert KubeVersion(33, 37).traffic_distributions == (
        "PreferClose",
    )  # 1.33 is among them: the strictest
