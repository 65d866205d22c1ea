"""How to fix what the API server's checks found in a manifest, in the manifest's own words.

The DSL has its own wording (:mod:`svcgen.dsl.hints`); ``svcgen lint`` speaks of fields. A hint
is chosen by the rule, the kind of error (``Required``, ``Invalid``, ``Duplicate``,
``Forbidden``, ``Unsupported``) and the field.
"""

from __future__ import annotations

from svcgen.kube.apiserver import FieldError
from svcgen.kube.portrange import NodePortRange

__all__ = ["ingress_hint", "load_balancer_value_hint", "manifest_hint"]

_NAME = "names are at most 63 of a-z 0-9 '-', starting and ending with a letter or digit"
_HINTS: dict[tuple[str, str], str] = {
    ("name", "Required"): "set metadata.name (or metadata.generateName)",
    ("name", ""): f"Service {_NAME} (starting with a letter before Kubernetes 1.36; a digit first needs "
                  "kubernetes-version 1.36 or later), e.g. web-api",
    ("namespace", ""): f"namespace {_NAME}",
    ("label-key", ""): "label keys are NAME or PREFIX/NAME, e.g. app or example.com/tier",
    ("label-value", ""): "label values are at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric",
    ("annotation-key", ""): "annotation keys are NAME or PREFIX/NAME, e.g. example.com/owner",
    ("annotation-size", ""): "move large data out of annotations",
    ("type", ""): "use the type the field has in the v1 API (quote strings, leave numbers unquoted)",
    ("ports-required", ""): "add spec.ports (only headless and ExternalName Services may have none)",
    ("port-name", "Required"): "give every port of a Service with several ports a name",
    ("port-name", "Duplicate"): "give each port of the Service its own name",
    ("port-name", ""): f"port {_NAME}",
    ("port-range", ""): "use a port number from 1 to 65535",
    ("protocol", ""): "use TCP, UDP or SCTP (upper case)",
    ("target-port", ""): "targetPort is a number from 1 to 65535 or a container port's name (at most 15 of "
                         "a-z 0-9 '-', with a letter)",
    ("port-unique", ""): "list each (port, protocol) once",
    ("app-protocol", ""): "use a protocol name such as http, h2c, grpc or example.com/proto",
    ("node-port-type", ""): "use type NodePort or LoadBalancer, or drop nodePort",
    ("node-port-unique", ""): "give each port its own nodePort (ports with one port number may share it)",
    ("headless", ""): "a headless Service (clusterIP: None) is type ClusterIP",
    ("cluster-ip", ""): "list one IP, or one IPv4 and one IPv6 address, the first equal to clusterIP",
    ("ip-family", ""): "two families or two cluster IPs need ipFamilyPolicy PreferDualStack or RequireDualStack",
    ("external-ip", ""): "use addresses outside the cluster that route to a node",
    ("external-name", "Required"): "set spec.externalName to a DNS name, e.g. db.example.com",
    ("external-name", "Invalid"): "externalName is a DNS name, e.g. db.example.com (not an IP address or a URL)",
    ("external-name", "Forbidden"): "an ExternalName Service is a DNS alias: drop clusterIP, clusterIPs, "
                                    "ipFamilies and ipFamilyPolicy",
    ("load-balancer", "Forbidden"): "use type LoadBalancer, or drop the LoadBalancer-only field",
    ("load-balancer", "Required"): "set spec.allocateLoadBalancerNodePorts (true unless only pinned nodePorts)",
    ("traffic-policy", "Invalid"): "use type NodePort or LoadBalancer (or externalIPs), or drop externalTrafficPolicy",
    ("traffic-policy", ""): "use Cluster or Local",
    ("traffic-distribution", ""): "use one of the values listed (PreferSameZone and PreferSameNode need "
                                  "Kubernetes 1.34)",
    ("health-check-node-port", ""): "only a LoadBalancer with externalTrafficPolicy Local has one: drop it",
    ("session-affinity", ""): "use None or ClientIP, with timeoutSeconds from 1 to 86400",
    ("annotation", ""): "give both topology annotations the same value, or keep only topology-mode",
    ("metadata", ""): "fix the metadata as the message says",
    ("container-port-name", "Duplicate"): "port names are unique within a container: rename one of the two ports",
    ("container-port-name", ""): "container port names are at most 15 of a-z 0-9 '-', with a letter, no '--'",
    ("container-port", ""): "use the number the process listens on, 1-65535",
    ("host-port", ""): "use a hostPort from 1 to 65535, once per protocol and hostIP in the pod",
    ("ignored", ""): "drop the field: Kubernetes ignores it for this kind of Service",
    ("deprecated", ""): "use the annotation Kubernetes names instead",
}
_LOAD_BALANCER_VALUES = {
    "loadBalancerClass": "a load balancer class is NAME or PREFIX/NAME, e.g. example.com/internal-vip",
    "LoadBalancerSourceRanges": "give CIDRs such as 10.0.0.0/8 or 2001:db8::/64, with no bits set past the prefix",
    "load-balancer-source-ranges": "give CIDRs such as 10.0.0.0/8, comma-separated, with no bits set past the prefix",
}


def manifest_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings, in the manifest's words."""
    kind = error.message.split(" ", 1)[0].rstrip(":")
    if error.rule == "node-port-range":
        return f"use a port in {node_port_range} (the cluster's --service-node-port-range), or leave it unset"
    if error.rule == "container-port" and error.severity == "warning":
        return "the containers of a pod share one network namespace: declare each listening port once"
    if error.rule == "load-balancer" and kind == "Invalid":
        return load_balancer_value_hint(error)
    return _HINTS.get((error.rule, kind), _HINTS.get((error.rule, ""), ""))


def load_balancer_value_hint(error: FieldError) -> str:
    """The fix for an invalid load-balancer value (class, source ranges): the same words in YAML and the DSL."""
    return next((h for key, h in _LOAD_BALANCER_VALUES.items() if any(key in str(p) for p in error.path)), "")


_INGRESS_HINTS = {
    "name": "Ingress names are lower case letters, digits, '-' and '.', e.g. web",
    "ingress-host": "use a DNS name, e.g. shop.example.com (or *.example.com for a wildcard)",
    "ingress-path": 'paths are absolute, with no "//", "/./" or "/../", e.g. "/api"',
    "ingress": "see the Ingress reference: each backend is a Service name and one port (a name or a number)",
}


def ingress_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings on an Ingress."""
    if error.rule == "name" and error.message.startswith("Required"):
        return manifest_hint(error, node_port_range)
    return _INGRESS_HINTS.get(error.rule) or manifest_hint(error, node_port_range)
