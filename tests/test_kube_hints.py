"""Fixes for the API server's findings in a manifest's own words."""

from __future__ import annotations

import pytest

from svcgen.kube.apiserver import FieldError
from svcgen.kube.hints import manifest_hint
from svcgen.kube.portrange import NodePortRange


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (
            FieldError(("spec", "ports", 0, "nodePort"), "Invalid value: 80: x", "node-port-range"),
            "use a port in 20000-20999 (the cluster's --service-node-port-range), or leave it "
            "unset",
        ),
        (
            FieldError(("spec", "ports", 1, "name"), "Required value", "port-name"),
            "give every port of a Service with several ports a name",
        ),
        (
            FieldError(("spec", "ports", 1, "name"), 'Duplicate value: "a"', "port-name"),
            "give each port of the Service its own name",
        ),
        (
            FieldError(("spec", "loadBalancerClass"), 'Invalid value: "a/b/c": x', "load-balancer"),
            "a load balancer class is NAME or PREFIX/NAME, e.g. example.com/internal-vip",
        ),
        (
            FieldError(
                ("spec", "loadBalancerClass"),
                "Forbidden: may only be used when `type` is 'LoadBalancer'",
                "load-balancer",
            ),
            "use type LoadBalancer, or drop the LoadBalancer-only field",
        ),
        (FieldError(("spec", "x"), "Invalid value: 1: x", "no-such-rule"), ""),
    ],
)
def test_hints_follow_rule_kind_and_field(error: FieldError, hint: str) -> None:
    assert manifest_hint(error, NodePortRange(20000, 20999)) == hint


def test_an_invalid_load_balancer_value_gets_the_fix_for_its_field() -> None:
    from svcgen.kube.hints import load_balancer_value_hint

    error = FieldError(
        ("spec", "LoadBalancerSourceRanges", 0),  # the API server's own path
        'Invalid value: "x": must be a CIDR',
        "load-balancer",
    )
    assert "CIDRs such as 10.0.0.0/8" in load_balancer_value_hint(error)
    assert (
        load_balancer_value_hint(FieldError(("spec", "type"), "Invalid value", "load-balancer"))
        == ""
    )


# The one table of fixes, checked: every rule the validator reports has a fix, each vocabulary
# keeps to its own words, and words the two share are written once.


def _validator_rules() -> set[str]:
    """The rule names svcgen.kube.apiserver passes to FieldErrors (add, invalid, check,
    not_supported)."""
    import ast

    from conftest import ROOT

    position = {"add": 2, "invalid": 3, "check": 3, "not_supported": 3}
    rules: set[str] = set()
    for node in ast.walk(ast.parse((ROOT / "svcgen" / "kube" / "apiserver.py").read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in position
            and len(node.args) > position[node.func.attr]
        ):
            arg = node.args[position[node.func.attr]]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                rules.add(arg.value)
    return rules


def test_every_rule_the_validator_reports_has_a_fix() -> None:
    from svcgen.kube.hints import FIXES

    rules = _validator_rules()
    assert len(rules) > 30  # the scan found the validator's rules
    assert rules - {rule for rule, _ in FIXES} == set()
    assert {
        rule for rule, _ in FIXES
    } - rules == set()  # and no fix is left for a rule that is gone


def test_each_vocabulary_keeps_to_its_own_words() -> None:
    import re

    from svcgen.kube.hints import FIXES

    for key, fix in FIXES.items():
        dsl = fix.words("dsl")
        # the DSL's words name options (external_name=...), not manifest fields; nodePort is the
        # concept
        assert not re.findall(r"\b(?!nodePort\b)[a-z]+[A-Z]\w*|\bspec\.|\bmetadata\.", dsl), key
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b|\w=", fix.manifest), key
        assert fix.dsl != fix.manifest, f"{key}: the same words are written once (dsl=None)"
        for words in (fix.manifest, dsl):
            words.format(range="R", field="F")  # no stray braces: every fix is formatted with these


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        # the same fix in both vocabularies: these lint hints now carry the DSL's example too
        (
            FieldError(("spec", "externalIPs", 0), 'Invalid value: "10.0.0.1": x', "external-ip"),
            "use addresses outside the cluster that route to a node, e.g. 203.0.113.10",
        ),
        (
            FieldError(
                ("spec", "template", "spec", "containers", 0, "ports", 0, "name"),
                'Invalid value: "HTTP": x',
                "container-port-name",
            ),
            "container port names are IANA service names: at most 15 of a-z 0-9 '-', with a "
            "letter, no '--', e.g. http or metrics-2",
        ),
    ],
)
def test_a_fix_reads_the_same_in_a_manifest_and_a_declaration(error: FieldError, hint: str) -> None:
    from svcgen.dsl.hints import container_port_hint, service_hint

    assert manifest_hint(error, NodePortRange()) == hint
    dsl = (
        container_port_hint(error)
        if error.rule.startswith("container")
        else service_hint(error, NodePortRange())
    )
    assert dsl == hint
