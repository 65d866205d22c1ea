"""The Kubernetes versions svcgen's output must be valid on, and the rules that differ by version.

By default the output is **portable**: valid on every Kubernetes minor still supported upstream
(:data:`PORTABLE`, today 1.35 to 1.37), so for each rule below the strictest of those versions
applies. A project that knows its cluster pins one version (``kubernetes-version`` in
``[tool.svcgen]``, or ``--kubernetes-version``) and gets that version's rules. A target is a range
of
minors, ``oldest`` to ``newest`` (one pinned version: both the same): a rule that *accepts more*
from
some version on applies only when the oldest has it; a rule that *refuses more* applies as soon as
the newest has it.

:data:`CHANGES` is the one table of the rules that changed, each with its source (feature gates in
pkg/features/kube_features.go of kubernetes/kubernetes, and the KEPs in kubernetes/enhancements).
The fields each version has come from the vendored OpenAPI schema (:mod:`svcgen.kube.schema`,
generated from :data:`KNOWN`'s versions): a field is allowed when the oldest target version has it.
"""

import re
from typing import Literal, NamedTuple

__all__ = ["CHANGES", "KNOWN", "PORTABLE", "Change", "KubeVersion"]

_VERSION = r"\s*v?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?\s*"  # ASCII digits only: "1.٣٦" is no version


class Change(NamedTuple):
    """A rule the API server changed: from minor ``since`` on it ``accepts`` or ``refuses`` more."""

    since: int
    effect: Literal["accepts", "refuses"]
    source: str


CHANGES: dict[str, Change] = {
    "relaxed-env-names": Change(
        32,
        "accepts",
        "RelaxedEnvironmentVariableValidation (KEP-4369): beta and on in "
        "1.32, GA in 1.34: any printable ASCII but '=' in an environment variable name",
    ),
    "prefer-same-traffic": Change(
        34,
        "accepts",
        "PreferSameTrafficDistribution (KEP-3015): beta and on in 1.34, "
        "GA in 1.35: trafficDistribution PreferSameZone and PreferSameNode",
    ),
    "relaxed-service-names": Change(
        36,
        "accepts",
        "RelaxedServiceNameValidation (KEP-5311): beta and on in 1.36, GA in 1.37: Service names "
        "are DNS-1123 labels (1web); before, DNS-1035 labels (a letter first)",
    ),
    "strict-ip-cidr": Change(
        36,
        "refuses",
        "StrictIPCIDRValidation (KEP-4858): beta and on in 1.36: no leading "
        "zeros nor IPv4-mapped IPv6 in IPs, no bits past a CIDR's prefix length",
    ),
}
"""Every rule that differs between the :data:`KNOWN` versions, by name."""

KNOWN = range(25, 38)
"""The minors whose rules svcgen knows (1.25 to 1.37): the vendored schema's versions."""


class KubeVersion(NamedTuple):
    """The Kubernetes minors (1.oldest to 1.newest) whose API servers must accept the output."""

    oldest: int
    newest: int

    @classmethod
    def parse(cls, text: str) -> "KubeVersion":
        """One pinned version from ``"1.36"`` (``v1.36.3`` too).

        Raise ValueError if the text is malformed or the version unknown.
        """
        match = re.fullmatch(_VERSION, text)
        if not match or int(match.group(1)) != 1:
            raise ValueError(
                f'invalid Kubernetes version "{text}": expected 1.MINOR, e.g. 1.{PORTABLE.newest}; '
                + _known()
            )
        minor = int(match.group(2))
        if minor not in KNOWN:
            raise ValueError(f'unknown Kubernetes version "{text.strip()}": {_known()}')
        return cls(minor, minor)

    def __str__(self) -> str:
        if self.oldest == self.newest:
            return f"1.{self.oldest}"
        return f"1.{self.oldest}-1.{self.newest}"

    def has(self, change: str) -> bool:
        """Whether ``CHANGES[change]`` holds for every target version: the strictest one rules."""
        rule = CHANGES[change]
        return (self.oldest if rule.effect == "accepts" else self.newest) >= rule.since

    @property
    def relaxed_service_names(self) -> bool:
        return self.has("relaxed-service-names")

    @property
    def strict_ip_cidr(self) -> bool:
        return self.has("strict-ip-cidr")

    @property
    def relaxed_env_names(self) -> bool:
        return self.has("relaxed-env-names")

    @property
    def traffic_distributions(self) -> tuple[str, ...]:
        """The values ``spec.trafficDistribution`` accepts, in the API server's order."""
        if self.has("prefer-same-traffic"):
            return ("PreferClose", "PreferSameZone", "PreferSameNode")
        return ("PreferClose",)


PORTABLE = KubeVersion(35, 37)
"""The minors still supported upstream (the newest three: 1.35 to 1.37 since 1.37.0): the
default."""


def _known() -> str:
    return (
        f"svcgen knows 1.{KNOWN[0]} to 1.{KNOWN[-1]}; without a version the output is portable "
        f"across {PORTABLE}, the minors still supported upstream"
    )
