"""The pipeline: validate, assign nodePorts, build manifests, write YAML. Reads and writes no files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from svcgen.emit import to_yaml
from svcgen.errors import DeclarationError, Problem
from svcgen.manifests import build_manifests
from svcgen.model import App
from svcgen.nodeports import assign_node_ports
from svcgen.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.validate import validate

__all__ = ["Rendered", "render", "render_manifests"]


@dataclass(frozen=True)
class Rendered:
    """What a render produced: the manifests as plain dicts, their YAML, and any warnings."""

    manifests: list[dict[str, Any]]
    yaml: str
    warnings: list[Problem] = field(default_factory=list)


def render_manifests(
    apps: App | Iterable[App], *, node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Validate ``apps`` and build their manifests; raise DeclarationError listing every error."""
    app_list = [apps] if isinstance(apps, App) else list(apps)
    problems = validate(app_list, node_port_range)
    if any(p.severity == "error" for p in problems):
        raise DeclarationError(problems)
    warnings = problems
    node_ports, allocation_problems = assign_node_ports(app_list)
    if allocation_problems:
        raise DeclarationError(allocation_problems)
    return build_manifests(app_list, node_ports), warnings


def render(
    apps: App | Iterable[App], *, node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE
) -> Rendered:
    """Render one App or several (they share one nodePort space) to manifests and YAML.

    Raises:
        DeclarationError: with every problem found, each naming the declaration's file and line.
    """
    manifests, warnings = render_manifests(apps, node_port_range=node_port_range)
    return Rendered(manifests, to_yaml(manifests), warnings)
