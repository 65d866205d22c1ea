"""The cluster's nodePort range and its KEP-3668 bands.

The range is kube-apiserver's ``--service-node-port-range``.
"""

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

__all__ = ["DEFAULT_NODE_PORT_RANGE", "NodePortRange"]

# compiled on first use (re's cache): most runs parse no flag
_RANGE = r"\s*(\d{1,5})\s*-\s*(\d{1,5})\s*"


class _Bounds(NamedTuple):
    first: int
    last: int


class NodePortRange(_Bounds):
    """An inclusive range of nodePorts, ``first``-``last`` (default 30000-32767).

    A record (a NamedTuple, like svcgen's other records) that checks its bounds when made.
    """

    __slots__ = ()

    def __new__(cls, first: int = 30000, last: int = 32767) -> "NodePortRange":
        if not (1 <= first <= last <= 65535):
            raise ValueError(
                f"invalid nodePort range {first}-{last}: expected FIRST-LAST with 1 <= FIRST <= "
                "LAST <= 65535"
            )
        return super().__new__(cls, first, last)

    def _replace(self, **changes: int) -> "NodePortRange":  # checked too, unlike a NamedTuple's
        return NodePortRange(
            changes.pop("first", self.first), changes.pop("last", self.last), **changes
        )

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> "NodePortRange":  # type: ignore[override]
        return cls(*iterable)

    @classmethod
    def parse(cls, text: str) -> "NodePortRange":
        """Parse ``"30000-32767"`` (kube-apiserver's flag syntax); raise ValueError if malformed."""
        match = re.fullmatch(_RANGE, text)
        if not match:
            raise ValueError(
                f'invalid nodePort range "{text}": expected FIRST-LAST, e.g. 30000-32767'
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def static_band_size(self) -> int:
        """KEP-3668 ``calculateRangeOffset``: the size of the low (static) band.

        The cluster's random allocation uses that band last.
        """
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
