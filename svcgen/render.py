"""The pipeline: validate, allocate nodePorts, build manifests, write YAML.

Reads and writes no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from svcgen.dsl.manifests import build_manifests
from svcgen.dsl.model import App
from svcgen.dsl.nodeport_requests import node_port_requests
from svcgen.dsl.policy import emits_workload
from svcgen.dsl.validate import validate
from svcgen.errors import DeclarationError, Problem, SourceLocation
from svcgen.gcpause import paused_gc
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion
from svcgen.kube.yamlwrite import to_yaml
from svcgen.nodeports.allocate import Allocated, allocate_node_ports
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.reserve import Reservation

if TYPE_CHECKING:
    from svcgen.settings import Settings

__all__ = ["RenderOptions", "Rendered", "render", "render_manifests", "selector_warnings"]


@dataclass(frozen=True)
class Rendered:
    """What a render produced.

    Attributes:
        manifests: the objects as plain dicts.
        yaml: the same objects as one YAML stream.
        lock: the lock to save: the given one plus this render's nodePorts.
        allocated: each nodePort request and where its number came from (pinned, lock, new).
        warnings: problems that did not stop the render.
        workloads: where each App whose workload is rendered was declared, by (namespace, name).
    """

    manifests: list[dict[str, Any]]
    yaml: str
    lock: Lock = field(default_factory=Lock)
    allocated: list[Allocated] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    workloads: dict[tuple[str, str], SourceLocation | None] = field(default_factory=dict)


class RenderOptions(NamedTuple):
    """How a render runs: everything but the Apps, in one immutable object.

    As httpx's ``Timeout`` and ``Limits``: made once (by the command line from the project's
    settings, :meth:`from_settings`) and passed whole, so that no function repeats the list.

    Attributes:
        lock: the nodePorts allocated before (``svcgen.nodeports.lockfile.parse_lock``); none means
            "start afresh".
        reserved: nodePorts in use elsewhere, never handed out.
        node_port_range: the cluster's nodePort range.
        lock_name: how messages name the lock (its file name).
        with_workloads: also emit every App's workload (a Deployment unless the App says
            ``workload="StatefulSet"``); Apps with ``workload`` set are emitted anyway.
        kubernetes_version: the cluster's Kubernetes version, whose API server rules apply.
        allocate_from: new nodePorts come only from this band (a team's share of the range).
    """

    lock: Lock | None = None
    reserved: Sequence[Reservation] = ()
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE
    lock_name: str = "the lock file"
    with_workloads: bool = False
    kubernetes_version: KubeVersion = PORTABLE
    allocate_from: NodePortRange | None = None

    @classmethod
    def from_settings(cls, settings: Settings, lock: Lock | None,
                      reserved: Sequence[Reservation] = ()) -> RenderOptions:
        """The options of a project (as ``svcgen render`` runs it): its settings, ``lock`` and ``reserved``."""
        return cls(lock, reserved, settings.node_port_range, settings.lock_name, settings.with_workloads,
                   settings.kubernetes_version, settings.allocate_from)


def _apps(apps: App | Iterable[App]) -> list[App]:
    return [apps] if isinstance(apps, App) else list(apps)


def render_manifests(apps: App | Iterable[App], options: RenderOptions | None = None) -> Rendered:
    """Like :func:`render`, without the YAML text (``yaml`` is empty)."""
    options = options or RenderOptions()
    app_list = _apps(apps)
    built: dict[int, dict[str, Any]] = {}  # the workloads the checks built, written as they are
    with paused_gc():
        problems = validate(app_list, options.node_port_range, with_workloads=options.with_workloads,
                            kubernetes_version=options.kubernetes_version, built=built)
        if any(p.severity == "error" for p in problems):
            raise DeclarationError(problems)
        allocation = allocate_node_ports(node_port_requests(app_list), options.lock, options.reserved,
                                         options.node_port_range, lock_name=options.lock_name,
                                         band=options.allocate_from)
        manifests = build_manifests(app_list, allocation.assignment, with_workloads=options.with_workloads,
                                    built=built)
    workloads = {(app.namespace or "", app.name): app.location for app in app_list
                 if emits_workload(app, options.with_workloads)}
    return Rendered(manifests, "", allocation.lock, allocation.allocated, problems + allocation.warnings, workloads)


def render(apps: App | Iterable[App], options: RenderOptions | None = None) -> Rendered:
    """Render one App or several (they share one nodePort space) to manifests and YAML.

    Args:
        apps: the Apps to render.
        options: the lock, reserved ports, nodePort range, Kubernetes version... (:class:`RenderOptions`;
            none: a fresh lock, the default range, the portable rules, Services only).

    Raises:
        DeclarationError: with every problem found, each naming the declaration's file and line.
    """
    rendered = render_manifests(apps, options)
    with paused_gc():
        text = to_yaml(rendered.manifests)
    return Rendered(rendered.manifests, text, rendered.lock, rendered.allocated, rendered.warnings,
                    rendered.workloads)


def selector_warnings(rendered: Rendered, previous: Iterable[str]) -> list[Problem]:
    """Warnings for the workloads whose selector differs from the one in ``previous``.

    ``previous`` is an earlier render's text. Selectors are immutable: see
    :func:`svcgen.dsl.workloads.selector_changes`. Only the earlier documents that may be workloads
    and that differ from this render's are parsed (a re-render of 10,000 unchanged Deployments
    parses none); text that is not YAML or JSON is passed over. This render's text is cut into
    documents only when an earlier one may hold a workload (a first render to a new file holds no
    copy of it), and only its workloads are kept.
    """
    if not rendered.workloads:
        return []  # no workload rendered: nothing to compare (and the earlier render is not read)
    from svcgen.dsl.workloads import selector_changes

    return selector_changes(rendered.workloads, rendered.manifests, _workload_documents(rendered, previous))


def _workload_documents(rendered: Rendered, previous: Iterable[str]) -> list[dict[str, Any]]:
    import re

    from svcgen.kube.yamlread import load_documents

    def chunks(text: str) -> list[str]:  # the documents of a stream, comments before them and blank lines dropped
        parts = re.split(r"(?m)^---[ \t]*$", text)
        return [re.sub(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*", "", part).strip() for part in parts]

    unchanged: set[str] | None = None  # this render's workload documents, made when an earlier one is read
    documents: list[dict[str, Any]] = []
    for text in previous:
        if text.lstrip().startswith(("{", "[")):  # a JSON output: a List of objects
            import json

            try:
                value = json.loads(text)
            except ValueError:
                continue
            items = value.get("items") if isinstance(value, dict) else value
            if isinstance(items, list):
                documents.extend(d for d in items if isinstance(d, dict))
            continue
        for chunk in chunks(text):
            if "apps/v1" not in chunk:
                continue
            if unchanged is None:
                unchanged = {part for part in chunks(rendered.yaml) if "apps/v1" in part}
            if chunk not in unchanged:
                documents.extend(doc.value for doc in load_documents(chunk) if isinstance(doc.value, dict))
    return documents
