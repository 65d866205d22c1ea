"""The Kubernetes version whose API server rules apply, and what differs between versions."""

from __future__ import annotations

import pytest

from svcgen.kube.version import CURRENT, KubeVersion


@pytest.mark.parametrize(("text", "version"), [("1.36", (1, 36)), ("v1.35.2", (1, 35)), (" 1.9 ", (1, 9))])
def test_parse(text: str, version: tuple[int, int]) -> None:
    parsed = KubeVersion.parse(text)
    assert (parsed.major, parsed.minor) == version and str(parsed) == f"{version[0]}.{version[1]}"


@pytest.mark.parametrize("text", ["", "1", "2.0", "1.x", "latest"])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected 1\.MINOR"):
        KubeVersion.parse(text)


def test_the_rules_that_differ() -> None:
    assert CURRENT == KubeVersion(1, 36) and KubeVersion(1, 35) < CURRENT
    assert CURRENT.relaxed_service_names and not KubeVersion(1, 35).relaxed_service_names
    assert CURRENT.strict_ip_cidr and not KubeVersion(1, 35).strict_ip_cidr
    assert KubeVersion(1, 34).traffic_distributions == ("PreferClose", "PreferSameZone", "PreferSameNode")
    assert KubeVersion(1, 33).traffic_distributions == ("PreferClose",)
