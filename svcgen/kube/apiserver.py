"""The API server's checks of v1 objects (plain dicts, as read from YAML), rule for rule.

:func:`default_service` is ``SetDefaults_Service``; :func:`validate_service` is
``ValidateService`` plus the nodePort allocator's range check; :func:`validate_pod_ports` is
``validateContainerPorts`` and the pod-level port checks. Field rules come from
:mod:`svcgen.kube.rules`. Values of the wrong JSON type are reported (the API server would refuse
to decode them) and the checks that need them are skipped.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from svcgen.errors import Severity, shorten
from svcgen.kube import rules
from svcgen.kube.objects import Path, format_path, is_int, mapping, pod_spec
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion

__all__ = [
    "SERVICE_PORT_FIELDS",
    "SERVICE_SPEC_FIELDS",
    "FieldError",
    "canonical_service",
    "default_service",
    "validate_pod_ports",
    "validate_service",
]

SERVICE_SPEC_FIELDS = (
    "ports",
    "selector",
    "clusterIP",
    "clusterIPs",
    "type",
    "externalIPs",
    "sessionAffinity",
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "externalName",
    "externalTrafficPolicy",
    "healthCheckNodePort",
    "publishNotReadyAddresses",
    "sessionAffinityConfig",
    "ipFamilies",
    "ipFamilyPolicy",
    "allocateLoadBalancerNodePorts",
    "loadBalancerClass",
    "internalTrafficPolicy",
    "trafficDistribution",
)
"""Every field of a v1 ServiceSpec (k8s.io/api/core/v1 types.go)."""

SERVICE_PORT_FIELDS = ("name", "protocol", "appProtocol", "port", "targetPort", "nodePort")
"""Every field of a v1 ServicePort."""

# Fields that are plain Go values with omitempty (not pointers): their zero value and their absence
# are the same object once decoded. Pointer fields (allocateLoadBalancerNodePorts, appProtocol,
# loadBalancerClass, ipFamilyPolicy, the traffic policies...) keep a zero value as a value.
_ZERO_IS_ABSENT_SPEC = {
    "clusterIP": "",
    "externalName": "",
    "loadBalancerIP": "",
    "healthCheckNodePort": 0,
    "publishNotReadyAddresses": False,
    "externalIPs": [],
    "loadBalancerSourceRanges": [],
    "selector": {},
    "clusterIPs": [],
    "ipFamilies": [],
    "ports": [],
    "sessionAffinity": "",
}
_ZERO_IS_ABSENT_PORT = {"name": "", "nodePort": 0, "protocol": ""}

LB_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
TOPOLOGY_HINTS_ANNOTATION = "service.kubernetes.io/topology-aware-hints"
TOPOLOGY_MODE_ANNOTATION = "service.kubernetes.io/topology-mode"


class FieldError(NamedTuple):
    """One problem with one field, in the API server's words."""

    path: Path
    message: str
    rule: str
    severity: Severity = "error"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quote(value: Any) -> str:
    """A value as Go's field errors print it: strings quoted, lists and maps as JSON.

    Long lists and maps are shortened.
    """
    import json  # only for messages: a clean run never loads it

    if isinstance(value, str):
        return json.dumps(shorten(value), ensure_ascii=False)
    if isinstance(value, (list, dict)):
        return shorten(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    if isinstance(value, bool):
        return "true" if value else "false"
    return shorten(str(value))


class FieldErrors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: Path, message: str, rule: str, severity: Severity = "error") -> None:
        self.items.append(FieldError(path, message, rule, severity))

    def invalid(self, path: Path, value: Any, detail: str, rule: str) -> None:
        self.add(path, f"Invalid value: {_quote(value)}: {detail}", rule)

    def check(self, check: Callable[[str], list[str]], path: Path, value: str, rule: str) -> None:
        for detail in check(value):
            self.invalid(path, value, detail, rule)

    def not_supported(
        self,
        path: Path,
        value: Any,
        supported: tuple[str, ...],
        rule: str,
        *,
        ordered: bool = False,
    ) -> None:
        """``field.NotSupported``: the choices sorted, unless ``ordered``.

        ``ordered``: the API server passes the choices in its own order, kept as given.
        """
        choices = ", ".join(f'"{s}"' for s in (supported if ordered else sorted(supported)))
        self.add(path, f"Unsupported value: {_quote(value)}: supported values: {choices}", rule)

    def typed(self, obj: Any, key: str, path: Path, kind: type | tuple[type, ...]) -> Any:
        """``obj[key]`` if present and of JSON type ``kind``; a type error (and None) otherwise."""
        if not isinstance(obj, dict):
            return None
        value = obj.get(key)
        if value is None:
            return None
        if type(value) is kind or (type(kind) is tuple and type(value) in kind):
            return value  # the common case, exactly (bool is not int: type(True) is bool)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = any(is_int(value) if k is int else isinstance(value, k) for k in kinds)
        if not ok:
            expected = " or ".join(
                {int: "integer", str: "string", bool: "boolean", list: "array", dict: "object"}[k]
                for k in kinds
            )
            self.add(
                (*path, key),
                f"Invalid type: expected {expected}, got {_type_name(value)} {_quote(value)}",
                "type",
            )
            return None
        return value


def default_service(service: dict[str, Any]) -> dict[str, Any]:
    """``SetDefaults_Service`` on a copy: what the API server validates is the defaulted object.

    Only what defaulting may change is copied (spec, its ports and session affinity config); the
    rest is shared with ``service``, which is never modified.
    """
    obj = dict(service)
    if not isinstance(obj.get("spec"), dict):
        return obj
    spec = obj["spec"] = dict(obj["spec"])
    if isinstance(spec.get("ports"), list):
        spec["ports"] = [dict(p) if isinstance(p, dict) else p for p in spec["ports"]]
    if isinstance(spec.get("sessionAffinityConfig"), dict):
        config = spec["sessionAffinityConfig"] = dict(spec["sessionAffinityConfig"])
        if isinstance(config.get("clientIP"), dict):
            config["clientIP"] = dict(config["clientIP"])
    if isinstance(spec.get("clusterIPs"), list):
        spec["clusterIPs"] = list(spec["clusterIPs"])
    if spec.get("sessionAffinity") in (None, ""):
        spec["sessionAffinity"] = "None"
    if spec.get("sessionAffinity") == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec.get("sessionAffinity") == "ClientIP":
        affinity = spec.get("sessionAffinityConfig")
        if affinity is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
        elif isinstance(affinity, dict):
            client_ip = affinity.get("clientIP")
            if client_ip is None:
                affinity["clientIP"] = {"timeoutSeconds": 10800}
            elif isinstance(client_ip, dict) and client_ip.get("timeoutSeconds") is None:
                client_ip["timeoutSeconds"] = 10800
    if spec.get("type") in (None, ""):
        spec["type"] = "ClusterIP"
    ports = spec.get("ports")
    if isinstance(ports, list):
        for port in ports:
            if not isinstance(port, dict):
                continue
            if port.get("protocol") in (None, ""):
                port["protocol"] = "TCP"
            if port.get("targetPort") in (None, 0, ""):
                port["targetPort"] = port.get("port")
    kind = spec.get("type")
    external_ips = spec.get("externalIPs")
    accessible = kind in ("NodePort", "LoadBalancer") or (
        kind == "ClusterIP" and isinstance(external_ips, list) and len(external_ips) > 0
    )
    if accessible and spec.get("externalTrafficPolicy") in (None, ""):
        spec["externalTrafficPolicy"] = "Cluster"
    if (
        kind in ("ClusterIP", "NodePort", "LoadBalancer")
        and spec.get("internalTrafficPolicy") is None
    ):
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    # The registry strategy fills clusterIPs from clusterIP.
    if isinstance(spec.get("clusterIP"), str) and spec["clusterIP"] and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    return obj


def canonical_service(service: dict[str, Any]) -> dict[str, Any]:
    """The object the API server would store for ``service``, for comparing two Services.

    v1 defaulting (:func:`default_service`), then what decoding makes equal: nulls and the zero
    values of non-pointer fields are absent, and of the metadata only name, namespace, labels
    and annotations are kept (the rest is the cluster's or is compared elsewhere).
    """
    obj = default_service(service)
    meta = mapping(obj.get("metadata"))
    metadata = {
        k: meta[k]
        for k in ("name", "namespace", "labels", "annotations")
        if meta.get(k) not in (None, {}, "")
    }
    spec = {
        k: v
        for k, v in mapping(obj.get("spec")).items()
        if v is not None and not (k in _ZERO_IS_ABSENT_SPEC and v == _ZERO_IS_ABSENT_SPEC[k])
    }
    if isinstance(spec.get("ports"), list):
        spec["ports"] = [
            {
                k: v
                for k, v in p.items()
                if v is not None
                and not (k in _ZERO_IS_ABSENT_PORT and v == _ZERO_IS_ABSENT_PORT[k])
            }
            if isinstance(p, dict)
            else p
            for p in spec["ports"]
        ]
    return {
        "apiVersion": obj.get("apiVersion", "v1"),
        "kind": obj.get("kind", "Service"),
        "metadata": metadata,
        "spec": spec,
    }


def validate_metadata(
    errors: FieldErrors, obj: dict[str, Any], name_rule: Callable[[str], list[str]]
) -> None:
    """``ValidateObjectMeta`` on create: name or generateName, namespace, labels, annotations...

    Then generation, resourceVersion, owner references and finalizers.
    """
    meta = errors.typed(obj, "metadata", (), dict)
    if meta is None:
        if "metadata" not in obj or obj.get("metadata") is None:
            errors.add(
                ("metadata", "name"), "Required value: name or generateName is required", "name"
            )
        return
    name = errors.typed(meta, "name", ("metadata",), str)
    generate = errors.typed(meta, "generateName", ("metadata",), str)
    if generate:
        # apimachinery masks a trailing "-" (a quirk: the last two characters become one "a"), and
        # reports the value as written.
        masked = generate[:-2] + "a" if generate.endswith("-") and len(generate) > 1 else generate
        for detail in name_rule(masked):
            errors.invalid(("metadata", "generateName"), generate, detail, "name")
    if name:
        errors.check(name_rule, ("metadata", "name"), name, "name")
    elif generate:
        # The store names the object generateName[:58] + 5 random characters, then validates that.
        errors.check(name_rule, ("metadata", "name"), generate[:58] + "bcdfg", "name")
    elif "name" not in meta or meta.get("name") in (None, ""):
        errors.add(("metadata", "name"), "Required value: name or generateName is required", "name")
    namespace = errors.typed(meta, "namespace", ("metadata",), str)
    if namespace:
        errors.check(rules.dns1123_label, ("metadata", "namespace"), namespace, "namespace")
    labels = errors.typed(meta, "labels", ("metadata",), dict)
    if labels is not None:
        _labels(errors, labels, ("metadata", "labels"))
    annotations = errors.typed(meta, "annotations", ("metadata",), dict)
    if annotations is not None:
        _annotations(errors, annotations)
    generation = errors.typed(meta, "generation", ("metadata",), int)
    if generation is not None and generation < 0:
        errors.invalid(
            ("metadata", "generation"), generation, "must be greater than or equal to 0", "metadata"
        )
    if meta.get("resourceVersion") not in (None, ""):
        errors.add(
            ("metadata", "resourceVersion"),
            "resourceVersion should not be set on objects to be created "
            "(a dump of a live object: applying it fails once the object changes)",
            "metadata",
            "warning",
        )
    _owner_references(errors, meta)
    _finalizers(errors, meta)


def _annotations(errors: FieldErrors, annotations: dict[Any, Any]) -> None:
    for key, value in annotations.items():
        if not isinstance(key, str):
            errors.add(
                ("metadata", "annotations"),
                f"Invalid type: key {_quote(key)} is not a string",
                "type",
            )
            continue
        for detail in rules.qualified_name(key.lower()):  # checked lower-cased, shown as written
            errors.invalid(("metadata", "annotations"), key, detail, "annotation-key")
        if not isinstance(value, str):
            errors.add(
                ("metadata", "annotations", key),
                f"Invalid type: expected string, got {_type_name(value)} {_quote(value)}",
                "type",
            )
    text = {str(k): v for k, v in annotations.items() if isinstance(v, str)}
    for detail in rules.annotations_size(text):
        errors.add(("metadata", "annotations"), f"Too long: {detail}", "annotation-size")


_STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def _owner_references(errors: FieldErrors, meta: dict[str, Any]) -> None:
    """``ValidateOwnerReferences``: the paths are not indexed, as in the API server."""
    refs = errors.typed(meta, "ownerReferences", ("metadata",), list) or []
    path: Path = ("metadata", "ownerReferences")
    controller: dict[str, Any] | None = None
    for ref in refs:
        if not isinstance(ref, dict):
            errors.add(path, f"Invalid type: expected object, got {_type_name(ref)}", "type")
            continue
        version = ref.get("apiVersion")
        version_text = version if isinstance(version, str) else ""
        if version_text.count("/") > 1 or not version_text.rsplit("/", 1)[-1]:
            errors.invalid(
                (*path, "apiVersion"), version_text, "version must not be empty", "metadata"
            )
        for key in ("kind", "name", "uid"):
            if not ref.get(key):
                errors.invalid((*path, key), "", "must not be empty", "metadata")
        if version_text == "v1" and ref.get("kind") == "Event":
            errors.invalid(
                path, ref, "/v1, Kind=Event is disallowed from being an owner", "metadata"
            )
        if ref.get("controller") is True:
            if controller is not None:
                errors.invalid(
                    path,
                    refs,
                    'Only one reference can have Controller set to true. Found "true" in '
                    f"references for {controller.get('kind')}/{controller.get('name')} and "
                    f"{ref.get('kind')}/{ref.get('name')}",
                    "metadata",
                )
            else:
                controller = ref


def _finalizers(errors: FieldErrors, meta: dict[str, Any]) -> None:
    """``ValidateFinalizers`` and the core group's ``validateKubeFinalizerName``."""
    finalizers = errors.typed(meta, "finalizers", ("metadata",), list) or []
    names = [f for f in finalizers if isinstance(f, str)]
    for name in names:
        errors.check(rules.qualified_name, ("metadata", "finalizers"), name, "metadata")
    if "orphan" in names and "foregroundDeletion" in names:
        errors.invalid(
            ("metadata", "finalizers"),
            finalizers,
            "finalizer orphan and foregroundDeletion cannot be both set",
            "metadata",
        )
    for i, name in enumerate(finalizers):
        if isinstance(name, str) and "/" not in name and name not in _STANDARD_FINALIZERS:
            errors.invalid(
                ("metadata", "finalizers", i),
                name,
                "name is neither a standard finalizer name nor is it fully qualified",
                "metadata",
            )


def _labels(errors: FieldErrors, labels: dict[Any, Any], path: Path) -> None:
    for key, value in labels.items():
        if not isinstance(key, str):
            errors.add(path, f"Invalid type: key {_quote(key)} is not a string", "type")
            continue
        errors.check(rules.qualified_name, path, key, "label-key")
        if not isinstance(value, str):
            errors.add(
                (*path, key),
                f"Invalid type: expected string, got {_type_name(value)} {_quote(value)}",
                "type",
            )
        else:
            errors.check(rules.label_value, path, value, "label-value")


def validate_service(
    service: dict[str, Any], node_port_range: NodePortRange, version: KubeVersion = PORTABLE
) -> list[FieldError]:
    """``ValidateServiceCreate`` on the v1-defaulted ``service``, as Kubernetes ``version`` has it.

    Plus the registry's checks that need no cluster state (nodePort range and sharing, SingleStack
    with two families) and the API server's warnings (``GetWarningsForService``).
    """
    errors = FieldErrors()
    obj = default_service(service)
    validate_metadata(
        errors, obj, rules.dns1123_label if version.relaxed_service_names else rules.dns1035_label
    )
    spec = errors.typed(obj, "spec", (), dict)
    if spec is None:
        if obj.get("spec") is None:
            errors.add(("spec", "ports"), "Required value", "ports-required")
        return errors.items
    sp: Path = ("spec",)
    kind = errors.typed(spec, "type", sp, str)
    if kind is not None and kind not in rules.SERVICE_TYPES:
        errors.not_supported((*sp, "type"), kind, rules.SERVICE_TYPES, "type")
    cluster_ip = errors.typed(spec, "clusterIP", sp, str)
    cluster_ips = errors.typed(spec, "clusterIPs", sp, list) or []
    headless = cluster_ip == "None" or (cluster_ips[:1] == ["None"])
    _cluster_ips(errors, spec, kind, cluster_ip, cluster_ips, version)
    ports = errors.typed(spec, "ports", sp, list)
    if not ports and not headless and kind != "ExternalName":
        errors.add((*sp, "ports"), "Required value", "ports-required")
    _ports(errors, ports or [], kind, headless, node_port_range)
    selector = errors.typed(spec, "selector", sp, dict)
    if selector is not None:
        _labels(errors, selector, (*sp, "selector"))
    errors.typed(
        spec, "publishNotReadyAddresses", sp, bool
    )  # decoding: the API server refuses other JSON types
    errors.typed(spec, "loadBalancerIP", sp, str)
    _session_affinity(errors, spec)
    _type_fields(errors, obj, spec, kind, node_port_range, version)
    _warnings(errors, obj, spec, kind, headless)
    return errors.items


_IP_FIELDS = ("externalIPs", "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")


def _cluster_ips(
    errors: FieldErrors,
    spec: dict[str, Any],
    kind: Any,
    cluster_ip: Any,
    cluster_ips: list[Any],
    version: KubeVersion,
) -> None:
    if not any(key in spec for key in _IP_FIELDS):
        return  # each rule below starts from one of these fields (most Services set none)
    sp: Path = ("spec",)
    ip_rule = rules.ip_address_strict if version.strict_ip_cidr else rules.ip_address
    for i, ip in enumerate(
        errors.typed(spec, "externalIPs", sp, list) or []
    ):  # every type, ExternalName too
        if not isinstance(ip, str):
            errors.add(
                (*sp, "externalIPs", i),
                f"Invalid type: expected string, got {_type_name(ip)}",
                "type",
            )
        elif ip_rule(ip):
            errors.check(ip_rule, (*sp, "externalIPs", i), ip, "external-ip")
        else:
            errors.check(rules.non_special_ip, (*sp, "externalIPs", i), ip, "external-ip")
    if kind == "ExternalName":
        if cluster_ip or cluster_ips:
            errors.add(
                (*sp, "clusterIPs"),
                "Forbidden: may not be set for ExternalName services",
                "external-name",
            )
        if spec.get("ipFamilies"):
            errors.add(
                (*sp, "ipFamilies"),
                "Forbidden: may not be set for ExternalName services",
                "external-name",
            )
        if spec.get("ipFamilyPolicy") is not None:  # a pointer: even "" is set
            errors.add(
                (*sp, "ipFamilyPolicy"),
                "Forbidden: may not be set for ExternalName services",
                "external-name",
            )
        return
    if cluster_ips[:1] == ["None"] and kind in ("LoadBalancer", "NodePort"):
        errors.invalid(
            (*sp, "clusterIPs", 0),
            "None",
            f"may not be set to 'None' for {kind} services",
            "headless",
        )
    if not _validate_cluster_ips(errors, spec, cluster_ip, cluster_ips, ip_rule):
        _single_stack(errors, spec, cluster_ip, cluster_ips)


def _single_stack(
    errors: FieldErrors, spec: dict[str, Any], cluster_ip: Any, cluster_ips: list[Any]
) -> None:
    """The registry's ``initIPFamilyFields``: a SingleStack policy allows one IP family only.

    This holds whether SingleStack is given or defaulted. The policy defaults to RequireDualStack
    for a headless Service without selector, else to SingleStack. The checks that need the cluster's
    own families are not made here.
    """
    policy = spec.get("ipFamilyPolicy")
    if policy is None:
        policy = (
            "RequireDualStack"
            if cluster_ip == "None" and not spec.get("selector")
            else "SingleStack"
        )
    if policy != "SingleStack":
        return
    if len(cluster_ips) == 2:
        errors.invalid(
            ("spec", "ipFamilyPolicy"),
            "SingleStack",
            "must be 'RequireDualStack' or 'PreferDualStack' "
            "when multiple cluster IPs are specified",
            "ip-family",
        )
    families = spec.get("ipFamilies")
    if isinstance(families, list) and len(families) == 2:
        errors.invalid(
            ("spec", "ipFamilyPolicy"),
            "SingleStack",
            "must be 'RequireDualStack' or 'PreferDualStack' "
            "when multiple IP families are specified",
            "ip-family",
        )


def _validate_cluster_ips(
    errors: FieldErrors,
    spec: dict[str, Any],
    cluster_ip: Any,
    cluster_ips: list[Any],
    ip_rule: Callable[[str], list[str]],
) -> bool:
    """``ValidateServiceClusterIPsRelatedFields``; True if it found errors.

    Not for ExternalName Services.
    """
    count = len(errors.items)
    sp: Path = ("spec",)
    if cluster_ip:
        if cluster_ips and cluster_ips[0] != cluster_ip:
            errors.invalid(
                (*sp, "clusterIPs"), cluster_ips, "first value must match `clusterIP`", "cluster-ip"
            )
    elif cluster_ips:
        errors.invalid(
            (*sp, "clusterIPs"),
            cluster_ips,
            "must be empty when `clusterIP` is not specified",
            "cluster-ip",
        )
    families = errors.typed(spec, "ipFamilies", sp, list) or []
    seen: set[Any] = set()
    for i, family in enumerate(families):
        if family not in ("IPv4", "IPv6"):
            errors.not_supported((*sp, "ipFamilies", i), family, ("IPv4", "IPv6"), "ip-family")
        if family in seen:
            errors.add((*sp, "ipFamilies", i), f"Duplicate value: {_quote(family)}", "ip-family")
        seen.add(family)
    policy = errors.typed(spec, "ipFamilyPolicy", sp, str)
    policies = ("PreferDualStack", "RequireDualStack", "SingleStack")
    if policy is not None and policy not in policies:
        errors.not_supported((*sp, "ipFamilyPolicy"), policy, policies, "ip-family")
    invalid = False
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                invalid = True
                errors.invalid(
                    (*sp, "clusterIPs"),
                    cluster_ips,
                    "'None' must be the first and only value",
                    "cluster-ip",
                )
            continue
        details = ip_rule(ip) if isinstance(ip, str) else ["must be a valid IP address"]
        invalid = invalid or bool(details)
        for detail in details:
            errors.invalid((*sp, "clusterIPs", i), ip, detail, "cluster-ip")
    if len(cluster_ips) > 2:
        errors.invalid(
            (*sp, "clusterIPs"), cluster_ips, "may only hold up to 2 values", "cluster-ip"
        )
    if invalid:
        return True
    parsed = [rules.parse_ip(ip) for ip in cluster_ips if ip != "None"]
    if len(cluster_ips) > 1 and len({a.version for a in parsed if a is not None}) < 2:
        errors.invalid(
            (*sp, "clusterIPs"),
            cluster_ips,
            "may specify no more than one IP for each IP family",
            "cluster-ip",
        )
    if cluster_ips and cluster_ips != ["None"]:
        for i, (ip, family) in enumerate(zip(parsed, families, strict=False)):
            if ip is None:
                continue
            expected = 6 if family == "IPv6" else 4 if family == "IPv4" else ip.version
            if ip.version != expected:
                errors.invalid(
                    (*sp, "clusterIPs", i),
                    str(cluster_ips[i]),
                    f"expected an IPv{expected} value as indicated by `ipFamilies[{i}]`",
                    "cluster-ip",
                )
    return len(errors.items) > count


def _ports(
    errors: FieldErrors, ports: list[Any], kind: Any, headless: bool, node_port_range: NodePortRange
) -> None:
    names: set[str] = set()
    seen_ports: set[tuple[Any, Any]] = set()
    seen_node_ports: set[tuple[Any, int]] = set()
    node_port_owner: dict[int, tuple[Any, int, Any]] = {}  # nodePort -> (port number, index, name)
    for i, port in enumerate(ports):
        path: Path = ("spec", "ports", i)
        if not isinstance(port, dict):
            errors.add(path, f"Invalid type: expected object, got {_type_name(port)}", "type")
            continue
        name = errors.typed(port, "name", path, str)
        if not name:
            if len(ports) > 1 and (name is not None or port.get("name") in (None, "")):
                errors.add((*path, "name"), "Required value", "port-name")
        else:
            errors.check(rules.dns1123_label, (*path, "name"), name, "port-name")
            if name in names:
                errors.add((*path, "name"), f"Duplicate value: {_quote(name)}", "port-name")
            names.add(name)
        number = errors.typed(port, "port", path, int)
        if number is None and port.get("port") is None:
            errors.invalid(
                (*path, "port"), 0, "must be between 1 and 65535, inclusive", "port-range"
            )
        elif number is not None:
            for detail in rules.port_number(number):
                errors.invalid((*path, "port"), number, detail, "port-range")
        protocol = errors.typed(port, "protocol", path, str)
        if protocol is not None and protocol not in rules.SUPPORTED_PROTOCOLS:
            errors.not_supported(
                (*path, "protocol"), protocol, rules.SUPPORTED_PROTOCOLS, "protocol"
            )
        target = errors.typed(port, "targetPort", path, (int, str))
        if is_int(target):
            for detail in rules.port_number(target):
                errors.invalid((*path, "targetPort"), target, detail, "target-port")
        elif isinstance(target, str):
            errors.check(rules.port_name, (*path, "targetPort"), target, "target-port")
        app_protocol = errors.typed(port, "appProtocol", path, str)
        if app_protocol is not None:
            errors.check(rules.qualified_name, (*path, "appProtocol"), app_protocol, "app-protocol")
        if number is not None and protocol is not None:
            key = (number, protocol)
            if key in seen_ports:
                errors.add(
                    path,
                    f'Duplicate value: {{"port": {number}, "protocol": "{protocol}"}}',
                    "port-unique",
                )
            seen_ports.add(key)
        node_port = errors.typed(port, "nodePort", path, int)
        if not node_port:
            continue
        if kind == "ClusterIP":
            errors.add(
                (*path, "nodePort"),
                "Forbidden: may not be used when `type` is 'ClusterIP'",
                "node-port-type",
            )
        if (protocol, node_port) in seen_node_ports:
            errors.add((*path, "nodePort"), f"Duplicate value: {node_port}", "node-port-unique")
            continue
        seen_node_ports.add((protocol, node_port))
        if kind in ("NodePort", "LoadBalancer"):
            if node_port not in node_port_range:
                errors.invalid(
                    (*path, "nodePort"),
                    node_port,
                    node_port_range.not_in_range_message(),
                    "node-port-range",
                )
            elif node_port in node_port_owner and node_port_owner[node_port][0] != number:
                other, j, other_name = node_port_owner[node_port]
                named = f' "{other_name}"' if isinstance(other_name, str) and other_name else ""
                errors.invalid(
                    (*path, "nodePort"),
                    node_port,
                    "provided port is already allocated (to "
                    f"spec.ports[{j}]{named}, port {other}: one nodePort serves one port number)",
                    "node-port-unique",
                )
            node_port_owner.setdefault(node_port, (number, i, name))


def _session_affinity(errors: FieldErrors, spec: dict[str, Any]) -> None:
    sp: Path = ("spec",)
    affinity = errors.typed(spec, "sessionAffinity", sp, str)
    if affinity is not None and affinity not in ("ClientIP", "None"):
        errors.not_supported(
            (*sp, "sessionAffinity"), affinity, ("ClientIP", "None"), "session-affinity"
        )
    if affinity != "ClientIP":
        return
    config = errors.typed(spec, "sessionAffinityConfig", sp, dict)
    client_ip = (
        errors.typed(config, "clientIP", (*sp, "sessionAffinityConfig"), dict) if config else None
    )
    if client_ip is None:
        return
    path = (*sp, "sessionAffinityConfig", "clientIP")
    timeout = errors.typed(client_ip, "timeoutSeconds", path, int)
    if timeout is not None:
        for detail in rules.session_affinity_timeout(timeout):
            errors.invalid((*path, "timeoutSeconds"), timeout, detail, "session-affinity")


def _type_fields(
    errors: FieldErrors,
    obj: dict[str, Any],
    spec: dict[str, Any],
    kind: Any,
    node_port_range: NodePortRange,
    version: KubeVersion,
) -> None:
    """The fields only some Service types may set: externalName, load balancer, traffic policies."""
    sp: Path = ("spec",)
    if kind == "ExternalName":
        name = errors.typed(spec, "externalName", sp, str)
        if not name or name == ".":
            errors.add((*sp, "externalName"), "Required value", "external-name")
        else:
            errors.check(rules.external_name, (*sp, "externalName"), name, "external-name")
    annotations = mapping(mapping(obj.get("metadata")).get("annotations"))
    _load_balancer_fields(errors, annotations, spec, kind, version)
    hints, mode = (
        annotations.get(TOPOLOGY_HINTS_ANNOTATION),
        annotations.get(TOPOLOGY_MODE_ANNOTATION),
    )
    if hints is not None and mode is not None and hints != mode:
        errors.invalid(
            ("metadata", "annotations", TOPOLOGY_MODE_ANNOTATION),
            mode,
            f"must match annotations[{TOPOLOGY_HINTS_ANNOTATION}] when both are specified",
            "annotation",
        )
    _traffic_fields(errors, spec, kind, node_port_range, version)


def _load_balancer_fields(
    errors: FieldErrors,
    annotations: dict[str, Any],
    spec: dict[str, Any],
    kind: Any,
    version: KubeVersion,
) -> None:
    """allocateLoadBalancerNodePorts, loadBalancerClass and the load balancer's source ranges.

    The source ranges are checked both as the field and as the annotation.
    """
    sp: Path = ("spec",)
    allocate = errors.typed(spec, "allocateLoadBalancerNodePorts", sp, bool)
    if (
        kind == "LoadBalancer"
        and allocate is None
        and spec.get("allocateLoadBalancerNodePorts") is None
    ):
        errors.add(("allocateLoadBalancerNodePorts",), "Required value", "load-balancer")
    if kind != "LoadBalancer" and allocate is not None:
        errors.add(
            (*sp, "allocateLoadBalancerNodePorts"),
            "Forbidden: may only be used when `type` is 'LoadBalancer'",
            "load-balancer",
        )
    lb_class = errors.typed(spec, "loadBalancerClass", sp, str)
    if lb_class is not None:
        if kind != "LoadBalancer":
            errors.add(
                (*sp, "loadBalancerClass"),
                "Forbidden: may only be used when `type` is 'LoadBalancer'",
                "load-balancer",
            )
        else:
            errors.check(
                rules.qualified_name, (*sp, "loadBalancerClass"), lb_class, "load-balancer"
            )
    cidr_rule = rules.ip_cidr_strict if version.strict_ip_cidr else rules.ip_cidr
    ranges = errors.typed(spec, "loadBalancerSourceRanges", sp, list)
    annotation = annotations.get(LB_SOURCE_RANGES_ANNOTATION)
    if ranges:
        path: Path = (*sp, "LoadBalancerSourceRanges")
        if kind != "LoadBalancer":
            errors.add(
                path, "Forbidden: may only be used when `type` is 'LoadBalancer'", "load-balancer"
            )
        for i, value in enumerate(ranges):  # space-padding is allowed, for historical reasons
            text = value.strip() if isinstance(value, str) else str(value)
            errors.check(cidr_rule, (*path, i), text, "load-balancer")
    elif annotation is not None:
        path = ("metadata", "annotations", LB_SOURCE_RANGES_ANNOTATION)
        if kind != "LoadBalancer":
            errors.add(
                path, "Forbidden: may only be used when `type` is 'LoadBalancer'", "load-balancer"
            )
        text = str(annotation).strip()
        for value in text.split(",") if text else []:
            errors.check(cidr_rule, path, value.strip(), "load-balancer")


def _traffic_fields(
    errors: FieldErrors,
    spec: dict[str, Any],
    kind: Any,
    node_port_range: NodePortRange,
    version: KubeVersion,
) -> None:
    """trafficDistribution, the external and internal traffic policies, the healthCheckNodePort."""
    sp: Path = ("spec",)
    distribution = errors.typed(spec, "trafficDistribution", sp, str)
    if distribution is not None and distribution not in version.traffic_distributions:
        errors.not_supported(
            (*sp, "trafficDistribution"),
            distribution,
            version.traffic_distributions,
            "traffic-distribution",
            ordered=True,
        )
    accessible = kind in ("NodePort", "LoadBalancer") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs"))
    )
    etp = errors.typed(spec, "externalTrafficPolicy", sp, str)
    if etp:  # a plain string: "" is unset
        if not accessible:
            errors.invalid(
                (*sp, "externalTrafficPolicy"),
                etp,
                "may only be set for externally-accessible services",
                "traffic-policy",
            )
        elif etp not in rules.TRAFFIC_POLICIES:
            errors.not_supported(
                (*sp, "externalTrafficPolicy"), etp, rules.TRAFFIC_POLICIES, "traffic-policy"
            )
    elif accessible:
        errors.add((*sp, "externalTrafficPolicy"), "Required value", "traffic-policy")
    hcnp = errors.typed(spec, "healthCheckNodePort", sp, int)
    if hcnp:
        if kind != "LoadBalancer" or etp != "Local":
            errors.invalid(
                (*sp, "healthCheckNodePort"),
                hcnp,
                "may only be set when `type` is 'LoadBalancer' and "
                "`externalTrafficPolicy` is 'Local'",
                "health-check-node-port",
            )
        elif rules.port_number(hcnp):
            errors.invalid(
                (*sp, "healthCheckNodePort"),
                hcnp,
                rules.port_number(hcnp)[0],
                "health-check-node-port",
            )
        elif hcnp not in node_port_range:
            errors.invalid(
                (*sp, "healthCheckNodePort"),
                hcnp,
                node_port_range.not_in_range_message(),
                "node-port-range",
            )
    itp = errors.typed(spec, "internalTrafficPolicy", sp, str)
    if itp is not None and itp not in rules.TRAFFIC_POLICIES:
        errors.not_supported(
            (*sp, "internalTrafficPolicy"), itp, rules.TRAFFIC_POLICIES, "traffic-policy"
        )
    elif itp is None and kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        errors.add((*sp, "internalTrafficPolicy"), "Required value", "traffic-policy")


def _warnings(
    errors: FieldErrors, obj: dict[str, Any], spec: dict[str, Any], kind: Any, headless: bool
) -> None:
    """``GetWarningsForService`` (pkg/api/service/warnings.go): accepted, but probably not meant."""
    annotations = mapping(mapping(obj.get("metadata")).get("annotations"))
    if TOPOLOGY_HINTS_ANNOTATION in annotations:
        errors.add(
            ("metadata", "annotations", TOPOLOGY_HINTS_ANNOTATION),
            f"annotation {TOPOLOGY_HINTS_ANNOTATION} "
            f"is deprecated, please use {TOPOLOGY_MODE_ANNOTATION} instead",
            "deprecated",
            "warning",
        )
    sp: Path = ("spec",)
    if kind == "ClusterIP" and headless:
        if spec.get("loadBalancerIP"):
            errors.add(
                (*sp, "loadBalancerIP"),
                "spec.loadBalancerIP is ignored for headless services",
                "ignored",
                "warning",
            )
        if spec.get("externalIPs"):
            errors.add(
                (*sp, "externalIPs"),
                "spec.externalIPs is ignored for headless services",
                "ignored",
                "warning",
            )
        if spec.get("sessionAffinity") not in (None, "", "None"):
            errors.add(
                (*sp, "sessionAffinity"),
                "spec.SessionAffinity is ignored for headless services",
                "ignored",
                "warning",
            )
    if kind == "ExternalName" and spec.get("externalIPs"):
        errors.add(
            (*sp, "externalIPs"),
            'spec.externalIPs is ignored when spec.type is "ExternalName"',
            "ignored",
            "warning",
        )
    if kind != "ExternalName" and spec.get("externalName"):
        errors.add(
            (*sp, "externalName"),
            'spec.externalName is ignored when spec.type is not "ExternalName"',
            "ignored",
            "warning",
        )


def validate_pod_ports(obj: dict[str, Any]) -> list[FieldError]:
    """``validateContainerPorts`` for every container of a Pod or workload.

    The pod-level checks are made too.
    """
    errors = FieldErrors()
    found = pod_spec(obj)
    if found is None:
        return []
    base, spec = found
    host_ports: set[tuple[Any, Any, Any]] = set()
    declared: dict[str, list[tuple[str, str, int]]] = {}
    for group in ("initContainers", "containers", "ephemeralContainers"):
        containers = errors.typed(spec, group, base, list) or []
        for c, container in enumerate(containers):
            cpath = (*base, group, c)
            if not isinstance(container, dict):
                errors.add(
                    cpath, f"Invalid type: expected object, got {_type_name(container)}", "type"
                )
                continue
            ports = errors.typed(container, "ports", cpath, list) or []
            if group == "ephemeralContainers":
                if ports:
                    errors.add(
                        (*cpath, "ports"),
                        "Forbidden: cannot be set for an Ephemeral Container",
                        "container-port",
                    )
                continue
            _container_ports(errors, ports, (*cpath, "ports"), host_ports, declared)
    return errors.items


def _container_ports(
    errors: FieldErrors,
    ports: list[Any],
    path: Path,
    host_ports: set[tuple[Any, Any, Any]],
    declared: dict[str, list[tuple[str, str, int]]],
) -> None:
    names: set[str] = set()
    for j, port in enumerate(ports):
        ppath = (*path, j)
        if not isinstance(port, dict):
            errors.add(ppath, f"Invalid type: expected object, got {_type_name(port)}", "type")
            continue
        name = errors.typed(port, "name", ppath, str)
        if name:
            details = rules.port_name(name)
            for detail in details:
                errors.invalid((*ppath, "name"), name, detail, "container-port-name")
            if not details:
                if name in names:
                    errors.add(
                        (*ppath, "name"), f"Duplicate value: {_quote(name)}", "container-port-name"
                    )
                names.add(name)
        number = errors.typed(port, "containerPort", ppath, int)
        if not number and port.get("containerPort") in (None, 0):
            errors.add((*ppath, "containerPort"), "Required value", "container-port")
        elif number:
            for detail in rules.port_number(number):
                errors.invalid((*ppath, "containerPort"), number, detail, "container-port")
        host_port = errors.typed(port, "hostPort", ppath, int)
        if host_port:
            for detail in rules.port_number(host_port):
                errors.invalid((*ppath, "hostPort"), host_port, detail, "host-port")
        protocol = errors.typed(port, "protocol", ppath, str)
        if protocol is None:
            protocol = "TCP"  # the v1 default
        elif protocol not in rules.SUPPORTED_PROTOCOLS:
            errors.not_supported(
                (*ppath, "protocol"), protocol, rules.SUPPORTED_PROTOCOLS, "protocol"
            )
        if host_port:
            key = (protocol, port.get("hostIP") or "", host_port)
            if key in host_ports:
                errors.add(
                    (*ppath, "hostPort"),
                    f'Duplicate value: "{protocol}/{key[1]}/{host_port}"',
                    "host-port",
                )
            host_ports.add(key)
        _port_warnings(errors, ppath, port, number, protocol, host_port, declared)


def _port_warnings(
    errors: FieldErrors,
    ppath: Path,
    port: dict[str, Any],
    number: Any,
    protocol: str,
    host_port: Any,
    declared: dict[str, list[tuple[str, str, int]]],
) -> None:
    """``pkg/api/pod/warnings.go``: the same containerPort/protocol declared twice in a pod."""
    host_ip = str(port["hostIP"]) if isinstance(port.get("hostIP"), str) else ""
    host_port = host_port if isinstance(host_port, int) else 0
    if host_ip and not host_port:
        errors.add(ppath, "hostIP set without hostPort", "host-ip", "warning")
    key = f"{number or 0}/{protocol}"
    for other_path, other_ip, other_port in declared.get(key, []):
        if host_ip == other_ip and host_port == other_port:
            errors.add(
                ppath, f"duplicate port definition with {other_path}", "container-port", "warning"
            )
        elif host_port == 0 or other_port == 0:
            errors.add(
                ppath, f"overlapping port definition with {other_path}", "container-port", "warning"
            )
        elif host_port == other_port and bool(host_ip) != bool(other_ip):
            errors.add(
                ppath,
                f"dangerously ambiguous port definition with {other_path}",
                "container-port",
                "warning",
            )
    declared.setdefault(key, []).append((format_path(ppath), host_ip, host_port))
