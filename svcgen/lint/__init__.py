"""``svcgen lint``: check existing manifests as the API server would, and across documents.

Pure: takes (name, text) pairs and returns problems; the CLI reads the files. Documents are
read by the one reader (:mod:`svcgen.kube.objects`). Per object: :mod:`svcgen.kube.apiserver`
(v1 defaulting, then ``ValidateService``; container ports of Pods and workloads) and
:mod:`svcgen.kube.ingress` (``ValidateIngressCreate``). Across every
document given: :mod:`.services` (nodePorts, selectors, named targetPorts) and
:mod:`.port_references`
(everything else that refers to a port: Ingress, Gateway routes, probes, NetworkPolicy,
ServiceMonitor and PodMonitor, Endpoints and EndpointSlices). docs/lint-checks.md lists every
check.

May import: :mod:`svcgen.errors` and :mod:`svcgen.kube`. Never the DSL or pydantic.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Iterator

from svcgen.errors import Problem
from svcgen.kube.apiserver import FieldError, validate_pod_ports, validate_service
from svcgen.kube.hints import ingress_hint, manifest_hint
from svcgen.kube.ingress import validate_ingress
from svcgen.kube.objects import KubeObject, read_objects
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion
from svcgen.kube.yamlread import Document
from svcgen.lint.keep import retain
from svcgen.lint.port_references import consumer_problems
from svcgen.lint.services import node_port_collisions, selector_problems

__all__ = ["lint_texts"]


def lint_texts(
    sources: Iterable[tuple[str, str]],
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    kubernetes_version: KubeVersion = PORTABLE,
    *,
    quiet: Collection[str] = (),
) -> list[Problem]:
    """Lint YAML texts (``(name, text)`` pairs, in order, each read once) as one set of manifests.

    The cluster is of ``kubernetes_version``, with ``node_port_range``. Documents that are not
    Kubernetes objects (a mapping with apiVersion and kind) are a warning, except in the files
    named in ``quiet`` (found by walking a folder: a CI workflow is no manifest to lint).
    """
    problems: list[Problem] = []
    services: list[KubeObject] = []
    workloads: list[KubeObject] = []
    others: list[KubeObject] = []
    latest: dict[tuple[str, str, str, str], KubeObject] = {}
    replaced: set[int] = (
        set()
    )  # ids of definitions a later one replaces (kubectl applies both, in order)
    reading: Document | None = None  # the document whose objects are being checked
    for found in read_objects(sources):
        if isinstance(found, KubeObject) and found.doc is not reading:
            if reading is not None:
                reading.compact()  # done with it: only the checks across objects read it again
            reading = found.doc
        if isinstance(found, Problem):
            if not (found.rule == "not-an-object" and found.file in quiet):
                problems.append(found)
            continue
        if (key := _identity(found)) is not None:
            if (earlier := latest.get(key)) is not None:
                problems.append(_duplicate(found, earlier))
                replaced.add(id(earlier))
            latest[key] = found
        if found.is_service:
            services.append(found)
            problems.extend(
                _field_problems(
                    found,
                    validate_service(found.value, node_port_range, kubernetes_version),
                    node_port_range,
                )
            )
        elif found.pod_spec() is not None:
            workloads.append(found)
            problems.extend(
                _field_problems(found, validate_pod_ports(found.value), node_port_range)
            )
        else:
            if (found.api_version, found.kind) == ("networking.k8s.io/v1", "Ingress"):
                problems.extend(
                    found.problem(
                        e.path, e.severity, e.rule, e.message, ingress_hint(e, node_port_range)
                    )
                    for e in validate_ingress(found.value)
                )
            others.append(found)
        retain(found)  # its own checks ran: keep what the checks across objects read
    if reading is not None:
        reading.compact()
    # Across objects, only the definition that kubectl leaves in the cluster counts.
    services, workloads, others = (
        [o for o in group if id(o) not in replaced] for group in (services, workloads, others)
    )
    problems.extend(node_port_collisions(services))
    problems.extend(selector_problems(services, workloads))
    problems.extend(consumer_problems(others, services, workloads))
    return problems


def _identity(obj: KubeObject) -> tuple[str, str, str, str] | None:
    """What names an object in the cluster: API group, kind, namespace ("": the context's), name."""
    if not obj.name:
        return None  # generateName, or no name: the API server makes a new object
    group = (
        sys.intern(obj.api_version.split("/")[0]) if "/" in obj.api_version else ""
    )  # (one copy: memory)
    return group, obj.kind, obj.namespace, obj.name


def _duplicate(obj: KubeObject, earlier: KubeObject) -> Problem:
    """The problem for the later of two definitions of one object.

    An object without a namespace counts as in the context's namespace.
    """
    return obj.problem(
        ("metadata", "name"),
        "warning",
        "duplicate-object",
        f"defined again, after {earlier.where(('metadata', 'name'))}: kubectl apply applies both "
        "in turn, so this definition replaces that one",
        "keep one definition, or give one of them another name or namespace",
    )


def _field_problems(
    obj: KubeObject, errors: Iterable[FieldError], node_port_range: NodePortRange
) -> Iterator[Problem]:
    for error in errors:
        yield obj.problem(
            error.path,
            error.severity,
            error.rule,
            error.message,
            manifest_hint(error, node_port_range),
        )
