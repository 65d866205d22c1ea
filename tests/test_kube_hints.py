"""Fixes for the API server's findings in a manifest's own words."""

from __future__ import annotations

import pytest

from svcgen.kube.apiserver import FieldError
from svcgen.kube.hints import manifest_hint
from svcgen.kube.portrange import NodePortRange


@pytest.mark.parametrize(("error", "hint"), [
    (FieldError(("spec", "ports", 0, "nodePort"), "Invalid value: 80: x", "node-port-range"),
     "use a port in 20000-20999 (the cluster's --service-node-port-range), or leave it unset"),
    (FieldError(("spec", "ports", 1, "name"), "Required value", "port-name"),
     "give every port of a Service with several ports a name"),
    (FieldError(("spec", "ports", 1, "name"), 'Duplicate value: "a"', "port-name"),
     "give each port of the Service its own name"),
    (FieldError(("spec", "loadBalancerClass"), 'Invalid value: "a/b/c": x', "load-balancer"),
     "a load balancer class is NAME or PREFIX/NAME, e.g. example.com/internal-vip"),
    (FieldError(("spec", "loadBalancerClass"), "Forbidden: may only be used when `type` is 'LoadBalancer'",
                "load-balancer"), "use type LoadBalancer, or drop the LoadBalancer-only field"),
    (FieldError(("spec", "x"), "Invalid value: 1: x", "no-such-rule"), ""),
])
def test_hints_follow_rule_kind_and_field(error: FieldError, hint: str) -> None:
    assert manifest_hint(error, NodePortRange(20000, 20999)) == hint


def test_an_invalid_load_balancer_value_gets_the_fix_for_its_field() -> None:
    from svcgen.kube.hints import load_balancer_value_hint

    error = FieldError(("spec", "LoadBalancerSourceRanges", 0),  # the API server's own path
                       'Invalid value: "x": must be a CIDR', "load-balancer")
    assert "CIDRs such as 10.0.0.0/8" in load_balancer_value_hint(error)
    assert load_balancer_value_hint(FieldError(("spec", "type"), "Invalid value", "load-balancer")) == ""
