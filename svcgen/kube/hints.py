"""How to fix what the API server's checks found, in two vocabularies: a manifest's and the DSL's.

One table, :data:`FIXES`, holds every fix. A fix is chosen by the rule, the kind of error
(``Required``, ``Invalid``, ``Duplicate``, ``Forbidden``, ``Unsupported``, the first word of the
message; or ``warning``) and the field, and is said in the words of the input: ``svcgen lint``
speaks of manifest fields (``spec.externalName``), a declaration of the DSL's options
(``external_name=``). Where both would use the same words the fix is written once; the DSL's own
words are given only where they differ (or ``""`` where the DSL cannot produce the finding). The
DSL's front door is :mod:`svcgen.dsl.hints`; tests/test_kube_hints.py keeps the two vocabularies
apart and every rule of the validator covered.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from svcgen.kube.apiserver import FieldError
from svcgen.kube.portrange import NodePortRange

__all__ = [
    "FIXES",
    "Fix",
    "Vocabulary",
    "fix",
    "ingress_hint",
    "load_balancer_value_hint",
    "manifest_hint",
]

Vocabulary = Literal["manifest", "dsl"]


class Fix(NamedTuple):
    """One fix, in a manifest's words and, where they differ, in the DSL's.

    ``{range}`` stands for the cluster's nodePort range, ``{field}`` (DSL only) for the option.
    """

    manifest: str
    dsl: str | None = (
        None  # None: the manifest's words fit the DSL too; "": the DSL never meets this
    )

    def words(self, vocabulary: Vocabulary) -> str:
        return self.dsl if vocabulary == "dsl" and self.dsl is not None else self.manifest


_NAME = "names are at most 63 of a-z 0-9 '-', starting and ending with a letter or digit"
_SERVICE_NAME = (
    f"Service {_NAME} (starting with a letter before Kubernetes 1.36; a digit first needs "
    "kubernetes-version 1.36 or later), e.g. web-api"
)

# (rule, kind) -> fix; kind "" matches any kind of error of that rule.
FIXES: dict[tuple[str, str], Fix] = {
    ("name", "Required"): Fix("set metadata.name (or metadata.generateName)", _SERVICE_NAME),
    ("name", ""): Fix(_SERVICE_NAME),
    ("namespace", ""): Fix(f"namespace {_NAME}"),
    ("label-key", ""): Fix("label keys are NAME or PREFIX/NAME, e.g. app or example.com/tier"),
    ("label-value", ""): Fix(
        "label values are at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric"
    ),
    ("annotation-key", ""): Fix("annotation keys are NAME or PREFIX/NAME, e.g. example.com/owner"),
    ("annotation-size", ""): Fix("move large data out of annotations"),
    ("annotation", ""): Fix(
        "give both topology annotations the same value, or keep only topology-mode"
    ),
    ("metadata", ""): Fix("fix the metadata as the message says"),
    ("type", ""): Fix(
        "use the type the field has in the v1 API (quote strings, leave numbers unquoted)", ""
    ),
    ("ports-required", ""): Fix(
        "add spec.ports (only headless and ExternalName Services may have none)",
        "add ports=[container.port(NAME).expose()] (only headless and ExternalName "
        "Services may have none)",
    ),
    ("port-name", "Required"): Fix(
        "give every port of a Service with several ports a name",
        "every port of a Service with several ports needs its own name: expose(..., name=...)",
    ),
    ("port-name", "Duplicate"): Fix(
        "give each port of the Service its own name",
        "give each port of the Service its own name: expose(..., name=...)",
    ),
    ("port-name", "Invalid"): Fix(f"port {_NAME}", f"Service port {_NAME}: expose(..., name=...)"),
    ("port-range", ""): Fix(
        "use a port number from 1 to 65535", "pass the Service port as expose(PORT), 1-65535"
    ),
    ("protocol", ""): Fix("use TCP, UDP or SCTP (upper case)"),
    ("target-port", ""): Fix(
        "targetPort is a number from 1 to 65535 or a container port's name (at most 15 of "
        "a-z 0-9 '-', with a letter)",
        "",
    ),  # the DSL checks it on the container port
    ("port-unique", ""): Fix(
        "list each (port, protocol) once",
        "expose each (port, protocol) once, or pick another Service port",
    ),
    ("app-protocol", ""): Fix("use a protocol name such as http, h2c, grpc or example.com/proto"),
    ("node-port-range", ""): Fix(
        "use a port in {range} (the cluster's --service-node-port-range), or leave it unset",
        "pin a port in {range}, or leave {field} unset (AUTO) to have one allocated",
    ),
    ("node-port-type", ""): Fix(
        "use type NodePort or LoadBalancer, or drop nodePort",
        'use type="NodePort" or "LoadBalancer", or drop node_port',
    ),
    ("node-port-unique", ""): Fix(
        "give each port its own nodePort (ports with one port number may share it)",
        "give this port its own nodePort, or leave node_port unset to have one allocated",
    ),
    ("headless", ""): Fix(
        "a headless Service (clusterIP: None) is type ClusterIP",
        'headless Services are type="ClusterIP"; drop headless=True or change the type',
    ),
    ("cluster-ip", ""): Fix(
        "list one IP, or one IPv4 and one IPv6 address, the first equal to clusterIP",
        "give one IP, or one IPv4 and one IPv6 address in the order of ip_families",
    ),
    ("ip-family", ""): Fix(
        "two families or two cluster IPs need ipFamilyPolicy PreferDualStack or RequireDualStack",
        'two families (or two cluster IPs) need ip_family_policy="PreferDualStack" or '
        '"RequireDualStack"',
    ),
    ("external-ip", ""): Fix(
        "use addresses outside the cluster that route to a node, e.g. 203.0.113.10"
    ),
    ("external-name", "Required"): Fix(
        "set spec.externalName to a DNS name, e.g. db.example.com",
        'give the ExternalName Service external_name="db.example.com"',
    ),
    ("external-name", "Invalid"): Fix(
        "externalName is a DNS name, e.g. db.example.com (not an IP address or a URL)",
        "external_name is a DNS name, e.g. db.example.com (not an IP address or a URL)",
    ),
    ("external-name", "Forbidden"): Fix(
        "an ExternalName Service is a DNS alias: drop clusterIP, clusterIPs, "
        "ipFamilies and ipFamilyPolicy",
        "an ExternalName Service is a DNS alias: drop cluster_ip, headless, "
        "ip_families and ip_family_policy",
    ),
    ("load-balancer", "Forbidden"): Fix(
        "use type LoadBalancer, or drop the LoadBalancer-only field",
        'use type="LoadBalancer", or drop the LoadBalancer-only option',
    ),
    ("load-balancer", "Required"): Fix(
        "set spec.allocateLoadBalancerNodePorts (true unless only pinned nodePorts)", ""
    ),  # the DSL always sets it
    ("traffic-policy", "Invalid"): Fix(
        "use type NodePort or LoadBalancer (or externalIPs), or drop externalTrafficPolicy",
        'use type="NodePort" or "LoadBalancer", or drop external_traffic_policy',
    ),
    ("traffic-policy", ""): Fix("use Cluster or Local", 'use "Cluster" or "Local"'),
    ("traffic-distribution", ""): Fix(
        "use one of the values listed (PreferSameZone and PreferSameNode need Kubernetes 1.34)"
    ),
    ("health-check-node-port", ""): Fix(
        "only a LoadBalancer with externalTrafficPolicy Local has one: drop it",
        'only a LoadBalancer with external_traffic_policy="Local" has one; drop '
        "health_check_node_port",
    ),
    ("session-affinity", ""): Fix(
        "use None or ClientIP, with timeoutSeconds from 1 to 86400", "use 1 to 86400 seconds"
    ),
    ("container-port-name", "Duplicate"): Fix(
        "port names are unique within a container: rename one of the two ports"
    ),
    ("container-port-name", ""): Fix(
        "container port names are IANA service names: at most 15 of a-z 0-9 '-', "
        "with a letter, no '--', e.g. http or metrics-2"
    ),
    ("container-port", "warning"): Fix(
        "the containers of a pod share one network namespace: declare each listening port once"
    ),
    ("container-port", ""): Fix("use the number the process listens on, 1-65535"),
    ("host-port", "Duplicate"): Fix(
        "a hostPort is bound once per protocol and hostIP in a pod: give each its own hostPort",
        "a host port is bound once per protocol and host IP in a pod: give each its own host_port",
    ),
    ("host-port", ""): Fix(
        "use a hostPort from 1 to 65535, or drop it",
        "use a host port 1-65535, or leave host_port unset",
    ),
    ("host-ip", ""): Fix(
        "set hostPort too, or drop hostIP", "give the port a host_port too, or drop host_ip"
    ),
    ("ignored", ""): Fix(
        "drop the field: Kubernetes ignores it for this kind of Service",
        "drop the option: Kubernetes ignores it for this kind of Service",
    ),
    ("deprecated", ""): Fix(
        "use the annotation Kubernetes names instead"
    ),  # an annotation in the DSL too
}
# The DSL's option for a nodePort field the API server names.
_DSL_NODE_PORT_FIELDS = {"healthCheckNodePort": "health_check_node_port"}
_LOAD_BALANCER_VALUES = {
    "loadBalancerClass": "a load balancer class is NAME or PREFIX/NAME, e.g. "
    "example.com/internal-vip",
    "LoadBalancerSourceRanges": "give CIDRs such as 10.0.0.0/8 or 2001:db8::/64, with no bits set "
    "past the prefix",
    "load-balancer-source-ranges": "give CIDRs such as 10.0.0.0/8, comma-separated, with no bits "
    "set past the prefix",
}


def fix(error: FieldError, node_port_range: NodePortRange, vocabulary: Vocabulary) -> str:
    """The fix for an API server finding, in the words of a manifest or of the DSL ("" if none)."""
    kind = error.message.split(" ", 1)[0].rstrip(":")
    if error.rule == "load-balancer" and kind == "Invalid":
        return load_balancer_value_hint(error)
    kinds = ("warning", kind, "") if error.severity == "warning" else (kind, "")
    found = next((FIXES[error.rule, k] for k in kinds if (error.rule, k) in FIXES), None)
    if found is None:
        return ""
    field = (
        _DSL_NODE_PORT_FIELDS.get(str(error.path[-1]), "node_port") if error.path else "node_port"
    )
    return found.words(vocabulary).format(range=node_port_range, field=field)


def manifest_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings, in the manifest's words."""
    return fix(error, node_port_range, "manifest")


def load_balancer_value_hint(error: FieldError) -> str:
    """The fix for an invalid load-balancer value (class, source ranges).

    The words are the same in YAML and in the DSL.
    """
    return next(
        (h for key, h in _LOAD_BALANCER_VALUES.items() if any(key in str(p) for p in error.path)),
        "",
    )


_INGRESS_HINTS = {
    "name": "Ingress names are lower case letters, digits, '-' and '.', e.g. web",
    "ingress-host": "use a DNS name, e.g. shop.example.com (or *.example.com for a wildcard)",
    "ingress-path": 'paths are absolute, with no "//", "/./" or "/../", e.g. "/api"',
    "ingress": "see the Ingress reference: each backend is a Service name and one port (a name or "
    "a number)",
}


def ingress_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings on an Ingress."""
    if error.rule == "name" and error.message.startswith("Required"):
        return manifest_hint(error, node_port_range)
    return _INGRESS_HINTS.get(error.rule) or manifest_hint(error, node_port_range)
