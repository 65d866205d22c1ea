"""The one reader of Kubernetes documents: YAML or JSON texts in, objects with positions out.

Lint, import and ``--reserve`` all read manifests through :func:`read_objects`: every document
of every text, ``List`` objects (``kubectl get -o yaml``) unwrapped into their items (nested Lists
too), each object keeping its file, document and the line and column of any of its fields. A
document that is not valid YAML, or not a mapping with a kind, and a List item that is no object,
become a :class:`~svcgen.errors.Problem` at their position: nothing is skipped silently.

:class:`KubeObject` answers what the readers ask of an object: kind, namespace, name, labels,
the pod spec of a Pod or workload, the labels its pods carry and the ports its containers (and
sidecars) declare. Pure: texts in, objects out.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, TypeGuard

from svcgen.errors import MESSAGE_LIMIT, ObjectRef, Problem, Severity, SourceLocation, shorten
from svcgen.kube.yamlread import MAX_DEPTH, Document, DocumentError, iter_documents, load_documents

__all__ = [
    "CONTROLLER_LABELS",
    "MAX_LIST_DEPTH",
    "WORKLOAD_POD_SPEC",
    "ContainerPort",
    "KubeObject",
    "Path",
    "format_path",
    "is_builtin",
    "is_int",
    "label_selector_matches",
    "mapping",
    "pod_spec",
    "read_objects",
]

Path = tuple[Any, ...]
"""A field path: keys and list indexes, e.g. ``("spec", "ports", 0, "name")``."""

WORKLOAD_POD_SPEC: dict[str, Path] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each kind that runs pods keeps its pod spec."""


_FIELD_NAME_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def format_path(path: Path) -> str:
    """``("spec", "ports", 1, "name")`` → ``spec.ports[1].name``.

    A map key that is no field name is written as Go writes ``Path.Key``:
    ``metadata.annotations[example.com/owner]``.
    """
    text = ""
    for part in path:
        part = part if isinstance(part, int) else shorten(str(part))
        if isinstance(part, int) or (text and not _FIELD_NAME_RE.fullmatch(part)):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = str(part)
    return text


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (for reading fields that may be anything)."""
    return value if isinstance(value, dict) else {}


def is_int(value: Any) -> TypeGuard[int]:
    """A JSON integer (``True`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


# The API groups of the kinds above (and of Service): custom resources may reuse their kind names
# (Knative's serving.knative.dev/v1 Service, say) and are something else entirely.
_BUILTIN_GROUPS = {"", "apps", "extensions", "batch"}


def is_builtin(obj: dict[str, Any]) -> bool:
    """Whether the object's apiVersion is Kubernetes' own (core, apps, batch).

    An object without an apiVersion counts as such.
    """
    version = obj.get("apiVersion")
    if version is None:
        return True
    if not isinstance(version, str):
        return False
    return (version.split("/")[0] if "/" in version else "") in _BUILTIN_GROUPS


def pod_spec(obj: dict[str, Any]) -> tuple[Path, dict[str, Any]] | None:
    """The path and value of the pod spec of a Pod or workload object, if it has one."""
    path = WORKLOAD_POD_SPEC.get(str(obj.get("kind")))
    if path is None or not is_builtin(obj):
        return None
    node: Any = obj
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return (path, node) if isinstance(node, dict) else None


# Labels that controllers add to the pods they create, beyond the pod template's (a Service may
# select on them): kind -> label -> test of a value. Sources: StatefulSet pod name and index
# (pkg/controller/statefulset/stateful_set_utils.go), controller-revision-hash (StatefulSet,
# DaemonSet), pod-template-hash (Deployment's ReplicaSets), pod-template-generation (DaemonSet),
# the Job controller's labels (pkg/controller/job).
def _any(obj: "KubeObject", value: str) -> bool:
    return bool(value)


def _ordinal(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _stateful_pod_name(obj: "KubeObject", value: str) -> bool:
    prefix = f"{obj.name}-"
    return bool(obj.name) and value.startswith(prefix) and _ordinal(value[len(prefix) :])


def _job_name(obj: "KubeObject", value: str) -> bool:
    return value == obj.name


CONTROLLER_LABELS: dict[str, dict[str, Any]] = {
    "StatefulSet": {
        "statefulset.kubernetes.io/pod-name": _stateful_pod_name,
        "apps.kubernetes.io/pod-index": lambda obj, value: _ordinal(value),
        "controller-revision-hash": _any,
    },
    "Deployment": {"pod-template-hash": _any},
    "ReplicaSet": {"pod-template-hash": _any},
    "DaemonSet": {"controller-revision-hash": _any, "pod-template-generation": _any},
    "Job": {
        "batch.kubernetes.io/job-name": _job_name,
        "job-name": _job_name,
        "batch.kubernetes.io/controller-uid": _any,
        "controller-uid": _any,
        "batch.kubernetes.io/job-completion-index": lambda obj, value: _ordinal(value),
    },
}
"""Labels a controller adds to its pods, by kind, with a test of the values they can take."""


def label_selector_matches(selector: Any, labels: dict[str, Any]) -> bool | None:
    """Whether a ``LabelSelector`` (matchLabels and matchExpressions) selects ``labels``.

    An empty selector selects everything; None means the selector is malformed (the API server's
    checks report that).
    """
    if selector is None:
        return True
    if not isinstance(selector, dict):
        return None
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return None
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expression in expressions:
        if not isinstance(expression, dict):
            return None
        key, operator, values = (
            expression.get("key"),
            expression.get("operator"),
            expression.get("values") or [],
        )
        if not isinstance(values, list) or not isinstance(key, str):
            return None
        present = key in labels
        if operator == "In":
            ok = present and labels[key] in values
        elif operator == "NotIn":
            ok = not present or labels[key] not in values
        elif operator == "Exists":
            ok = present
        elif operator == "DoesNotExist":
            ok = not present
        else:
            return None
        if not ok:
            return False
    return True


class ContainerPort(NamedTuple):
    """A port declared by a container (or a sidecar: an init container that keeps running)."""

    container: str
    name: str
    number: int | None
    protocol: str
    path: Path


class KubeObject(NamedTuple):
    """A Kubernetes object found in a document (a List's items are objects of their own)."""

    file: str
    doc: Document
    prefix: Path
    value: dict[str, Any]

    @property
    def kind(self) -> str:
        kind = self.value.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def api_version(self) -> str:
        version = self.value.get("apiVersion")
        return version if isinstance(version, str) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        return mapping(self.value.get("metadata"))

    @property
    def spec(self) -> dict[str, Any]:
        return mapping(self.value.get("spec"))

    @property
    def namespace(self) -> str:
        ns = self.metadata.get("namespace")
        return ns if isinstance(ns, str) else ""

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def is_service(self) -> bool:
        """A v1 Service (not a custom resource of kind Service, such as Knative's)."""
        return self.kind == "Service" and is_builtin(self.value) and "/" not in self.api_version

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)

    def position(self, path: Path = ()) -> tuple[int, int]:
        """The line and column of the deepest part of ``path`` that exists."""
        return self.doc.where((*self.prefix, *path))

    def location(self, path: Path = ()) -> SourceLocation:
        return SourceLocation(self.file, *self.position(path))

    def where(self, path: Path = ()) -> str:
        """``file:line`` of ``path``, for messages that point at another object."""
        return f"{self.file}:{self.position(path)[0]}"

    def problem(
        self, path: Path, severity: Severity, rule: str, message: str, hint: str = ""
    ) -> Problem:
        """A finding about the field at ``path`` of this object."""
        ref = self.ref
        return Problem(
            str(ref),
            format_path(path),
            shorten(message, MESSAGE_LIMIT),
            shorten(hint, MESSAGE_LIMIT),
            self.location(path),
            severity,
            rule,
            ref,
            self.doc.index,
        )

    def pod_spec(self) -> tuple[Path, dict[str, Any]] | None:
        return pod_spec(self.value)

    def pod_labels(self) -> dict[str, Any]:
        """The labels the object's pods carry: a Pod's own, a workload's pod template's."""
        found = self.pod_spec()
        if found is None:
            return {}
        if self.kind == "Pod":
            return mapping(self.metadata.get("labels"))
        node: Any = self.value
        for part in found[0][:-1]:  # down to .../template
            node = mapping(node).get(part)
        return mapping(mapping(mapping(node).get("metadata")).get("labels"))

    def may_select(self, selector: dict[str, Any]) -> bool:
        """Whether a Service ``selector`` can select this object's pods.

        Every label must be one the pod template sets to that value, or one the controller adds
        to its pods with a value it can take (a StatefulSet's ``pod-name: NAME-0``, say).
        """
        labels = self.pod_labels()
        added = CONTROLLER_LABELS.get(self.kind, {})
        for key, value in selector.items():
            if key in labels:
                if labels[key] != value:
                    return False
            elif key not in added or not isinstance(value, str) or not added[key](self, value):
                return False
        return True

    def containers(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        """The containers a Service can reach, with their paths.

        ``containers``, then sidecars (``initContainers`` with ``restartPolicy: Always``).
        """
        found = self.pod_spec()
        if found is None:
            return
        base, spec = found
        for group in ("containers", "initContainers"):
            items = spec.get(group)
            for i, container in enumerate(items if isinstance(items, list) else []):
                if not isinstance(container, dict):
                    continue
                if group == "initContainers" and container.get("restartPolicy") != "Always":
                    continue
                yield (*base, group, i), container

    def container_ports(self) -> Iterator[ContainerPort]:
        """Every port of :meth:`containers` (protocol defaulted to TCP, unnamed ports included)."""
        for path, container in self.containers():
            cname = container.get("name")
            ports = container.get("ports")
            for j, port in enumerate(ports if isinstance(ports, list) else []):
                if not isinstance(port, dict):
                    continue
                name = port.get("name")
                number = port.get("containerPort")
                yield ContainerPort(
                    cname if isinstance(cname, str) else "",
                    name if isinstance(name, str) else "",
                    number if is_int(number) else None,
                    str(port.get("protocol") or "TCP"),
                    (*path, "ports", j),
                )


def _json_fallback(text: str, documents: list[Document]) -> list[Document]:
    """JSON that YAML cannot read (an escaped slash, tabs), parsed as JSON.

    The documents have no field positions.
    """
    if (
        len(documents) != 1
        or documents[0].error is None
        or not text.lstrip().startswith(("{", "["))
    ):
        return documents
    import json  # rare: loaded only for such files

    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return documents
    if (error := _json_checked(value)) is not None:
        return [Document(0, None, (1, 1), error=DocumentError(error))]
    return [Document(0, value, (1, 1))]


_SURROGATES = re.compile("[\ud800-\udfff]")


def _json_checked(value: Any) -> str | None:
    r"""Makes JSON what the YAML reader would have: no deeper than MAX_DEPTH, no lone surrogate.

    ``json.loads`` reads ``"\ud800"`` as a lone surrogate, which no output can encode; Go's
    encoding/json (kubectl) reads it as U+FFFD, and so is it here, in place. Returns the problem
    that makes the document unreadable, if any.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(node, dict):
            if any(isinstance(k, str) and _SURROGATES.search(k) for k in node):
                fixed = {_SURROGATES.sub("\ufffd", k): v for k, v in node.items()}
                node.clear()
                node.update(fixed)
            items: Iterable[tuple[Any, Any]] = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, child in items:
            if isinstance(child, str):
                if _SURROGATES.search(child):
                    node[key] = _SURROGATES.sub("\ufffd", child)
            elif isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return None


def documents_of(text: str) -> list[Document]:
    """Every document of a YAML or JSON stream (see :func:`svcgen.kube.yamlread.load_documents`)."""
    return _json_fallback(text, load_documents(text))


def _iter_documents_of(text: str) -> Iterator[Document]:
    """:func:`documents_of`, one document at a time.

    A reader keeping little of each never holds the stream.
    """
    documents = iter_documents(text)
    first = next(documents, None)
    if first is None:
        return
    if first.error is None:
        yield first
        yield from documents
    else:  # (the JSON fallback is for a text that is one unreadable document)
        yield from _json_fallback(text, [first, *documents])


def read_objects(sources: Iterable[tuple[str, str]]) -> Iterator[KubeObject | Problem]:
    """Every object of every ``(name, text)`` source, in order; unreadable documents as problems.

    Empty documents are skipped; a document that is not a mapping with a kind is a warning
    (``not-an-object``). ``List`` objects are unwrapped into their items; an item that is not an
    object (a mapping with apiVersion and kind) is an error (``list-item``): kubectl refuses such a
    List. So it does a List inside a List (``nested-list``), but its items are read all the same
    (down to :data:`MAX_LIST_DEPTH`): a nodePort in them must not go unseen.
    """
    for file, text in sources:
        for doc in _iter_documents_of(text):
            yield from _objects(file, doc)


MAX_LIST_DEPTH = 10
"""Deepest nesting of Lists in Lists that is unwrapped (for --reserve: kubectl 1.32 refuses any
nesting)."""


def _is_list(value: dict[str, Any]) -> bool:
    kind = value.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(value.get("items"), list)


def _objects(file: str, doc: Document) -> Iterator[KubeObject | Problem]:
    if doc.error is not None:
        yield _error_problem(file, doc, doc.error)
        return
    value = doc.value
    if value is None:
        return
    if not isinstance(value, dict) or not _nonempty_str(value.get("kind")):
        yield Problem(
            "",
            "",
            "not a Kubernetes object (a mapping with apiVersion and kind): skipped",
            location=SourceLocation(file, *doc.position),
            severity="warning",
            rule="not-an-object",
            document=doc.index,
        )
        return
    yield from _items(KubeObject(file, doc, (), value), 0)


def _items(obj: KubeObject, depth: int) -> Iterator[KubeObject | Problem]:
    """``obj``, or the objects of a List (its items, and the items of the Lists among them)."""
    if not _is_list(obj.value):
        items = obj.value.get("items")
        if obj.kind.endswith("List") and items is not None and is_builtin(obj.value):
            yield obj.problem(
                ("items",),
                "error",
                "list-item",
                f"items is not a list: kubectl cannot read this {obj.kind}",
                "write items as a list of objects",
            )
        else:
            yield obj
        return
    if depth:
        yield obj.problem(
            (),
            "error",
            "nested-list",
            f'a {obj.kind} inside a List: kubectl apply refuses the file ("is not a list: no Items '
            'field"); its items are checked all the same',
            "move its items into the outer List",
        )
    if depth >= MAX_LIST_DEPTH:
        yield obj.problem(
            ("items",),
            "error",
            "list-item",
            f"Lists nested more than {MAX_LIST_DEPTH} deep: the items of this one are not read",
            "flatten the Lists into one",
        )
        return
    item_kind = obj.kind.removesuffix("List")
    for i, item in enumerate(obj.value["items"]):
        missing = [
            key for key in ("apiVersion", "kind") if not _nonempty_str(mapping(item).get(key))
        ]
        if len(missing) == 2 and item_kind and isinstance(item, dict):
            # A typed list from the API server (a ServiceList) leaves both out of its items: kubectl
            # takes
            # the List's (apimachinery's unstructured decodeToList).
            item = {**item, "apiVersion": obj.value.get("apiVersion"), "kind": item_kind}
            missing = [] if _nonempty_str(item["apiVersion"]) else ["apiVersion"]
        if not missing:
            yield from _items(
                KubeObject(obj.file, obj.doc, (*obj.prefix, "items", i), item), depth + 1
            )
            continue
        what = "not a mapping" if not isinstance(item, dict) else f"no {' and no '.join(missing)}"
        yield obj.problem(
            ("items", i),
            "error",
            "list-item",
            f"not a Kubernetes object ({what}): kubectl refuses the whole {obj.kind}",
            "give the item its apiVersion and kind, or remove it",
        )


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _error_problem(file: str, doc: Document, error: DocumentError) -> Problem:
    line, column = error.position or doc.position
    return Problem(
        "",
        "",
        error.message,
        location=SourceLocation(file, line, column),
        rule="yaml",
        document=doc.index,
    )
