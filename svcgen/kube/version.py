"""The Kubernetes version whose API server svcgen checks against, and the rules that differ by version.

Rules that changed with a feature gate turning on by default (sources: pkg/features/kube_features.go
and the KEPs):

- ``RelaxedServiceNameValidation`` (KEP-5311, beta and on in 1.36): Service names are DNS-1123
  labels (``1svc`` is valid); before, DNS-1035 labels (a letter first).
- ``StrictIPCIDRValidation`` (KEP-4858, beta and on in 1.36): clusterIPs, externalIPs and
  source ranges may not have leading zeros or IPv4-mapped IPv6 addresses, and a CIDR may not
  have bits set beyond its prefix length.
- ``PreferSameTrafficDistribution`` (KEP-3015, beta and on in 1.34, GA in 1.35):
  ``trafficDistribution`` accepts ``PreferSameZone`` and ``PreferSameNode`` besides ``PreferClose``.
"""

import re
from typing import NamedTuple

__all__ = ["CURRENT", "KubeVersion"]

_VERSION = r"\s*v?(\d+)\.(\d+)(?:\.\d+)?\s*"  # compiled on first use (re's cache): most runs parse no flag


class KubeVersion(NamedTuple):
    """A Kubernetes minor version, e.g. 1.36."""

    major: int = 1
    minor: int = 36

    @classmethod
    def parse(cls, text: str) -> "KubeVersion":
        """Parse ``"1.36"`` (``v1.36.3`` too); raise ValueError if malformed."""
        match = re.fullmatch(_VERSION, text)
        if not match or int(match.group(1)) != 1:
            raise ValueError(f'invalid Kubernetes version "{text}": expected 1.MINOR, e.g. 1.36')
        return cls(1, int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def relaxed_service_names(self) -> bool:
        return self.minor >= 36

    @property
    def strict_ip_cidr(self) -> bool:
        return self.minor >= 36

    @property
    def traffic_distributions(self) -> tuple[str, ...]:
        """The values ``spec.trafficDistribution`` accepts, in the API server's order."""
        if self.minor >= 34:
            return ("PreferClose", "PreferSameZone", "PreferSameNode")
        return ("PreferClose",)


CURRENT = KubeVersion(1, 36)
"""The newest Kubernetes release (v1.36.3 on 2026-11-27): the default."""
