"""The cluster's nodePort range (kube-apiserver's ``--service-node-port-range``) and its KEP-3668 bands."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_NODE_PORT_RANGE", "NodePortRange"]

_RANGE_RE = re.compile(r"\s*(\d{1,5})\s*-\s*(\d{1,5})\s*")


@dataclass(frozen=True)
class NodePortRange:
    """An inclusive range of nodePorts, ``first``-``last`` (default 30000-32767)."""

    first: int = 30000
    last: int = 32767

    def __post_init__(self) -> None:
        if not (1 <= self.first <= self.last <= 65535):
            raise ValueError(
                f"invalid nodePort range {self.first}-{self.last}: "
                "expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535"
            )

    @classmethod
    def parse(cls, text: str) -> NodePortRange:
        """Parse ``"30000-32767"`` (the kube-apiserver flag's syntax); raise ValueError if malformed."""
        match = _RANGE_RE.fullmatch(text)
        if not match:
            raise ValueError(f'invalid nodePort range "{text}": expected FIRST-LAST, e.g. 30000-32767')
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def static_band_size(self) -> int:
        """KEP-3668 ``calculateRangeOffset``: the low band the cluster's random allocation uses last."""
        if self.size <= 16:
            return 0
        return min(max(16, self.size // 32), 128)

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"

    def not_in_range_message(self) -> str:
        """The allocator's ErrNotInRange text for this range."""
        return f"provided port is not in the valid range. The range of valid ports is {self}"


DEFAULT_NODE_PORT_RANGE = NodePortRange()
