"""The pipeline: validate, allocate nodePorts, build manifests, write YAML.

Reads and writes no files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from svcgen.dsl.manifests import iter_manifests
from svcgen.dsl.model import App
from svcgen.dsl.nodeport_requests import node_port_requests
from svcgen.dsl.policy import emits_workload
from svcgen.dsl.validate import validate
from svcgen.errors import DeclarationError, Problem, SourceLocation
from svcgen.gcpause import paused_gc
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion
from svcgen.kube.yamlwrite import to_yaml, yaml_documents
from svcgen.nodeports.allocate import Allocated, allocate_node_ports
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.reserve import Reservation

if TYPE_CHECKING:
    from svcgen.settings import Settings

__all__ = [
    "RenderOptions",
    "Rendered",
    "render",
    "render_manifests",
    "render_stream",
    "selector_warnings",
]


Manifest = dict[str, Any]


class Rendered:
    """What a render produced.

    Attributes:
        manifests: the objects as plain dicts.
        yaml: the same objects as one YAML stream.
        lock: the lock to save: the given one plus this render's nodePorts.
        allocated: each nodePort request and where its number came from (pinned, lock, new).
        warnings: problems that did not stop the render.
        workloads: where each App whose workload is rendered was declared, by (namespace, name).

    ``manifests`` and ``yaml`` are made when first read, then kept (the checks and the nodePorts
    are done, and every error raised, before a Rendered exists). :meth:`yaml_parts` writes the
    stream one document at a time without keeping either: how ``svcgen render`` writes its
    output, so that a large render never holds all its objects and their text at once.
    """

    def __init__(
        self,
        manifests: list[Manifest] | None = None,
        yaml: str | None = None,
        lock: Lock | None = None,
        allocated: list[Allocated] | None = None,
        warnings: list[Problem] | None = None,
        workloads: dict[tuple[str, str], SourceLocation | None] | None = None,
        *,
        documents: Callable[[], Iterator[Manifest]] | None = None,
    ) -> None:
        """``documents``: builds the objects, one at a time, when ``manifests`` are not given."""
        self._manifests = manifests
        self._yaml = yaml
        self._documents = documents
        self.lock = Lock() if lock is None else lock
        self.allocated = [] if allocated is None else allocated
        self.warnings = [] if warnings is None else warnings
        self.workloads = {} if workloads is None else workloads

    @property
    def manifests(self) -> list[Manifest]:
        """The objects as plain dicts (built on first read, then kept)."""
        if self._manifests is None:
            with paused_gc():
                self._manifests = list(self._documents()) if self._documents is not None else []
        return self._manifests

    @property
    def yaml(self) -> str:
        """The objects as one YAML stream (made on first read, then kept)."""
        if self._yaml is None:
            with paused_gc():  # the objects are not kept for it when they were not made
                self._yaml = (
                    to_yaml(self.manifests)
                    if self._manifests is not None or self._documents is None
                    else "".join(yaml_documents(self._documents()))
                )
        return self._yaml

    def documents(self) -> Iterator[Manifest]:
        """The objects, one at a time.

        Built afresh as they are asked for, unless ``manifests`` were made.
        """
        if self._manifests is not None or self._documents is None:
            yield from self.manifests
            return
        with paused_gc():
            yield from self._documents()

    def yaml_parts(self) -> Iterator[str]:
        """``yaml`` in parts that join to it: one per document, each made when asked for.

        A part is not kept.

        When ``yaml`` or ``manifests`` were made already, what was kept is written instead.
        """
        if self._yaml is not None or self._manifests is not None:
            yield self.yaml
            return
        with paused_gc():
            yield from yaml_documents(self.documents())


class _NotKept(dict[int, Manifest]):
    """A ``built`` that keeps nothing: the workloads are built again when written, one at a time.

    The checks build every workload's manifest; kept for the write, 10,000 Deployments are
    about 75 MB held at once (nearly as much as all the Apps declared), where building each again
    costs about 5% of the render's CPU time. :func:`render_stream` takes that trade; :func:`render`,
    whose caller reads ``manifests``, keeps them.
    """

    def __setitem__(self, key: int, value: Manifest) -> None:
        pass


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
    def from_settings(
        cls, settings: Settings, lock: Lock | None, reserved: Sequence[Reservation] = ()
    ) -> RenderOptions:
        """The options of a project, as ``svcgen render`` runs it.

        From its settings, ``lock`` and ``reserved``.
        """
        return cls(
            lock,
            reserved,
            settings.node_port_range,
            settings.lock_name,
            settings.with_workloads,
            settings.kubernetes_version,
            settings.allocate_from,
        )


def _apps(apps: App | Iterable[App]) -> list[App]:
    return [apps] if isinstance(apps, App) else list(apps)


def render_manifests(apps: App | Iterable[App], options: RenderOptions | None = None) -> Rendered:
    """Like :func:`render`, without the YAML text (``yaml`` is empty)."""
    rendered = _render(apps, options or RenderOptions(), keep_built=True)
    return Rendered(
        rendered.manifests,
        "",
        rendered.lock,
        rendered.allocated,
        rendered.warnings,
        rendered.workloads,
    )


def render_stream(apps: App | Iterable[App], options: RenderOptions | None = None) -> Rendered:
    """Like :func:`render`, for a caller that writes the output with :meth:`Rendered.yaml_parts`.

    Nothing is kept for the write but the Apps and the nodePorts: each object is built when it
    is written (the workloads a second time, after the checks: see :class:`_NotKept`), and
    ``allocated`` (where each nodePort came from, for a caller that lists them) stays empty.
    Reading ``manifests`` or ``yaml`` still works, and keeps them.
    """
    return _render(apps, options or RenderOptions(), keep_built=False)


def _render(apps: App | Iterable[App], options: RenderOptions, *, keep_built: bool) -> Rendered:
    app_list = _apps(apps)
    with_workloads = options.with_workloads
    built: dict[int, Manifest] = {} if keep_built else _NotKept()  # the workloads the checks built
    with paused_gc():
        problems = validate(
            app_list,
            options.node_port_range,
            with_workloads=with_workloads,
            kubernetes_version=options.kubernetes_version,
            built=built,
        )
        if any(p.severity == "error" for p in problems):
            raise DeclarationError(problems)
        allocation = allocate_node_ports(
            node_port_requests(app_list),
            options.lock,
            options.reserved,
            options.node_port_range,
            lock_name=options.lock_name,
            band=options.allocate_from,
        )
    assignment = allocation.assignment
    workloads = {
        (app.namespace or "", app.name): app.location
        for app in app_list
        if emits_workload(app, with_workloads)
    }

    def documents() -> Iterator[Manifest]:
        return iter_manifests(app_list, assignment, with_workloads=with_workloads, built=built)

    return Rendered(
        lock=allocation.lock,
        allocated=allocation.allocated if keep_built else [],  # a streaming writer lists no ports
        warnings=problems + allocation.warnings,
        workloads=workloads,
        documents=documents,
    )


def render(apps: App | Iterable[App], options: RenderOptions | None = None) -> Rendered:
    """Render one App or several (they share one nodePort space) to manifests and YAML.

    Args:
        apps: the Apps to render.
        options: the lock, reserved ports, nodePort range, Kubernetes version...
            (:class:`RenderOptions`;
            none: a fresh lock, the default range, the portable rules, Services only).

    Raises:
        DeclarationError: with every problem found, each naming the declaration's file and line.
    """
    rendered = _render(apps, options or RenderOptions(), keep_built=True)
    rendered.yaml  # noqa: B018 - made now, as before: the caller asked for the text
    return rendered


def selector_warnings(rendered: Rendered, previous: Iterable[str]) -> list[Problem]:
    """Warnings for the workloads whose selector changed since an earlier render.

    ``previous`` is an earlier render's text. Selectors are immutable: see
    :func:`svcgen.dsl.workloads.selector_changes`. Only the earlier documents that may be workloads
    and that differ from this render's are parsed (a re-render of 10,000 unchanged Deployments
    parses none); text that is not YAML or JSON is passed over. This render's text is cut into
    documents only when an earlier one may hold a workload (a first render to a new file holds no
    copy of it), and only its workloads are kept; of its objects, only those named like an earlier
    document that differs are kept to compare (a render that streams its output,
    :func:`render_stream`, holds none of them otherwise).
    """
    if not rendered.workloads:
        return []  # no workload rendered: nothing to compare (and the earlier render is not read)
    documents = _workload_documents(rendered, previous)
    if not documents:
        return []
    from svcgen.dsl.workloads import selector_changes

    def name(doc: dict[str, Any]) -> tuple[str, str] | None:
        metadata = doc.get("metadata")
        return (
            (str(metadata.get("namespace") or ""), str(metadata.get("name")))
            if isinstance(metadata, dict)
            else None
        )

    earlier = {name(doc) for doc in documents}
    mine = [doc for doc in rendered.documents() if name(doc) in earlier]
    return selector_changes(rendered.workloads, mine, documents)


def _workload_documents(rendered: Rendered, previous: Iterable[str]) -> list[dict[str, Any]]:
    import re

    from svcgen.kube.yamlread import load_documents

    def chunks(
        text: str,
    ) -> list[str]:  # the documents of a stream, comments before them and blank lines dropped
        parts = re.split(r"(?m)^---[ \t]*$", text)
        return [re.sub(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*", "", part).strip() for part in parts]

    unchanged: set[str] | None = (
        None  # this render's workload documents, made when an earlier one is read
    )
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
                # The text is made (and kept: it is written next), not made twice: a re-render's
                # cost
                unchanged = {part for part in chunks(rendered.yaml) if "apps/v1" in part}
            if chunk not in unchanged:
                documents.extend(
                    doc.value for doc in load_documents(chunk) if isinstance(doc.value, dict)
                )
    return documents
