"""Wrong types in a declaration, said in svcgen's words: one problem per argument, with the fix.

pydantic reports a value that fits none of a union's members once per member
(``node_port="30000"`` gives an int error and a literal error) and a single object where a list
is expected once per field of that object. The user made one mistake: this module turns
pydantic's errors into one problem per argument, naming what was expected, what was given,
and the nearest valid value where there is one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from svcgen.errors import Problem, SourceLocation

__all__ = ["lone_objects", "type_problems"]

_NUMBER = "a whole number"
_STRINGS = 'a mapping of strings to strings, e.g. {"app": "web"}'
_POLICY = '"Cluster" or "Local"'
EXPECTED: dict[str, str] = {
    "name": "a string",
    "image": "a string",
    "namespace": "a string",
    "external_name": "a string",
    "app_protocol": "a string",
    "load_balancer_class": "a string",
    "load_balancer_ip": "a string",
    "traffic_distribution": "a string",
    "number": _NUMBER,
    "port": _NUMBER,
    "replicas": _NUMBER,
    "session_affinity_timeout": _NUMBER,
    "node_port": "a port number, AUTO or None",
    "health_check_node_port": "a port number, AUTO or None",
    "protocol": '"TCP", "UDP" or "SCTP"',
    "target_by": '"name" or "number"',
    "type": '"ClusterIP", "NodePort", "LoadBalancer" or "ExternalName"',
    "external_traffic_policy": _POLICY,
    "internal_traffic_policy": _POLICY,
    "session_affinity": '"None" or "ClientIP"',
    "workload": 'Deployment(...), StatefulSet(...) or DaemonSet(...) (or "Deployment", '
    '"StatefulSet", "DaemonSet")',
    "ip_family_policy": '"SingleStack", "PreferDualStack" or "RequireDualStack"',
    "ip_families": 'a list of "IPv4" and "IPv6"',
    "headless": "True or False",
    "allocate_load_balancer_node_ports": "True, False or None",
    "publish_not_ready_addresses": "True, False or None",
    "labels": _STRINGS,
    "annotations": _STRINGS,
    "pod_labels": _STRINGS,
    "extra_selector": _STRINGS,
    "external_ips": "a list of IP addresses (strings)",
    "load_balancer_source_ranges": "a list of CIDRs (strings)",
    "cluster_ip": 'an IP address, or a list of one per family, e.g. ["10.0.0.10", "fd00::10"]',
    "containers": "a list of Container(...)",
    "services": "a list of Service(...)",
    **dict.fromkeys(("command", "args", "image_pull_secrets"), "a list of strings"),
    "env": 'a mapping of names to values, e.g. {"LOG_LEVEL": "info"}, or a list of Kubernetes '
    "EnvVar objects",
    **dict.fromkeys(
        (
            "env_from",
            "volume_mounts",
            "volume_devices",
            "volumes",
            "tolerations",
            "topology_spread",
            "host_aliases",
            "readiness_gates",
            "scheduling_gates",
            "resource_claims",
            "resize_policy",
            "restart_policy_rules",
            "volume_claim_templates",
            "http_headers",
        ),
        "a list of Kubernetes objects (dicts with Kubernetes' field names)",
    ),
    **dict.fromkeys(
        (
            "resources",
            "security_context",
            "lifecycle",
            "affinity",
            "dns_config",
            "overhead",
            "os",
            "strategy",
            "update_strategy",
            "persistent_volume_claim_retention_policy",
            "ordinals",
            "scheduling_group",
        ),
        "a Kubernetes object (a dict with Kubernetes' field names) or None",
    ),
    **dict.fromkeys(
        (
            "working_dir",
            "termination_message_path",
            "service_account",
            "node_name",
            "priority_class_name",
            "hostname",
            "hostname_override",
            "subdomain",
            "scheduler_name",
            "runtime_class_name",
            "host",
            "template_name",
        ),
        "a string",
    ),
    **dict.fromkeys(
        (
            "priority",
            "termination_grace_period_seconds",
            "active_deadline_seconds",
            "min_ready_seconds",
            "revision_history_limit",
            "progress_deadline_seconds",
            "success_threshold",
        ),
        _NUMBER,
    ),
    **dict.fromkeys(
        (
            "stdin",
            "stdin_once",
            "tty",
            "automount_service_account_token",
            "host_network",
            "host_pid",
            "host_ipc",
            "host_users",
            "share_process_namespace",
            "set_hostname_as_fqdn",
            "enable_service_links",
            "paused",
        ),
        "True, False or None",
    ),
    "node_selector": _STRINGS,
    "pod": "Pod(...)",
    "image_pull_policy": '"Always", "IfNotPresent" or "Never"',
    "termination_message_policy": '"File" or "FallbackToLogsOnError"',
    "pod_management_policy": '"OrderedReady" or "Parallel"',
    "init_containers": "a list of Container(...)",
}
_SERVICE_PORT = 'service.port(NAME), e.g. web.port("http")'
_PROBE = 'a Probe, e.g. Probe.http(port, "/healthz")'
BY_OWNER: dict[tuple[str, str], str] = {
    ("Container", "ports"): "a list of Port(...)",
    ("NetworkPolicy", "ports"): "a list of container.port(NAME)",
    ("PolicyRule", "ports"): "a list of container.port(NAME)",
    ("PolicyRule", "peers"): "a list of Peer(...)",
    ("NetworkPolicy", "rules"): "a list of PolicyRule(...)",
    ("Peer", "pods"): "a mapping of labels, {} for any, or None",
    ("Peer", "namespaces"): "a mapping of labels, {} for any, or None",
    ("Container", "liveness"): _PROBE,
    ("Container", "readiness"): _PROBE,
    ("Container", "startup"): _PROBE,
    ("Probe", "port"): "one of the container's Port(...) objects",
    ("Port", "name"): "a string, or None (a port without a name)",
    ("Probe", "path"): "a string",
    ("Probe", "grpc_service"): "a string",
    ("PodMonitor", "port"): 'container.port(NAME), e.g. app_container.port("metrics")',
    ("ServiceMonitor", "port"): _SERVICE_PORT,
    ("Ingress", "default_backend"): _SERVICE_PORT,
    ("IngressRule", "paths"): 'a mapping of paths to service ports, e.g. {"/": web.port("http")}',
    ("IngressRule", "host"): "a host name (a string) or None",
    ("Ingress", "rules"): "a list of IngressRule(...)",
    ("Ingress", "tls"): "a list of IngressTLS(...)",
    ("HTTPRoute", "rules"): "a list of RouteRule(...)",
    ("HTTPRoute", "parents"): "a list of GatewayRef(...)",
    ("HTTPRoute", "hostnames"): "a list of host names (strings)",
    ("IngressTLS", "hosts"): "a list of host names",
    ("RouteRule", "backends"): "a list of service.port(NAME)",
    (
        "App",
        "consumers",
    ): "a list of Ingress, HTTPRoute, ServiceMonitor, PodMonitor or NetworkPolicy objects",
    ("StatefulSet", "service"): "one of the App's Service objects (headless), or a Service name",
    ("Container", "restart_policy"): '"Always" (a sidecar, among init containers)',
    ("Pod", "restart_policy"): '"Always", "OnFailure" or "Never"',
    ("Pod", "preemption_policy"): '"PreemptLowerPriority" or "Never"',
    ("Pod", "dns_policy"): '"ClusterFirst", "ClusterFirstWithHostNet", "Default" or "None"',
    ("Pod", "annotations"): _STRINGS,
}
"""What a field takes, where it differs between classes (``ports`` of a Container are Port
objects)."""
LIST_FIELDS = {
    "ports",
    "containers",
    "services",
    "consumers",
    "rules",
    "tls",
    "parents",
    "hostnames",
    "hosts",
    "backends",
    "peers",
    "init_containers",
}


def _shown(value: Any) -> str:
    if isinstance(value, BaseModel):
        name = type(value).__name__
        return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _options(errors: Sequence[Any]) -> list[str]:
    """The literal values an argument accepts, from pydantic's literal errors."""
    found: list[str] = []
    for err in errors:
        expected = (err.get("ctx") or {}).get("expected")
        if isinstance(expected, str):
            found.extend(re.findall(r"'([^']*)'", expected))
    return found


def _nearest(value: Any, options: Sequence[str]) -> str | None:
    if not isinstance(value, str) or not options:
        return None
    folded = {o.casefold(): o for o in options}
    if value.casefold() in folded:
        return folded[value.casefold()]
    import difflib  # only for a mistake's suggestion

    near = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return near[0] if near else None


def _expected(field: str, owner: str) -> str:
    if field == "ports" and (owner, field) not in BY_OWNER:
        return "a list of container.port(NAME).expose(...)"
    return BY_OWNER.get((owner, field)) or EXPECTED.get(field, "")


def lone_objects(
    subject: str, fields: dict[str, Any], location: SourceLocation | None, owner: str
) -> list[Problem]:
    """A single declaration passed where a list of them goes (``ports=port.expose()``)."""
    return [
        Problem(
            subject,
            field,
            f"expected {_expected(field, owner)}, got {_shown(value)}",
            f"put it in a list: {field}=[...]",
            location,
        )
        for field, value in fields.items()
        if field in LIST_FIELDS and isinstance(value, BaseModel)
    ]


def _problem(
    subject: str, field: str, errors: Sequence[Any], location: SourceLocation | None, owner: str
) -> Problem:
    first = errors[0]
    if first["type"] == "missing":
        return Problem(subject, field, "Required value: missing", f"pass {field}=...", location)
    value = first["input"] if len(first["loc"]) == 1 else _top_input(errors, field)
    expected = _expected(field, owner)
    if len(first["loc"]) > 1 and (field in LIST_FIELDS or expected == _STRINGS):
        item = expected.removeprefix("a list of ") if field in LIST_FIELDS else "a string"
        key = first["loc"][1]
        where = f"{field}[{key}]" if isinstance(key, int) else f'{field}["{key}"]'
        hint = (
            f"each item of {field} is {item}"
            if field in LIST_FIELDS
            else f"{field} map strings to strings: quote it"
        )
        return Problem(
            subject, where, f"expected {item}, got {_shown(first['input'])}", hint, location
        )
    near = _nearest(value, _options(errors))
    hint = f'did you mean "{near}"?' if near else (f"pass {expected}" if expected else "")
    if isinstance(value, str) and expected.startswith(
        "a list of strings"
    ):  # command="run": one argument
        hint = f"put it in a list: {field}=[{value!r}]".replace("'", '"')
    message = (
        f"expected {expected}, got {_shown(value)}"
        if expected
        else f"{first['msg']} (got {_shown(value)})"
    )
    return Problem(subject, field, message, hint, location)


def _top_input(errors: Sequence[Any], field: str) -> Any:
    """The value given for ``field`` when pydantic reported an item or a union member inside it."""
    for err in errors:
        if len(err["loc"]) == 1:
            return err["input"]
    return errors[0]["input"]


def type_problems(
    subject: str, exc: ValidationError, location: SourceLocation | None, owner: str
) -> list[Problem]:
    """One problem per argument that pydantic refused, in svcgen's words (``owner``: the class)."""
    by_field: dict[str, list[Any]] = {}
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else ""
        by_field.setdefault(field, []).append(err)
    name = by_field.get("name", [{}])[0]
    if (
        owner == "Port"
        and type(name.get("input")) is int
        and by_field.get("number", [{}])[0].get("type") == "missing"
    ):
        # Port(8080): a number where the name goes, the one positional argument.
        return [
            Problem(
                subject,
                "name",
                f"expected a string, got int {name['input']} (a port's name comes first)",
                f"a port without a name is Port(number={name['input']})",
                location,
            )
        ]
    return [_problem(subject, field, errors, location, owner) for field, errors in by_field.items()]
