"""How to fix what the API server's checks found in a declaration, in the DSL's words.

A rule can be broken in several ways (a port name that is missing, malformed or repeated), and
each way has its own fix: the hint is chosen by the rule, the kind of error (``Required value``,
``Invalid value``, ``Duplicate value``, ``Forbidden``, ``Unsupported value``) and the field.
"""

from __future__ import annotations

from svcgen.kube.apiserver import FieldError
from svcgen.kube.hints import load_balancer_value_hint
from svcgen.kube.portrange import NodePortRange

__all__ = ["container_port_hint", "service_hint"]

_NAME = ("Service names are at most 63 of a-z 0-9 '-', starting and ending with a letter or digit (starting "
         "with a letter before Kubernetes 1.36; a digit first needs kubernetes-version 1.36 or later), e.g. web-api")
_PORT_NAME = "Service port names are at most 63 of a-z 0-9 '-', starting and ending with a letter or digit"

# (rule, kind) -> hint; kind "" matches any kind of error of that rule.
_SERVICE: dict[tuple[str, str], str] = {
    ("name", ""): _NAME,
    ("label-key", ""): "label keys are NAME or PREFIX/NAME, e.g. app or example.com/tier",
    ("label-value", ""): "label values are at most 63 of A-Z a-z 0-9 - _ . starting and ending alphanumeric",
    ("annotation-key", ""): "annotation keys are NAME or PREFIX/NAME, e.g. example.com/owner",
    ("annotation-size", ""): "move large data out of annotations",
    ("ports-required", ""): "add ports=[container.port(NAME).expose()] (only headless and ExternalName Services "
                            "may have none)",
    ("port-name", "Required"): "every port of a Service with several ports needs its own name: expose(..., name=...)",
    ("port-name", "Duplicate"): "give each port of the Service its own name: expose(..., name=...)",
    ("port-name", "Invalid"): f"{_PORT_NAME}: expose(..., name=...)",
    ("port-range", ""): "pass the Service port as expose(PORT), 1-65535",
    ("port-unique", ""): "expose each (port, protocol) once, or pick another Service port",
    ("app-protocol", ""): "use a protocol name such as http, h2c, grpc or example.com/proto",
    ("node-port-type", ""): 'use type="NodePort" or "LoadBalancer", or drop node_port',
    ("node-port-unique", ""): "give this port its own nodePort, or leave node_port unset to have one allocated",
    ("headless", ""): 'headless Services are type="ClusterIP"; drop headless=True or change the type',
    ("external-name", "Required"): 'give the ExternalName Service external_name="db.example.com"',
    ("external-name", "Invalid"): "external_name is a DNS name, e.g. db.example.com (not an IP address or a URL)",
    ("external-name", "Forbidden"): "an ExternalName Service is a DNS alias: drop cluster_ip, headless, ip_families "
                                    "and ip_family_policy",
    ("load-balancer", "Forbidden"): 'use type="LoadBalancer", or drop the LoadBalancer-only option',
    ("load-balancer", "Invalid"): "",  # chosen by field below
    ("traffic-policy", "Invalid"): 'use type="NodePort" or "LoadBalancer", or drop external_traffic_policy',
    ("traffic-policy", ""): 'use "Cluster" or "Local"',
    ("health-check-node-port", ""): 'only a LoadBalancer with external_traffic_policy="Local" has one; drop '
                                    "health_check_node_port",
    ("session-affinity", ""): "use 1 to 86400 seconds",
    ("traffic-distribution", ""): "use one of the values listed (PreferSameZone and PreferSameNode need "
                                  "Kubernetes 1.34)",
    ("ip-family", ""): 'two families (or two cluster IPs) need ip_family_policy="PreferDualStack" or '
                       '"RequireDualStack"',
    ("cluster-ip", ""): "give one IP, or one IPv4 and one IPv6 address in the order of ip_families",
    ("external-ip", ""): "use addresses outside the cluster that route to a node, e.g. 203.0.113.10",
    ("ignored", ""): "drop the option: Kubernetes ignores it for this kind of Service",
    ("deprecated", ""): "use the option Kubernetes names instead",
}
def _kind(message: str) -> str:
    return message.split(" ", 1)[0].rstrip(":")


def service_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings on a Service the DSL declared."""
    if error.rule == "node-port-range":
        field = "health_check_node_port" if error.path[-1] == "healthCheckNodePort" else "node_port"
        return f"pin a port in {node_port_range}, or leave {field} unset (AUTO) to have one allocated"
    if error.rule == "load-balancer" and _kind(error.message) == "Invalid":
        return load_balancer_value_hint(error)
    return _SERVICE.get((error.rule, _kind(error.message)), _SERVICE.get((error.rule, ""), ""))


def container_port_hint(error: FieldError) -> str:
    """The fix for one of the API server's findings on a container port."""
    kind = _kind(error.message)
    if error.rule == "container-port-name":
        if kind == "Duplicate":
            return "port names are unique within a container: rename one of the two ports"
        return "container port names are IANA service names: at most 15 of a-z 0-9 '-', with a letter, no '--', " \
               "e.g. http or metrics-2"
    if error.rule == "host-port":
        if kind == "Duplicate":
            return "a host port is bound once per protocol and host IP in a pod: give each its own host_port"
        return "use a host port 1-65535, or leave host_port unset"
    if error.rule == "container-port":
        if error.message.startswith("hostIP set without hostPort"):
            return "give the port a host_port too, or drop host_ip"
        if error.severity == "warning":
            return "the containers of a pod share one network namespace: declare each listening port once"
        return "use the number the process listens on, 1-65535"
    return ""
