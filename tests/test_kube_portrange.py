"""The nodePort range and its KEP-3668 static band (cases of Kubernetes'
Test_calculateRangeOffset)."""

from __future__ import annotations

import pytest

from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange


@pytest.mark.parametrize(
    ("size", "offset"),
    [(2768, 86), (128, 16), (2048, 64), (4096, 128), (16, 0), (10, 0), (17, 16), (65535, 128)],
)
def test_static_band_size(size: int, offset: int) -> None:
    assert NodePortRange(1, size).static_band_size == offset


def test_default_range() -> None:
    assert (
        DEFAULT_NODE_PORT_RANGE.first,
        DEFAULT_NODE_PORT_RANGE.last,
        DEFAULT_NODE_PORT_RANGE.size,
    ) == (30000, 32767, 2768)
    assert 30000 in DEFAULT_NODE_PORT_RANGE and 32767 in DEFAULT_NODE_PORT_RANGE
    assert 29999 not in DEFAULT_NODE_PORT_RANGE and True not in DEFAULT_NODE_PORT_RANGE
    assert DEFAULT_NODE_PORT_RANGE.not_in_range_message() == (
        "provided port is not in the valid range. The range of valid ports is 30000-32767"
    )


@pytest.mark.parametrize("text", ["30000-32767", " 30000 - 32767 ", "1-65535", "80-80"])
def test_parse(text: str) -> None:
    assert str(NodePortRange.parse(text)) == text.replace(" ", "")


@pytest.mark.parametrize(
    "text", ["", "30000", "30000-", "a-b", "32767-30000", "0-10", "1-65536", "30000:32767"]
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(ValueError, match="nodePort range"):
        NodePortRange.parse(text)


def test_a_range_made_from_another_is_checked_too() -> None:
    assert NodePortRange()._replace(last=31000) == NodePortRange(30000, 31000)
    with pytest.raises(ValueError, match="invalid nodePort range 40000-32767"):
        NodePortRange()._replace(first=40000)
    with pytest.raises(ValueError, match="invalid nodePort range 0-99999"):
        NodePortRange._make([0, 99999])
