"""ValidateIngressCreate, as the API server has it: each rule on a valid Ingress changed in one
place.

Cases follow the shapes of pkg/apis/networking/validation/validation_test.go (TestValidateIngress,
TestValidateIngressTLS, TestValidateIngressRuleValue); the real corpus's Ingresses pass clean.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import ROOT

from svcgen.kube.ingress import validate_ingress
from svcgen.kube.objects import KubeObject, format_path, read_objects

VALID: dict[str, Any] = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "foo", "namespace": "default"},
    "spec": {
        "ingressClassName": "nginx",
        "defaultBackend": {"service": {"name": "default-backend", "port": {"number": 80}}},
        "tls": [{"hosts": ["foo.bar.com", "*.bar.com"], "secretName": "tls-secret"}],
        "rules": [
            {
                "host": "foo.bar.com",
                "http": {
                    "paths": [
                        {
                            "path": "/foo",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"name": "http"}}},
                        },
                        {
                            "path": "",
                            "pathType": "ImplementationSpecific",
                            "backend": {"service": {"name": "web", "port": {"number": 8080}}},
                        },
                    ]
                },
            }
        ],
    },
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(VALID)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def _errors(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(format_path(e.path), e.message) for e in validate_ingress(obj)]


def test_a_valid_ingress_has_no_errors() -> None:
    assert _errors(VALID) == []


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            ("metadata", "name"),
            "Foo_Bar",
            "metadata.name",
            'Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain',
        ),
        (("spec", "rules"), ..., "", ""),  # a default backend alone is fine
        (
            ("spec", "rules", 0, "host"),
            "127.0.0.1",
            "spec.rules[0].host",
            "must be a DNS name, not an IP address",
        ),
        (
            ("spec", "rules", 0, "host"),
            "foo.*.bar.com",
            "spec.rules[0].host",
            "a wildcard DNS-1123 subdomain must start with '*.'",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "path"),
            "foo",
            "spec.rules[0].http.paths[0].path",
            'Invalid value: "foo": must be an absolute path',
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "path"),
            "/foo/../bar",
            "spec.rules[0].http.paths[0].path",
            "must not contain '/../'",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "path"),
            "/foo/.",
            "spec.rules[0].http.paths[0].path",
            "cannot end with '/.'",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 1, "path"),
            "foo",
            "spec.rules[0].http.paths[1].path",
            "must be an absolute path",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "pathType"),
            ...,
            "spec.rules[0].http.paths[0].pathType",
            "Required value: pathType must be specified",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "pathType"),
            "Regex",
            "spec.rules[0].http.paths[0].pathType",
            'Unsupported value: "Regex"',
        ),
        (("spec", "rules", 0, "http", "paths"), [], "spec.rules[0].http.paths", "Required value"),
        (
            ("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"),
            {"name": "http", "number": 80},
            "spec.rules[0].http.paths[0].backend.service.port",
            "cannot set both port name & port number",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"),
            {},
            "spec.rules[0].http.paths[0].backend.service.port",
            "port name or number is required",
        ),
        (
            ("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"),
            {"name": "frontend-http-public"},
            "spec.rules[0].http.paths[0].backend.service.port.name",
            "must be no more than 15 characters",
        ),
        (
            ("spec", "defaultBackend", "service", "port"),
            {"number": 70000},
            "spec.defaultBackend.service.port.number",
            "must be between 1 and 65535",
        ),
        (
            ("spec", "defaultBackend"),
            {"service": {"name": "x", "port": {"number": 1}}, "resource": {"kind": "B"}},
            "spec.defaultBackend",
            "cannot set both service and resource backends",
        ),
        (("spec", "tls", 0, "hosts", 0), "10.0.0.1", "", ""),  # validateIngressTLS has no IP check
        (("spec", "tls", 0, "secretName"), "", "", ""),  # the controller's default certificate
        (
            ("spec", "tls", 0, "secretName"),
            "Bad_Secret",
            "spec.tls[0].secretName",
            "RFC 1123 subdomain",
        ),
        (("spec", "ingressClassName"), "Nginx!", "spec.ingressClassName", "RFC 1123 subdomain"),
    ],
)
def test_each_rule(path: tuple[Any, ...], value: Any, field: str, message: str) -> None:
    found = _errors(_with(path, value))
    if not field:
        assert found == []
    else:
        assert any(f == field and message in m for f, m in found), found


def test_neither_rules_nor_a_default_backend() -> None:
    bare = _with(("spec", "rules"), ...)
    del bare["spec"]["defaultBackend"]
    assert _errors(bare) == [
        ("spec", "Invalid value: either `defaultBackend` or `rules` must be specified")
    ]


def test_the_real_corpus_ingresses_are_valid() -> None:
    checked = 0
    for path in sorted((ROOT / "tests" / "data" / "realworld").glob("*.y*ml")):
        for obj in read_objects([(path.name, path.read_text())]):
            if isinstance(obj, KubeObject) and (obj.api_version, obj.kind) == (
                "networking.k8s.io/v1",
                "Ingress",
            ):
                assert _errors(obj.value) == [], obj.ref
                checked += 1
    assert checked >= 1
