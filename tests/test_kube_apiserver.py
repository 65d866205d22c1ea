"""ValidateService and validateContainerPorts on v1 dicts, after v1 defaulting.

Cases follow Kubernetes' TestValidateServiceCreate and the rules in ../shared/k8s-service-rules.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from svcgen.kube.apiserver import default_service, validate_pod_ports, validate_service
from svcgen.kube.objects import format_path
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import KubeVersion

Tweak = Callable[[dict[str, Any]], None]


def service(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "valid", "namespace": "default"},
        "spec": {
            "selector": {"key": "val"},
            "ports": [{"name": "p", "port": 8675, "targetPort": 8675}],
        },
    }
    base["spec"].update(spec)
    return base


def errors_of(
    obj: dict[str, Any], node_port_range: NodePortRange | None = None
) -> list[tuple[str, str]]:
    """The errors of the newest Kubernetes svcgen knows (the portable default is tested on its
    own)."""
    return [
        (format_path(e.path), e.message)
        for e in validate_service(
            obj, node_port_range or NodePortRange(), KubeVersion.parse("1.37")
        )
        if e.severity == "error"
    ]


def _set(path: str, value: Any) -> Tweak:
    def tweak(obj: dict[str, Any]) -> None:
        node: Any = obj
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = parts[-1]
        if value is _DELETE:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return tweak


_DELETE = object()

VALID: list[tuple[str, list[Tweak]]] = [
    ("no namespace (it comes from the context)", [_set("metadata.namespace", _DELETE)]),
    ("no selector", [_set("spec.selector", _DELETE)]),
    (
        "no type, protocol, session affinity (v1 defaults)",
        [_set("spec.ports.0", {"name": "p", "port": 80})],
    ),
    ("headless without ports", [_set("spec.clusterIP", "None"), _set("spec.ports", [])]),
    (
        "ExternalName without ports",
        [
            _set("spec.type", "ExternalName"),
            _set("spec.externalName", "foo.bar.example.com."),
            _set("spec.ports", []),
        ],
    ),
    ("single unnamed port", [_set("spec.ports.0.name", "")]),
    (
        "numeric and long Service port names",
        [
            _set(
                "spec.ports", [{"name": "80", "port": 80}, {"name": "a--b-" + "c" * 40, "port": 81}]
            )
        ],
    ),
    ("named targetPort", [_set("spec.ports.0.targetPort", "http")]),
    ("targetPort 0 is defaulted to port", [_set("spec.ports.0.targetPort", 0)]),
    (
        "TCP and UDP on one port",
        [
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 53, "protocol": "TCP"},
                    {"name": "b", "port": 53, "protocol": "UDP"},
                ],
            )
        ],
    ),
    (
        "NodePort with nodePort",
        [_set("spec.type", "NodePort"), _set("spec.ports.0.nodePort", 30001)],
    ),
    (
        "same nodePort for TCP and UDP of one port",
        [
            _set("spec.type", "NodePort"),
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 53, "protocol": "TCP", "nodePort": 30053},
                    {"name": "b", "port": 53, "protocol": "UDP", "nodePort": 30053},
                ],
            ),
        ],
    ),
    ("LoadBalancer, allocateLoadBalancerNodePorts defaulted", [_set("spec.type", "LoadBalancer")]),
    (
        "LoadBalancer mixed protocols",
        [
            _set("spec.type", "LoadBalancer"),
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 53, "protocol": "TCP"},
                    {"name": "b", "port": 53, "protocol": "UDP"},
                ],
            ),
        ],
    ),
    (
        "LoadBalancer on port 10250",
        [_set("spec.type", "LoadBalancer"), _set("spec.ports.0.port", 10250)],
    ),
    (
        "LoadBalancer source ranges",
        [
            _set("spec.type", "LoadBalancer"),
            _set("spec.loadBalancerSourceRanges", ["1.0.0.0/8", " 5.6.0.0/16 "]),
        ],
    ),
    (
        "LoadBalancer source range annotation",
        [
            _set("spec.type", "LoadBalancer"),
            _set(
                "metadata.annotations",
                {"service.beta.kubernetes.io/load-balancer-source-ranges": "1.0.0.0/8, 5.6.0.0/16"},
            ),
        ],
    ),
    (
        "LoadBalancer Local with healthCheckNodePort",
        [
            _set("spec.type", "LoadBalancer"),
            _set("spec.externalTrafficPolicy", "Local"),
            _set("spec.healthCheckNodePort", 30100),
        ],
    ),
    (
        "ClusterIP with externalIPs and externalTrafficPolicy",
        [_set("spec.externalIPs", ["1.2.3.4"]), _set("spec.externalTrafficPolicy", "Local")],
    ),
    (
        "ClientIP affinity without config (defaulted 10800)",
        [_set("spec.sessionAffinity", "ClientIP")],
    ),
    (
        "sessionAffinityConfig with None is cleared by v1 defaulting",
        [
            _set("spec.sessionAffinity", "None"),
            _set("spec.sessionAffinityConfig", {"clientIP": {"timeoutSeconds": 90}}),
        ],
    ),
    (
        "appProtocol names",
        [
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 1, "appProtocol": "HTTP"},
                    {"name": "b", "port": 2, "appProtocol": "kubernetes.io/h2c"},
                ],
            )
        ],
    ),
    (
        "headless targetPort differing from port (tolerated)",
        [_set("spec.clusterIP", "None"), _set("spec.ports.0.targetPort", "http")],
    ),
    (
        "generateName with trailing dash",
        [_set("metadata.name", _DELETE), _set("metadata.generateName", "web-")],
    ),
    (
        "dual stack",
        [_set("spec.ipFamilies", ["IPv4", "IPv6"]), _set("spec.ipFamilyPolicy", "PreferDualStack")],
    ),
    (
        "dual stack cluster IPs",
        [
            _set("spec.clusterIP", "10.0.0.1"),
            _set("spec.clusterIPs", ["10.0.0.1", "2001:db8::1"]),
            _set("spec.ipFamilies", ["IPv4", "IPv6"]),
            _set("spec.ipFamilyPolicy", "RequireDualStack"),
        ],
    ),
    ("a Service name may start with a digit (Kubernetes 1.36)", [_set("metadata.name", "1abc")]),
    (
        "trafficDistribution PreferSameZone and PreferSameNode",
        [_set("spec.trafficDistribution", "PreferSameZone")],
    ),
    (
        "headless without selector defaults to RequireDualStack",
        [
            _set("spec.clusterIP", "None"),
            _set("spec.selector", _DELETE),
            _set("spec.ipFamilies", ["IPv4", "IPv6"]),
        ],
    ),
    ("externalTrafficPolicy empty is unset", [_set("spec.externalTrafficPolicy", "")]),
    ("finalizers", [_set("metadata.finalizers", ["kubernetes", "example.com/keep"])]),
    (
        "ExternalName with internalTrafficPolicy",
        [
            _set("spec.type", "ExternalName"),
            _set("spec.externalName", "a.b"),
            _set("spec.internalTrafficPolicy", "Cluster"),
        ],
    ),
]


@pytest.mark.parametrize(("label", "tweaks"), VALID, ids=[v[0] for v in VALID])
def test_valid(label: str, tweaks: list[Tweak]) -> None:
    obj = service()
    for tweak in tweaks:
        tweak(obj)
    assert errors_of(obj) == []


INVALID: list[tuple[str, list[Tweak], str, str]] = [
    (
        "missing name",
        [_set("metadata.name", _DELETE)],
        "metadata.name",
        "Required value: name or generateName is required",
    ),
    (
        "name not a DNS-1123 label",
        [_set("metadata.name", "Abc")],
        "metadata.name",
        'Invalid value: "Abc": a lowercase RFC 1123 label must consist of',
    ),
    (
        "name with dots",
        [_set("metadata.name", "my.svc")],
        "metadata.name",
        'Invalid value: "my.svc": must not contain dots',
    ),
    (
        "name too long",
        [_set("metadata.name", "a" * 64)],
        "metadata.name",
        'Invalid value: "' + "a" * 64 + '": must be no more than 63 characters',
    ),
    (
        "bad generateName",
        [_set("metadata.name", _DELETE), _set("metadata.generateName", "1a.b-")],
        "metadata.generateName",
        'Invalid value: "1a.b-": must not contain dots',
    ),
    (
        "bad generateName beside a name",
        [_set("metadata.generateName", "Bad_")],
        "metadata.generateName",
        'Invalid value: "Bad_": a lowercase RFC 1123 label',
    ),
    (
        "generated name checked as a name",
        [_set("metadata.name", _DELETE), _set("metadata.generateName", "a.b-")],
        "metadata.name",
        'Invalid value: "a.b-bcdfg": must not contain dots',
    ),
    (
        "SingleStack with two families",
        [_set("spec.ipFamilies", ["IPv4", "IPv6"])],
        "spec.ipFamilyPolicy",
        "Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when "
        "multiple IP families are specified",
    ),
    (
        "SingleStack with two cluster IPs",
        [
            _set("spec.clusterIP", "10.0.0.1"),
            _set("spec.clusterIPs", ["10.0.0.1", "2001:db8::1"]),
            _set("spec.ipFamilyPolicy", "SingleStack"),
        ],
        "spec.ipFamilyPolicy",
        "when multiple cluster IPs are specified",
    ),
    (
        "ipFamilyPolicy on ExternalName, even empty",
        [
            _set("spec.type", "ExternalName"),
            _set("spec.externalName", "a.b"),
            _set("spec.ports", _DELETE),
            _set("spec.selector", _DELETE),
            _set("spec.ipFamilyPolicy", ""),
        ],
        "spec.ipFamilyPolicy",
        "Forbidden: may not be set for ExternalName services",
    ),
    (
        "externalIPs on ExternalName are checked too",
        [
            _set("spec.type", "ExternalName"),
            _set("spec.externalName", "a.b"),
            _set("spec.externalIPs", ["127.0.0.1"]),
        ],
        "spec.externalIPs[0]",
        "may not be in the loopback range",
    ),
    (
        "source range with host bits",
        [_set("spec.type", "LoadBalancer"), _set("spec.loadBalancerSourceRanges", ["10.0.0.1/8"])],
        "spec.LoadBalancerSourceRanges[0]",
        'Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length',
    ),
    (
        "cluster IP with leading zeros",
        [_set("spec.clusterIP", "010.0.0.1")],
        "spec.clusterIPs[0]",
        'Invalid value: "010.0.0.1": must not have leading 0s',
    ),
    (
        "two controller owners",
        [
            _set(
                "metadata.ownerReferences",
                [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "a",
                        "uid": "1",
                        "controller": True,
                    },
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "b",
                        "uid": "2",
                        "controller": True,
                    },
                ],
            )
        ],
        "metadata.ownerReferences",
        'Only one reference can have Controller set to true. Found "true" in references for '
        "Deployment/a and Deployment/b",
    ),
    (
        "owner without uid",
        [_set("metadata.ownerReferences", [{"apiVersion": "v1", "kind": "Pod", "name": "a"}])],
        "metadata.ownerReferences.uid",
        'Invalid value: "": must not be empty',
    ),
    (
        "owner without version",
        [
            _set(
                "metadata.ownerReferences",
                [{"apiVersion": "apps/", "kind": "Pod", "name": "a", "uid": "1"}],
            )
        ],
        "metadata.ownerReferences.apiVersion",
        'Invalid value: "apps/": version must not be empty',
    ),
    (
        "an Event as owner",
        [
            _set(
                "metadata.ownerReferences",
                [{"apiVersion": "v1", "kind": "Event", "name": "a", "uid": "1"}],
            )
        ],
        "metadata.ownerReferences",
        "/v1, Kind=Event is disallowed from being an owner",
    ),
    (
        "finalizer neither standard nor qualified",
        [_set("metadata.finalizers", ["keep"])],
        "metadata.finalizers[0]",
        'Invalid value: "keep": name is neither a standard finalizer name nor is it fully '
        "qualified",
    ),
    (
        "orphan and foregroundDeletion",
        [_set("metadata.finalizers", ["orphan", "foregroundDeletion"])],
        "metadata.finalizers",
        "finalizer orphan and foregroundDeletion cannot be both set",
    ),
    (
        "negative generation",
        [_set("metadata.generation", -1)],
        "metadata.generation",
        "Invalid value: -1: must be greater than or equal to 0",
    ),
    (
        "duplicate nodePort on ClusterIP",
        [
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 1, "nodePort": 30001},
                    {"name": "b", "port": 2, "nodePort": 30001},
                ],
            )
        ],
        "spec.ports[1].nodePort",
        "Duplicate value: 30001",
    ),
    ("bad namespace", [_set("metadata.namespace", "-123")], "metadata.namespace", "Invalid value"),
    (
        "bad label",
        [_set("metadata.labels", {"NoUppercaseOrSpecialCharsLike=Equals": "bar"})],
        "metadata.labels",
        "Invalid value",
    ),
    (
        "bad annotation",
        [_set("metadata.annotations", {"a/b/c": "x"})],
        "metadata.annotations",
        "Invalid value",
    ),
    (
        "bad selector",
        [_set("spec.selector", {"NoSpecialCharsLike=Equals": "bar"})],
        "spec.selector",
        "Invalid value",
    ),
    ("no ports", [_set("spec.ports", [])], "spec.ports", "Required value"),
    (
        "unnamed second port",
        [_set("spec.ports", [{"name": "a", "port": 1}, {"port": 2}])],
        "spec.ports[1].name",
        "Required value",
    ),
    (
        "unnamed first of two ports",
        [_set("spec.ports", [{"port": 1}, {"name": "b", "port": 2}])],
        "spec.ports[0].name",
        "Required value",
    ),
    (
        "bad port name",
        [_set("spec.ports.0.name", "INVALID")],
        "spec.ports[0].name",
        'Invalid value: "INVALID"',
    ),
    (
        "dotted port name",
        [_set("spec.ports.0.name", "a.b")],
        "spec.ports[0].name",
        'Invalid value: "a.b": must not contain dots',
    ),
    (
        "bad protocol",
        [_set("spec.ports.0.protocol", "INVALID")],
        "spec.ports[0].protocol",
        'Unsupported value: "INVALID": supported values: "SCTP", "TCP", "UDP"',
    ),
    (
        "lower-case protocol",
        [_set("spec.ports.0.protocol", "tcp")],
        "spec.ports[0].protocol",
        "Unsupported value",
    ),
    (
        "bad cluster ip",
        [_set("spec.clusterIP", "invalid")],
        "spec.clusterIPs[0]",
        'Invalid value: "invalid": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ),
    (
        "clusterIPs of one family",
        [_set("spec.clusterIP", "10.0.0.1"), _set("spec.clusterIPs", ["10.0.0.1", "10.0.0.2"])],
        "spec.clusterIPs",
        "may specify no more than one IP for each IP family",
    ),
    (
        "three clusterIPs",
        [
            _set("spec.clusterIP", "10.0.0.1"),
            _set("spec.clusterIPs", ["10.0.0.1", "2001:db8::1", "10.0.0.3"]),
        ],
        "spec.clusterIPs",
        "may only hold up to 2 values",
    ),
    (
        "clusterIPs without clusterIP",
        [_set("spec.clusterIPs", ["10.0.0.1"])],
        "spec.clusterIPs",
        "must be empty when `clusterIP` is not specified",
    ),
    (
        "clusterIPs not matching clusterIP",
        [_set("spec.clusterIP", "10.0.0.1"), _set("spec.clusterIPs", ["10.0.0.2"])],
        "spec.clusterIPs",
        "first value must match `clusterIP`",
    ),
    (
        "None not alone",
        [_set("spec.clusterIP", "None"), _set("spec.clusterIPs", ["None", "10.0.0.1"])],
        "spec.clusterIPs",
        "'None' must be the first and only value",
    ),
    (
        "ip family mismatch",
        [_set("spec.clusterIP", "10.0.0.1"), _set("spec.ipFamilies", ["IPv6"])],
        "spec.clusterIPs[0]",
        "expected an IPv6 value as indicated by `ipFamilies[0]`",
    ),
    (
        "missing port",
        [_set("spec.ports.0.port", _DELETE)],
        "spec.ports[0].port",
        "must be between 1 and 65535, inclusive",
    ),
    ("port 0", [_set("spec.ports.0.port", 0)], "spec.ports[0].port", "Invalid value: 0"),
    (
        "port 65536",
        [_set("spec.ports.0.port", 65536)],
        "spec.ports[0].port",
        "Invalid value: 65536",
    ),
    (
        "targetPort 65536",
        [_set("spec.ports.0.targetPort", 65536)],
        "spec.ports[0].targetPort",
        "Invalid value",
    ),
    (
        "numeric string targetPort",
        [_set("spec.ports.0.targetPort", "8080")],
        "spec.ports[0].targetPort",
        'Invalid value: "8080": must contain at least one letter (a-z)',
    ),
    (
        "targetPort name too long",
        [_set("spec.ports.0.targetPort", "a" * 16)],
        "spec.ports[0].targetPort",
        "must be no more than 15 characters",
    ),
    (
        "duplicate port name",
        [_set("spec.ports", [{"name": "p", "port": 1}, {"name": "p", "port": 2}])],
        "spec.ports[1].name",
        'Duplicate value: "p"',
    ),
    (
        "duplicate port and protocol",
        [_set("spec.ports", [{"name": "a", "port": 1}, {"name": "b", "port": 1}])],
        "spec.ports[1]",
        'Duplicate value: {"port": 1, "protocol": "TCP"}',
    ),
    (
        "nodePort on ClusterIP",
        [_set("spec.ports.0.nodePort", 30001)],
        "spec.ports[0].nodePort",
        "Forbidden: may not be used when `type` is 'ClusterIP'",
    ),
    (
        "duplicate nodePort, same protocol",
        [
            _set("spec.type", "NodePort"),
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 1, "nodePort": 30001},
                    {"name": "b", "port": 2, "nodePort": 30001},
                ],
            ),
        ],
        "spec.ports[1].nodePort",
        "Duplicate value: 30001",
    ),
    (
        "same nodePort on different port numbers",
        [
            _set("spec.type", "NodePort"),
            _set(
                "spec.ports",
                [
                    {"name": "a", "port": 1, "protocol": "TCP", "nodePort": 30001},
                    {"name": "b", "port": 2, "protocol": "UDP", "nodePort": 30001},
                ],
            ),
        ],
        "spec.ports[1].nodePort",
        "Invalid value: 30001: provided port is already allocated",
    ),
    (
        "nodePort out of range",
        [_set("spec.type", "NodePort"), _set("spec.ports.0.nodePort", 12345)],
        "spec.ports[0].nodePort",
        "The range of valid ports is 30000-32767",
    ),
    (
        "headless NodePort",
        [_set("spec.type", "NodePort"), _set("spec.clusterIP", "None")],
        "spec.clusterIPs[0]",
        "Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ),
    (
        "headless LoadBalancer",
        [_set("spec.type", "LoadBalancer"), _set("spec.clusterIP", "None")],
        "spec.clusterIPs[0]",
        "may not be set to 'None' for LoadBalancer services",
    ),
    ("bad type", [_set("spec.type", "Nodeport")], "spec.type", 'Unsupported value: "Nodeport"'),
    (
        "ExternalName without externalName",
        [_set("spec.type", "ExternalName")],
        "spec.externalName",
        "Required value",
    ),
    (
        "ExternalName with bad name",
        [_set("spec.type", "ExternalName"), _set("spec.externalName", "-x.com")],
        "spec.externalName",
        "Invalid value",
    ),
    (
        "ExternalName with clusterIP",
        [
            _set("spec.type", "ExternalName"),
            _set("spec.externalName", "a.b"),
            _set("spec.clusterIP", "None"),
        ],
        "spec.clusterIPs",
        "Forbidden: may not be set for ExternalName services",
    ),
    (
        "allocateLoadBalancerNodePorts on NodePort",
        [_set("spec.type", "NodePort"), _set("spec.allocateLoadBalancerNodePorts", False)],
        "spec.allocateLoadBalancerNodePorts",
        "Forbidden: may only be used when `type` is 'LoadBalancer'",
    ),
    (
        "source ranges on ClusterIP",
        [_set("spec.loadBalancerSourceRanges", ["10.0.0.0/8"])],
        "spec.LoadBalancerSourceRanges",
        "Forbidden: may only be used when `type` is 'LoadBalancer'",
    ),
    (
        "bad source range",
        [_set("spec.type", "LoadBalancer"), _set("spec.loadBalancerSourceRanges", ["10.0.0.1"])],
        "spec.LoadBalancerSourceRanges[0]",
        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
    ),
    (
        "bad source range annotation",
        [
            _set("spec.type", "LoadBalancer"),
            _set(
                "metadata.annotations",
                {"service.beta.kubernetes.io/load-balancer-source-ranges": "foo"},
            ),
        ],
        "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]",
        "must be a valid CIDR value",
    ),
    (
        "bad trafficDistribution",
        [_set("spec.trafficDistribution", "Nearest")],
        "spec.trafficDistribution",
        'Unsupported value: "Nearest": supported values: "PreferClose", "PreferSameZone", '
        '"PreferSameNode"',
    ),
    (
        "topology annotations disagree",
        [
            _set(
                "metadata.annotations",
                {
                    "service.kubernetes.io/topology-aware-hints": "Auto",
                    "service.kubernetes.io/topology-mode": "Off",
                },
            )
        ],
        "metadata.annotations[service.kubernetes.io/topology-mode]",
        'Invalid value: "Off": must match annotations[service.kubernetes.io/topology-aware-hints] '
        "when both are specified",
    ),
    (
        "loadBalancerClass on ClusterIP",
        [_set("spec.loadBalancerClass", "a.b/c")],
        "spec.loadBalancerClass",
        "Forbidden: may only be used when `type` is 'LoadBalancer'",
    ),
    (
        "bad loadBalancerClass",
        [_set("spec.type", "LoadBalancer"), _set("spec.loadBalancerClass", "~a")],
        "spec.loadBalancerClass",
        "Invalid value",
    ),
    (
        "externalTrafficPolicy on ClusterIP",
        [_set("spec.externalTrafficPolicy", "Local")],
        "spec.externalTrafficPolicy",
        'Invalid value: "Local": may only be set for externally-accessible services',
    ),
    (
        "bad externalTrafficPolicy",
        [_set("spec.type", "NodePort"), _set("spec.externalTrafficPolicy", "Global")],
        "spec.externalTrafficPolicy",
        "Unsupported value",
    ),
    (
        "healthCheckNodePort without Local",
        [_set("spec.type", "LoadBalancer"), _set("spec.healthCheckNodePort", 30100)],
        "spec.healthCheckNodePort",
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
    ),
    (
        "bad internalTrafficPolicy",
        [_set("spec.internalTrafficPolicy", "Node")],
        "spec.internalTrafficPolicy",
        "Unsupported value",
    ),
    (
        "bad session affinity",
        [_set("spec.sessionAffinity", "Sticky")],
        "spec.sessionAffinity",
        "Unsupported value",
    ),
    (
        "ClientIP timeout 0",
        [
            _set("spec.sessionAffinity", "ClientIP"),
            _set("spec.sessionAffinityConfig", {"clientIP": {"timeoutSeconds": 0}}),
        ],
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
        "must be greater than 0 and less than 86400",
    ),
    (
        "ClientIP timeout too long",
        [
            _set("spec.sessionAffinity", "ClientIP"),
            _set("spec.sessionAffinityConfig", {"clientIP": {"timeoutSeconds": 86401}}),
        ],
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
        "Invalid value: 86401",
    ),
    (
        "bad appProtocol",
        [_set("spec.ports.0.appProtocol", "~https")],
        "spec.ports[0].appProtocol",
        "Invalid value",
    ),
    (
        "duplicate ipFamilies",
        [_set("spec.ipFamilies", ["IPv4", "IPv4"])],
        "spec.ipFamilies[1]",
        "Duplicate value",
    ),
    (
        "bad ipFamily",
        [_set("spec.ipFamilies", ["IPv5"])],
        "spec.ipFamilies[0]",
        "Unsupported value",
    ),
    (
        "bad ipFamilyPolicy",
        [_set("spec.ipFamilyPolicy", "DualStack")],
        "spec.ipFamilyPolicy",
        "Unsupported value",
    ),
    (
        "bad externalIP",
        [_set("spec.externalIPs", ["1.2.3"])],
        "spec.externalIPs[0]",
        "must be a valid IP address",
    ),
    (
        "name is a number",
        [_set("metadata.name", 5)],
        "metadata.name",
        "Invalid type: expected string, got number",
    ),
    (
        "port is a string",
        [_set("spec.ports.0.port", "80")],
        "spec.ports[0].port",
        "Invalid type: expected integer",
    ),
    (
        "ports is a mapping",
        [_set("spec.ports", {"a": 1})],
        "spec.ports",
        "Invalid type: expected array",
    ),
    (
        "targetPort is a bool",
        [_set("spec.ports.0.targetPort", True)],
        "spec.ports[0].targetPort",
        "Invalid type",
    ),
    (
        "label value is a number",
        [_set("metadata.labels", {"a": 1})],
        "metadata.labels.a",
        "Invalid type",
    ),
]


@pytest.mark.parametrize(
    ("label", "tweaks", "field", "message"), INVALID, ids=[v[0] for v in INVALID]
)
def test_invalid(label: str, tweaks: list[Tweak], field: str, message: str) -> None:
    obj = service()
    for tweak in tweaks:
        tweak(obj)
    found = errors_of(obj)
    assert any(f == field and message in m for f, m in found), found


def test_node_port_range_is_configurable() -> None:
    obj = service(type="NodePort", ports=[{"name": "a", "port": 1, "nodePort": 20001}])
    assert errors_of(obj, NodePortRange(20000, 20100)) == []
    assert errors_of(obj)[0][1].endswith("The range of valid ports is 30000-32767")


def test_defaulting_follows_set_defaults_service() -> None:
    obj = default_service(
        {"spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "sessionAffinity": "ClientIP"}}
    )
    assert obj["spec"] == {
        "type": "LoadBalancer",
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "sessionAffinity": "ClientIP",
        "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
        "externalTrafficPolicy": "Cluster",
        "internalTrafficPolicy": "Cluster",
        "allocateLoadBalancerNodePorts": True,
    }


def test_defaulting_does_not_touch_the_input() -> None:
    obj = service()
    before = copy.deepcopy(obj)
    validate_service(obj, NodePortRange())
    assert obj == before


def deployment(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {"containers": list(containers), **spec},
            }
        },
    }


def pod_errors(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(format_path(e.path), e.message, e.severity) for e in validate_pod_ports(obj)]


def test_container_ports_valid() -> None:
    assert (
        pod_errors(
            deployment(
                {
                    "name": "a",
                    "ports": [
                        {"name": "http", "containerPort": 80},
                        {"name": "1-a", "containerPort": 53, "protocol": "UDP"},
                        {"containerPort": 53},
                    ],
                }
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("port", "field", "message"),
    [
        (
            {"name": "longerthan15characters", "containerPort": 80},
            "name",
            "must be no more than 15 characters",
        ),
        ({"name": "12345", "containerPort": 80}, "name", "must contain at least one letter (a-z)"),
        ({"name": "a--b", "containerPort": 80}, "name", "must not contain consecutive hyphens"),
        ({"name": "http"}, "containerPort", "Required value"),
        ({"containerPort": 0}, "containerPort", "Required value"),
        ({"containerPort": 65536}, "containerPort", "must be between 1 and 65535, inclusive"),
        (
            {"containerPort": 80, "hostPort": 70000},
            "hostPort",
            "must be between 1 and 65535, inclusive",
        ),
        ({"containerPort": 80, "protocol": "HTTP"}, "protocol", "Unsupported value"),
    ],
)
def test_container_port_rules(port: dict[str, Any], field: str, message: str) -> None:
    found = pod_errors(deployment({"name": "a", "ports": [port]}))
    assert any(
        f == f"spec.template.spec.containers[0].ports[0].{field}" and message in m
        for f, m, _ in found
    ), found


def test_container_port_names_unique_per_container_only() -> None:
    found = pod_errors(
        deployment(
            {
                "name": "a",
                "ports": [
                    {"name": "http", "containerPort": 80},
                    {"name": "http", "containerPort": 81},
                ],
            }
        )
    )
    assert [(f, m) for f, m, _ in found] == [
        ("spec.template.spec.containers[0].ports[1].name", 'Duplicate value: "http"')
    ]
    assert (
        pod_errors(
            deployment(
                {"name": "a", "ports": [{"name": "http", "containerPort": 80}]},
                {"name": "b", "ports": [{"name": "http", "containerPort": 81}]},
            )
        )
        == []
    )


def test_pod_level_host_ports_and_duplicate_warning() -> None:
    found = pod_errors(
        deployment(
            {"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}]},
            {"name": "b", "ports": [{"containerPort": 80, "hostPort": 8080}]},
        )
    )
    assert (
        "spec.template.spec.containers[1].ports[0].hostPort",
        'Duplicate value: "TCP//8080"',
        "error",
    ) in found
    assert (
        "spec.template.spec.containers[1].ports[0]",
        "duplicate port definition with spec.template.spec.containers[0].ports[0]",
        "warning",
    ) in found


def test_port_definition_warnings_follow_warnings_go() -> None:
    found = pod_errors(
        deployment(
            {
                "name": "a",
                "ports": [
                    {"containerPort": 80},
                    {"containerPort": 80, "hostPort": 8080},
                    {"containerPort": 80, "hostPort": 9090, "hostIP": "10.0.0.1"},
                    {"containerPort": 80, "hostPort": 9090},
                    {"containerPort": 53, "hostIP": "1.2.3.4"},
                ],
            }
        )
    )
    warnings = [(f.rsplit(".", 1)[-1], m.split(" with ")[0]) for f, m, s in found if s == "warning"]
    assert warnings == [
        ("ports[1]", "overlapping port definition"),
        ("ports[2]", "overlapping port definition"),
        ("ports[3]", "overlapping port definition"),
        ("ports[3]", "dangerously ambiguous port definition"),
        ("ports[4]", "hostIP set without hostPort"),
    ]


def test_ephemeral_containers_may_not_declare_ports() -> None:
    ephemeral = [{"ports": [{"containerPort": 1}]}]
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [], "ephemeralContainers": ephemeral},
    }
    assert pod_errors(pod)[0][1] == "Forbidden: cannot be set for an Ephemeral Container"


def test_cronjob_and_pod_paths() -> None:
    cron = {
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "a", "ports": [{"name": "BAD", "containerPort": 1}]}
                            ]
                        }
                    }
                }
            }
        },
    }
    assert (
        pod_errors(cron)[0][0] == "spec.jobTemplate.spec.template.spec.containers[0].ports[0].name"
    )
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"initContainers": [{"name": "i", "ports": [{"containerPort": 0}]}]},
    }
    assert pod_errors(pod)[0][0] == "spec.initContainers[0].ports[0].containerPort"


def test_generate_name_quirk_drops_a_character() -> None:
    # apimachinery's maskTrailingDash turns "a.-" into "aa": accepted, as by the API server; the
    # generated name "a.-bcdfg" is then checked as a name.
    obj = service()
    del obj["metadata"]["name"]
    obj["metadata"]["generateName"] = "1-"
    assert errors_of(obj) == []
    obj["metadata"]["generateName"] = "a.-"
    assert errors_of(obj) == [
        (
            "metadata.name",
            'Invalid value: "a.-bcdfg": a lowercase RFC 1123 label must consist '
            "of lower case alphanumeric characters or '-', and must start and end with an "
            "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        )
    ]


@pytest.mark.parametrize(
    ("ips", "message"),
    [
        (["127.0.0.1"], "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        (["::1"], "may not be in the loopback range"),
        (["0.0.0.0"], "may not be unspecified (0.0.0.0)"),
        (["169.254.169.254"], "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
        (["fe80::1"], "may not be in the link-local range"),
        (["224.0.0.1"], "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
        (["ff02::1"], "may not be in the link-local multicast range"),
        (["::ffff:127.0.0.1"], "must not be an IPv4-mapped IPv6 address"),
        (["1.2.3"], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
    ],
)
def test_external_ips_may_not_be_special(ips: list[str], message: str) -> None:
    found = errors_of(service(externalIPs=ips))
    assert any(f == "spec.externalIPs[0]" and message in m for f, m in found), found


def errors_at(obj: dict[str, Any], version: str) -> list[tuple[str, str]]:
    return [
        (format_path(e.path), e.message)
        for e in validate_service(obj, NodePortRange(), KubeVersion.parse(version))
        if e.severity == "error"
    ]


def test_before_1_36_ip_parsing_is_sloppy_and_source_ranges_may_have_host_bits() -> None:
    sloppy = service(externalIPs=["010.001.002.003"], clusterIP="010.0.0.10")
    assert errors_at(sloppy, "1.35") == []
    assert errors_at(service(externalIPs=["::ffff:127.0.0.1"]), "1.35") == [
        (
            "spec.externalIPs[0]",
            'Invalid value: "::ffff:127.0.0.1": may not be in the loopback range '
            "(127.0.0.0/8, ::1/128)",
        )
    ]
    lb = service(type="LoadBalancer", loadBalancerSourceRanges=["010.0.0.0/8", "1.2.3.4/8"])
    assert errors_at(lb, "1.35") == []
    assert [m for _, m in errors_at(lb, "1.36")] == [
        'Invalid value: "010.0.0.0/8": must not have leading 0s in IP or prefix length',
        'Invalid value: "1.2.3.4/8": must not have bits set beyond the prefix length',
    ]


def test_before_1_36_service_names_are_dns_1035_labels() -> None:
    obj = service()
    obj["metadata"]["name"] = "1abc"
    assert errors_at(obj, "1.36") == []
    ((field, message),) = errors_at(obj, "1.35")
    assert field == "metadata.name" and message.startswith(
        'Invalid value: "1abc": a DNS-1035 label'
    )


def test_the_default_is_portable_the_strictest_rule_of_the_supported_versions() -> None:
    """By default a Service must apply on every supported minor (1.35-1.37): each rule at its
    strictest."""
    named = service()
    named["metadata"]["name"] = "1web"
    assert errors_at(named, "1.37") == errors_at(named, "1.36") == []
    ((field, message),) = [
        (format_path(e.path), e.message) for e in validate_service(named, NodePortRange())
    ]
    assert field == "metadata.name" and message.startswith(
        'Invalid value: "1web": a DNS-1035 label'
    )  # 1.35's rule
    zero = service(externalIPs=["010.1.2.3"])
    assert errors_at(zero, "1.35") == []
    assert [f for f, _ in errors_at(zero, "1.37")] == ["spec.externalIPs[0]"]
    assert [format_path(e.path) for e in validate_service(zero, NodePortRange())] == [
        "spec.externalIPs[0]"
    ]  # 1.36's


def test_traffic_distribution_values_by_version() -> None:
    same_zone = service(trafficDistribution="PreferSameZone")
    assert errors_at(same_zone, "1.34") == []
    assert errors_at(same_zone, "1.33") == [
        (
            "spec.trafficDistribution",
            'Unsupported value: "PreferSameZone": supported values: "PreferClose"',
        )
    ]


def test_warnings_of_the_api_server() -> None:
    headless = service(
        clusterIP="None",
        externalIPs=["1.2.3.4"],
        loadBalancerIP="1.2.3.4",
        sessionAffinity="ClientIP",
    )
    headless["metadata"]["annotations"] = {"service.kubernetes.io/topology-aware-hints": "Auto"}
    headless["metadata"]["resourceVersion"] = "42"
    warnings = [
        (format_path(e.path), e.message)
        for e in validate_service(headless, NodePortRange())
        if e.severity == "warning"
    ]
    assert [f for f, _ in warnings] == [
        "metadata.resourceVersion",
        "metadata.annotations[service.kubernetes.io/topology-aware-hints]",
        "spec.loadBalancerIP",
        "spec.externalIPs",
        "spec.sessionAffinity",
    ]
    assert warnings[2][1] == "spec.loadBalancerIP is ignored for headless services"


def test_empty_source_range_annotation_means_everything() -> None:
    obj = service(type="LoadBalancer")
    obj["metadata"]["annotations"] = {"service.beta.kubernetes.io/load-balancer-source-ranges": ""}
    assert errors_of(obj) == []


def test_every_test_the_rule_table_names_exists() -> None:
    """docs/service-rules.md names a test for each rule: each must exist (and each case of it)."""
    from conftest import ROOT

    table = (ROOT / "docs" / "service-rules.md").read_text()
    named = re.findall(r"`((?:tests/[\w/]+\.py::)?test_\w+(?:\[[^\]`]*\])?)`", table)
    assert len(named) > 80
    for name in named:
        file, _, test = (
            name.partition("::")
            if name.startswith("tests/")
            else ("tests/test_kube_apiserver.py", "", name)
        )
        text = (ROOT / file).read_text()
        function, _, case = test.partition("[")
        assert f"def {function}(" in text, name
        if case and not case.startswith(("ips", "port")):
            assert re.search(r'\(\s*"' + re.escape(case[:-1]) + '"', text), name


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("publishNotReadyAddresses", 1.5, "expected boolean, got number 1.5"),
        ("loadBalancerIP", 10, "expected string, got number 10"),
    ],
)
def test_spec_fields_of_the_wrong_json_type_are_refused(
    field: str, value: object, expected: str
) -> None:
    from svcgen.kube.apiserver import validate_service

    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "a"},
        "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}], field: value},
    }
    found = [e for e in validate_service(service, NodePortRange()) if e.path == ("spec", field)]
    assert found and expected in found[0].message, found
