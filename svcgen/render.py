"""The pipeline: validate, allocate nodePorts, build manifests, write YAML. Reads and writes no files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from svcgen.dsl.manifests import build_manifests
from svcgen.dsl.model import App
from svcgen.dsl.requests import node_port_requests
from svcgen.dsl.validate import validate
from svcgen.errors import DeclarationError, Problem
from svcgen.gcpause import paused_gc
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.version import CURRENT, KubeVersion
from svcgen.kube.yamlwrite import to_yaml
from svcgen.nodeports.allocate import Allocated, allocate_node_ports
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.reserve import Reservation

__all__ = ["Rendered", "render", "render_manifests", "selector_warnings"]


@dataclass(frozen=True)
class Rendered:
    """What a render produced.

    Attributes:
        manifests: the objects as plain dicts.
        yaml: the same objects as one YAML stream.
        lock: the lock to save: the given one plus this render's nodePorts.
        allocated: each nodePort request and where its number came from (pinned, lock, new).
        warnings: problems that did not stop the render.
        apps: the Apps rendered.
    """

    manifests: list[dict[str, Any]]
    yaml: str
    lock: Lock = field(default_factory=Lock)
    allocated: list[Allocated] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)


def _apps(apps: App | Iterable[App]) -> list[App]:
    return [apps] if isinstance(apps, App) else list(apps)


def render_manifests(
    apps: App | Iterable[App],
    *,
    lock: Lock | None = None,
    reserved: Iterable[Reservation] = (),
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    lock_name: str = "the lock file",
    with_workloads: bool = False,
    kubernetes_version: KubeVersion = CURRENT,
    allocate_from: NodePortRange | None = None,
) -> Rendered:
    """Like :func:`render`, without the YAML text (``yaml`` is empty)."""
    app_list = _apps(apps)
    with paused_gc():
        problems = validate(app_list, node_port_range, with_workloads=with_workloads,
                            kubernetes_version=kubernetes_version)
        if any(p.severity == "error" for p in problems):
            raise DeclarationError(problems)
        allocation = allocate_node_ports(node_port_requests(app_list), lock, reserved, node_port_range,
                                         lock_name=lock_name, band=allocate_from)
        manifests = build_manifests(app_list, allocation.assignment, with_workloads=with_workloads)
    return Rendered(manifests, "", allocation.lock, allocation.allocated, problems + allocation.warnings, app_list)


def render(
    apps: App | Iterable[App],
    *,
    lock: Lock | None = None,
    reserved: Iterable[Reservation] = (),
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    lock_name: str = "the lock file",
    with_workloads: bool = False,
    kubernetes_version: KubeVersion = CURRENT,
    allocate_from: NodePortRange | None = None,
) -> Rendered:
    """Render one App or several (they share one nodePort space) to manifests and YAML.

    Args:
        apps: the Apps to render.
        lock: the nodePorts allocated before (``svcgen.parse_lock``); none means "start afresh".
        reserved: nodePorts in use elsewhere, never handed out.
        node_port_range: the cluster's nodePort range.
        lock_name: how messages name the lock (its file name).
        with_workloads: also emit every App's workload (a Deployment unless the App says
            ``workload="StatefulSet"``); Apps with ``workload`` set are emitted anyway.
        kubernetes_version: the cluster's Kubernetes version, whose API server rules apply.
        allocate_from: new nodePorts come only from this band (a team's share of the range).

    Raises:
        DeclarationError: with every problem found, each naming the declaration's file and line.
    """
    rendered = render_manifests(apps, lock=lock, reserved=reserved, node_port_range=node_port_range,
                                lock_name=lock_name, with_workloads=with_workloads,
                                kubernetes_version=kubernetes_version, allocate_from=allocate_from)
    with paused_gc():
        text = to_yaml(rendered.manifests)
    return Rendered(rendered.manifests, text, rendered.lock, rendered.allocated, rendered.warnings, rendered.apps)


def selector_warnings(rendered: Rendered, previous: Iterable[str]) -> list[Problem]:
    """Warnings for the workloads whose selector differs from the one in ``previous`` (an earlier render's text).

    Selectors are immutable: see :func:`svcgen.dsl.workloads.selector_changes`. Text that is
    not YAML, or not Kubernetes objects, is passed over.
    """
    from svcgen.dsl.workloads import selector_changes
    from svcgen.kube.yamlread import load_documents

    documents = [doc.value for text in previous for doc in load_documents(text) if isinstance(doc.value, dict)]
    return selector_changes(rendered.apps, rendered.manifests, documents)
