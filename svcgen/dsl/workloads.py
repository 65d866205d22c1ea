"""Check the workload's own fields: what the API server would refuse, and what only svcgen can see.

Called by :func:`svcgen.dsl.validate.validate` for each App whose workload is emitted. Each
problem is reported at the line that declared the container, the ``Pod`` or the workload, with
the API server's wording where it has one (``pkg/apis/core/validation``):

- the pass-through fields (Kubernetes-shaped dicts) against the Kubernetes schema of the target
  version (:mod:`svcgen.kube.schema`): unknown fields with the nearest one, fields newer than the
  version, wrong types, missing required fields. The schema is read only when an App declares
  such a field, so Apps that declare none pay nothing;
- a volume mount naming no volume of the pod (nor a StatefulSet volume claim template), volume
  names and duplicates, mount paths used twice in a container;
- environment variable names (strict before Kubernetes 1.32, relaxed since, as the
  ``RelaxedEnvironmentVariableValidation`` gate) and duplicates (a warning, as the API server's);
- resource quantities that do not parse, negative ones, and requests above limits;
- a StatefulSet's Service: one of the App's Services, headless (pods get their DNS names from it);
- container names unique across init (sidecar) and app containers; a restart policy only on
  init containers (``"Always"``: a sidecar), probes only on sidecars among them;
- replicas given twice (``App(replicas=)`` and ``Deployment(replicas=)``), or negative;
- and, at render time (:func:`selector_changes`), a workload's selector (the App's labels)
  that differs from the one rendered before: selectors are immutable. What svcgen can know of
  the deployed selector is what it rendered into the committed ``-o`` output; the lock file
  records nodePorts only, and a render to stdout leaves nothing to compare with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from svcgen.dsl.checker import Checker
from svcgen.dsl.manifests import CONTAINER_FIELDS, POD_FIELDS, WORKLOAD_FIELDS, build_workload
from svcgen.dsl.model import App, Container, DaemonSet, Service, StatefulSet
from svcgen.dsl.policy import plain_container, stateful_service_name, workload_kind
from svcgen.errors import Problem, SourceLocation
from svcgen.kube import rules
from svcgen.kube.releases import KubeVersion

__all__ = ["check_workload", "selector_changes"]

_WIRE_TO_CONTAINER = {wire: attribute for attribute, wire in CONTAINER_FIELDS.items()}
_WIRE_TO_POD = {wire: attribute for attribute, wire in POD_FIELDS.items()}


def _where(path: Sequence[str | int], names: Mapping[str, str]) -> str:
    """A schema error's path in the DSL's words.

    Its first key is the DSL field, the rest Kubernetes'. A key written ``"[NAME]"`` is an item
    named in the DSL (``env[PORT]``), not a Kubernetes field.
    """
    first = names.get(str(path[0]), str(path[0])) if path else ""
    return first + "".join(
        f"[{p}]" if isinstance(p, int) else p if p.startswith("[") else f".{p}" for p in path[1:]
    )


def _schema(
    check: Checker,
    value: Mapping[str, Any],
    definition: str,
    names: Mapping[str, str],
    subject: str,
    location: SourceLocation | None,
    version: KubeVersion,
    skip: frozenset[str] = frozenset(),
    env: Sequence[str] = (),
) -> None:
    """``value`` against the schema's ``definition``.

    ``env``: the names of an env given as a mapping, in order.
    """
    from svcgen.kube import schema  # only when an App declares Kubernetes fields

    for error in schema.check(value, definition, version):
        path = error.path
        if path and path[0] in skip:
            continue
        if (
            env and len(path) > 2 and path[0] == "env" and isinstance(path[1], int)
        ):  # env={"PORT": 8080}
            path = (
                "env",
                f"[{env[path[1]]}]",
                *(() if path[2] in ("value", "valueFrom") else path[2:3]),
                *path[3:],
            )
        check.add(subject, _where(path, names), error.message, error.hint, location)


def check_workload(check: Checker, app: App, version: KubeVersion) -> dict[str, Any]:
    """Every problem of the App's pod template and workload fields (the App's workload is emitted).

    Returns the workload manifest the checks read (:func:`~svcgen.dsl.manifests.build_workload`),
    which the render writes as it is: built once, its containers and pod spec checked in place.
    """
    pod = app.pod
    init = pod.init_containers if pod is not None else ()
    manifest = build_workload(app)
    pod_spec = manifest["spec"]["template"]["spec"]
    built = [*pod_spec.get("initContainers", ()), *pod_spec["containers"]]
    every = [*((c, "init container") for c in init), *((c, "container") for c in app.containers)]
    _container_names(check, app, init)
    _restart_policies(check, app, init)
    volumes = _volumes(check, app)
    for (container, what), item in zip(every, built, strict=True):
        csubject = f'{what} "{container.name}" of App "{app.name}"'
        if not plain_container(container):
            env = list(container.env) if isinstance(container.env, Mapping) else []
            _schema(
                check,
                item,
                "core.v1.Container",
                _WIRE_TO_CONTAINER,
                csubject,
                container.location,
                version,
                frozenset({"name", "image", "ports"}),
                env,
            )
            _mounts(check, container, volumes, csubject)
            _env(check, container, csubject, version)
            _resources(check, container.resources, csubject, "resources", container.location)
    if pod is not None:
        spec = {k: v for k, v in pod_spec.items() if k not in ("containers", "initContainers")}
        _schema(
            check,
            spec,
            "core.v1.PodSpec",
            _WIRE_TO_POD,
            f'pod of App "{app.name}"',
            pod.location,
            version,
            frozenset({"containers"}),
        )
        _resources(check, pod.resources, f'pod of App "{app.name}"', "resources", pod.location)
        if pod.restart_policy not in (
            None,
            "Always",
        ):  # ValidatePodTemplateSpecForReplicaSet and the others
            check.add(
                f'pod of App "{app.name}"',
                "restart_policy",
                f'Unsupported value: "{pod.restart_policy}": supported values: "Always"',
                f"a {workload_kind(app)} restarts its pods always: drop restart_policy",
                pod.location,
            )
    workload = app.workload
    if workload is not None and not isinstance(workload, str):
        kind = workload_kind(app)
        if workload.labels is not None:
            check.labels(
                workload.labels, f'{kind} of App "{app.name}"', "labels", workload.location
            )
        fields = WORKLOAD_FIELDS[kind]
        spec = {k: v for k, v in manifest["spec"].items() if k in fields.values()}
        from svcgen.kube.schema import workload_spec

        _schema(
            check,
            spec,
            workload_spec(kind),
            {wire: attribute for attribute, wire in fields.items()},
            f'{kind} of App "{app.name}"',
            workload.location,
            version,
            frozenset({"selector", "template"}),
        )
        if not isinstance(workload, DaemonSet):
            _replicas(
                check, app, workload.replicas, f'{kind} of App "{app.name}"', workload.location
            )
        if isinstance(workload, StatefulSet):
            _stateful_service(check, app, workload)
    return manifest


def _restart_policies(check: Checker, app: App, init: Sequence[Container]) -> None:
    """A restartPolicy makes an init container a sidecar; app containers take none.

    Plain init containers (no restartPolicy) take no probes.
    """
    for container in app.containers:
        if container.restart_policy is not None:
            check.add(
                f'container "{container.name}" of App "{app.name}"',
                "restart_policy",
                "Forbidden: may not be set for non-init containers",
                "to run it as a sidecar, put it in Pod(init_containers=[...]) with "
                'restart_policy="Always"',
                container.location,
            )
    for container in init:
        if container.restart_policy == "Always":
            continue
        if container.restart_policy is not None:
            check.add(
                f'init container "{container.name}" of App "{app.name}"',
                "restart_policy",
                f'Unsupported value: "{container.restart_policy}": supported values: "Always"',
                'restart_policy="Always" makes it a sidecar; leave it unset for a plain init '
                "container",
                container.location,
            )
        for use in container.probes:
            check.add(
                f'init container "{container.name}" of App "{app.name}"',
                use,
                "Forbidden: may not be set for init containers without restartPolicy=Always",
                'probe a sidecar (restart_policy="Always") or an app container',
                container.location,
            )


def _replicas(
    check: Checker, app: App, replicas: int | None, subject: str, location: SourceLocation | None
) -> None:
    if replicas is None:
        return
    if app.replicas is not None:
        check.add(
            subject,
            "replicas",
            f"given twice: App(replicas={app.replicas}) and here ({replicas})",
            "give the replica count once, on the workload",
            location,
        )
    elif replicas < 0:
        check.add(
            subject,
            "replicas",
            f"Invalid value: {replicas}: must be greater than or equal to 0",
            "use 0 or more replicas",
            location,
        )


def _container_names(check: Checker, app: App, init: Sequence[Container]) -> None:
    """Init (and sidecar) containers share one name space with the app containers.

    Kubernetes checks this in ``validateContainers``.
    """
    seen: dict[str, Container] = {}
    for container in init:
        csubject = f'init container "{container.name}" of App "{app.name}"'
        check.rule(
            rules.dns1123_label,
            container.name,
            csubject,
            "name",
            "use at most 63 lower case letters, digits and '-', e.g. migrate",
            container.location,
        )
        if container.name in seen:
            check.add(
                csubject,
                "name",
                f'Duplicate value: "{container.name}" (first declared at '
                f"{seen[container.name].location})",
                "rename one of the containers",
                container.location,
            )
        seen.setdefault(container.name, container)
    for container in app.containers:
        if container.name in seen:
            check.add(
                f'container "{container.name}" of App "{app.name}"',
                "name",
                f'Duplicate value: "{container.name}": an init or sidecar container has that name '
                "(declared "
                f"at {seen[container.name].location})",
                "rename one of the containers",
                container.location,
            )


def _volumes(check: Checker, app: App) -> dict[str, str]:
    """The names a volume mount may use: the pod's volumes and a StatefulSet's claim templates.

    Each name maps to what it is: ``"volume"`` or ``"volume claim template"``.
    """
    names: dict[str, str] = {}
    pod = app.pod
    for i, volume in enumerate(pod.volumes if pod is not None else ()):
        name = volume.get("name")
        if not isinstance(name, str):
            continue  # the schema check says it
        field = f"volumes[{i}].name"
        check.rule(
            rules.dns1123_label,
            name,
            f'pod of App "{app.name}"',
            field,
            "use at most 63 lower case letters, digits and '-', e.g. data",
            pod.location if pod else None,
        )
        if name in names:
            check.add(
                f'pod of App "{app.name}"',
                field,
                f'Duplicate value: "{name}"',
                "give each volume its own name",
                pod.location if pod else None,
            )
        names.setdefault(name, "volume")
    if isinstance(app.workload, StatefulSet):
        for claim in app.workload.volume_claim_templates:
            metadata = claim.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            if isinstance(name, str):
                names.setdefault(name, "volume claim template")
    return names


def _mounts(check: Checker, container: Container, volumes: Mapping[str, str], subject: str) -> None:
    """``ValidateVolumeMounts`` and ``ValidateVolumeDevices`` on ``container``.

    The volume exists, paths are unique and stay inside.
    """
    paths: set[str] = set()
    loc = container.location
    for field, items in (
        ("volume_mounts", container.volume_mounts),
        ("volume_devices", container.volume_devices),
    ):
        for i, mount in enumerate(items):
            name, where = mount.get("name"), f"{field}[{i}]"
            if name == "":
                check.add(
                    subject, f"{where}.name", "Required value", "name one of the pod's volumes", loc
                )
            elif isinstance(name, str) and name not in volumes:
                import difflib  # only for a mistake's suggestion

                near = difflib.get_close_matches(name, list(volumes), n=1, cutoff=0.6)
                hint = (
                    f'did you mean "{near[0]}"?'
                    if near
                    else f'declare it: Pod(volumes=[{{"name": "{name}", ...}}])'
                    + (
                        " (or a StatefulSet volume claim template)"
                        if field == "volume_mounts"
                        else ""
                    )
                )
                check.add(subject, f"{where}.name", f'Not found: "{name}"', hint, loc)
            key = "mountPath" if field == "volume_mounts" else "devicePath"
            path = mount.get(key)
            if path == "":
                check.add(
                    subject,
                    f"{where}.{key}",
                    "Required value",
                    "give the path in the container",
                    loc,
                )
            elif isinstance(path, str):
                if path in paths:
                    check.add(
                        subject,
                        f"{where}.{key}",
                        f'Invalid value: "{path}": must be unique',
                        "mount each path once",
                        loc,
                    )
                paths.add(path)
            for sub in ("subPath", "subPathExpr"):
                value = mount.get(sub)
                for detail in (
                    rules.local_descending_path(value) if isinstance(value, str) and value else ()
                ):
                    check.add(
                        subject,
                        f"{where}.{sub}",
                        f'Invalid value: "{value}": {detail}',
                        "a path inside the volume, e.g. data/app",
                        loc,
                    )
            if mount.get("subPath") and mount.get("subPathExpr"):
                check.add(
                    subject,
                    f"{where}.subPathExpr",
                    f'Invalid value: "{mount["subPathExpr"]}": subPathExpr '
                    "and subPath are mutually exclusive",
                    "keep one of them",
                    loc,
                )


def _env(check: Checker, container: Container, subject: str, version: KubeVersion) -> None:
    env = container.env
    names = list(env) if isinstance(env, Mapping) else [item.get("name") for item in env]
    relaxed = version.relaxed_env_names
    seen: set[str] = set()
    for i, name in enumerate(names):
        field = f"env[{name}]" if isinstance(env, Mapping) else f"env[{i}].name"
        if not isinstance(name, str):
            continue  # the schema check says it
        if not name:
            check.add(
                subject, field, "Required value", "give the variable a name", container.location
            )
            continue
        for detail in rules.env_var_name(name, relaxed=relaxed):
            check.add(
                subject,
                field,
                f'Invalid value: "{name}": {detail}',
                "rename the variable",
                container.location,
            )
        if name in seen:
            check.add(
                subject,
                f"env[{i}]",
                f'hides previous definition of "{name}", which may be dropped when using apply',
                "set each variable once",
                container.location,
                warning=True,
            )
        seen.add(name)


@lru_cache(maxsize=4096, typed=True)
def _quantity(amount: str | int | float) -> Any:
    """:func:`svcgen.kube.rules.parse_quantity`, once per value (cached).

    Cached because 10,000 containers ask for the same few.
    """
    return rules.parse_quantity(amount)


def _resources(
    check: Checker,
    resources: Mapping[str, Any] | None,
    subject: str,
    field: str,
    location: SourceLocation | None,
) -> None:
    """Quantities parse and are not negative; each request is at most its limit.

    Kubernetes checks this in ``ValidateResourceRequirements``.
    """
    if not resources:
        return
    parsed: dict[str, dict[str, Any]] = {}
    for part in ("limits", "requests"):
        amounts = resources.get(part)
        if not isinstance(amounts, Mapping):
            continue
        parsed[part] = {}
        for name, amount in amounts.items():
            where = f"{field}.{part}[{name}]"
            if not isinstance(amount, (str, int, float)) or isinstance(amount, bool):
                continue  # the schema check says it
            value = _quantity(amount)
            if value is None:
                check.add(
                    subject,
                    where,
                    f'Invalid value: "{amount}": {rules.quantity(amount)[0]}',
                    'write a quantity such as "500m", "2", "128Mi" or "1Gi"',
                    location,
                )
            elif value < 0:
                check.add(
                    subject,
                    where,
                    f'Invalid value: "{amount}": must be greater than or equal to 0',
                    "use a positive quantity",
                    location,
                )
            else:
                parsed[part][name] = value
    for name, request in parsed.get("requests", {}).items():
        limit = parsed.get("limits", {}).get(name)
        if limit is not None and request > limit:
            given = resources["requests"][name]
            check.add(
                subject,
                f"{field}.requests[{name}]",
                f'Invalid value: "{given}": must be less than or '
                f"equal to {name} limit of {resources['limits'][name]}",
                f"lower the request, or raise the {name} limit",
                location,
            )


def _stateful_service(check: Checker, app: App, workload: StatefulSet) -> None:
    """The Service that governs a StatefulSet must be one of the App's, and headless.

    It gives the StatefulSet's pods their DNS names.
    """
    declared = workload.service
    name = stateful_service_name(app)
    where = f'StatefulSet of App "{app.name}"'
    if isinstance(declared, Service) and not any(s is declared for s in app.services):
        check.add(
            where,
            "service",
            f'Service "{declared.name}" is not one of the Services of App "{app.name}"',
            f'add it to App "{app.name}"(services=[...]), or name one of its own',
            workload.location,
        )
        return
    service = next((s for s in app.services if s.name == name), None)
    if service is None:
        if isinstance(declared, str):
            check.add(
                where,
                "service",
                f'names Service "{declared}", which App "{app.name}" does not declare',
                f'declare it: Service("{declared}", headless=True, ports=[...]) in the App\'s '
                "services",
                workload.location,
                warning=True,
            )
        return
    if not service.headless:
        check.add(
            where,
            "service",
            f'Service "{service.name}" is not headless: the StatefulSet\'s pods get no '
            "DNS names of their own",
            f'declare Service("{service.name}", headless=True, ...)',
            workload.location,
            warning=True,
        )


_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def selector_changes(
    locations: Mapping[tuple[str, str], SourceLocation | None],
    manifests: Sequence[Mapping[str, Any]],
    previous: Iterable[Mapping[str, Any]],
) -> list[Problem]:
    """Warnings for each workload whose selector differs from the one it was rendered with before.

    A workload's selector is immutable (``ValidateDeploymentUpdate``... say "field is immutable"):
    applying the new one fails, and the fix is either to keep the old labels or to replace the
    workload. ``previous``: the objects of an earlier render (the committed ``-o`` output), the
    one record of what is deployed that svcgen can read; ``manifests``: this render's;
    ``locations``: where each App (by namespace and name) whose workload is rendered was declared.
    """

    def key(doc: Mapping[str, Any]) -> tuple[str, str, str] | None:
        metadata = doc.get("metadata")
        if (
            doc.get("apiVersion") != "apps/v1"
            or doc.get("kind") not in _WORKLOAD_KINDS
            or not isinstance(metadata, Mapping)
        ):
            return None
        return str(doc["kind"]), str(metadata.get("namespace") or ""), str(metadata.get("name"))

    before = {
        k: doc for doc in previous if isinstance(doc, Mapping) and (k := key(doc)) is not None
    }
    if not before:
        return []
    problems: list[Problem] = []
    for doc in manifests:
        k = key(doc)
        old = before.get(k) if k is not None else None
        if k is None or old is None:
            continue
        old_spec = old.get("spec")  # an earlier output edited by hand may hold anything
        old_selector = old_spec.get("selector") if isinstance(old_spec, Mapping) else None
        new_selector = doc["spec"]["selector"]
        if old_selector is None or old_selector == new_selector:
            continue
        kind, namespace, name = k
        old_labels = old_selector.get("matchLabels") if isinstance(old_selector, Mapping) else None
        was = _labels(old_labels) if isinstance(old_labels, Mapping) else repr(old_selector)
        keep = (
            f"keep labels={was} (put new labels in pod_labels)"
            if isinstance(old_labels, Mapping)
            else "keep the selector rendered before"
        )
        where = f" -n {namespace}" if namespace else ""
        problems.append(
            Problem(
                f'{kind} "{namespace + "/" if namespace else ""}{name}"',
                "labels",
                f"spec.selector: Invalid value: {_labels(new_selector.get('matchLabels', {}))}: "
                "field is immutable: the "
                f"{kind} rendered before selects {was}, so applying this one fails",
                f"{keep}, or replace the {kind}: kubectl delete {kind.lower()} {name}{where} "
                "--cascade=orphan, then apply",
                locations.get((namespace, name)),
                "warning",
            )
        )
    return problems


def _labels(labels: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f'"{key}": "{value}"' for key, value in labels.items()) + "}"
