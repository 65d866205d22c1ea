"""``ValidateIngressCreate`` for ``networking.k8s.io/v1`` Ingresses.

The Go original is in pkg/apis/networking/validation. The field rules are those of
:mod:`svcgen.kube.rules` (paths, hosts, TLS hosts), shared with the DSL's checks of the Ingresses it
writes; metadata is checked as for every object (:func:`svcgen.kube.apiserver.validate_metadata`).
Cross-object checks (does the backend Service have that port?) are lint's
(:mod:`svcgen.lint.port_references`).
"""

from __future__ import annotations

from typing import Any

from svcgen.kube import rules
from svcgen.kube.apiserver import FieldError, FieldErrors, validate_metadata
from svcgen.kube.objects import Path, is_int

__all__ = ["validate_ingress"]

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def validate_ingress(ingress: dict[str, Any]) -> list[FieldError]:
    """Every error the API server gives when creating ``ingress`` (a v1 Ingress)."""
    errors = FieldErrors()
    validate_metadata(errors, ingress, rules.dns1123_subdomain)
    spec = errors.typed(ingress, "spec", (), dict)
    if spec is None:
        errors.add(
            ("spec",),
            "Invalid value: either `defaultBackend` or `rules` must be specified",
            "ingress",
        )
        return errors.items
    sp: Path = ("spec",)
    rule_list = errors.typed(spec, "rules", sp, list) or []
    default = errors.typed(spec, "defaultBackend", sp, dict)
    mistyped = any(
        spec.get(k) is not None and not isinstance(spec.get(k), t)
        for k, t in (("rules", list), ("defaultBackend", dict))
    )  # a decoding error is said already
    if not rule_list and default is None and not mistyped:
        errors.add(
            sp, "Invalid value: either `defaultBackend` or `rules` must be specified", "ingress"
        )
    if default is not None:
        _backend(errors, default, (*sp, "defaultBackend"))
    for i, rule in enumerate(rule_list):
        _rule(errors, rule, (*sp, "rules", i))
    for i, tls in enumerate(errors.typed(spec, "tls", sp, list) or []):
        path: Path = (*sp, "tls", i)
        for j, host in enumerate(errors.typed(tls, "hosts", path, list) or []):
            if isinstance(host, str):
                errors.check(rules.tls_host, (*path, "hosts", j), host, "ingress-host")
        secret = errors.typed(tls, "secretName", path, str)
        if secret:  # an empty name is the controller's default certificate
            errors.check(rules.dns1123_subdomain, (*path, "secretName"), secret, "ingress")
    ingress_class = errors.typed(spec, "ingressClassName", sp, str)
    if ingress_class is not None:
        errors.check(rules.dns1123_subdomain, (*sp, "ingressClassName"), ingress_class, "ingress")
    return errors.items


def _rule(errors: FieldErrors, rule: Any, path: Path) -> None:
    host = errors.typed(rule, "host", path, str)
    if host:
        errors.check(rules.ingress_host, (*path, "host"), host, "ingress-host")
    http = errors.typed(rule, "http", path, dict)
    if http is None:
        return
    paths = errors.typed(http, "paths", (*path, "http"), list)
    if not paths:
        errors.add((*path, "http", "paths"), "Required value", "ingress")
        return
    for j, item in enumerate(paths):
        where: Path = (*path, "http", "paths", j)
        if not isinstance(item, dict):
            errors.add(where, "Invalid value: must be an object", "type")
            continue
        path_type = errors.typed(item, "pathType", where, str)
        value = errors.typed(item, "path", where, str) or ""
        if path_type is None:
            errors.add(
                (*where, "pathType"), "Required value: pathType must be specified", "ingress-path"
            )
        elif path_type not in PATH_TYPES:
            errors.not_supported((*where, "pathType"), path_type, PATH_TYPES, "ingress-path")
        elif path_type == "ImplementationSpecific":
            errors.check(
                rules.implementation_specific_path, (*where, "path"), value, "ingress-path"
            )
        else:
            errors.check(rules.http_path, (*where, "path"), value, "ingress-path")
        backend = errors.typed(item, "backend", where, dict)
        if backend is None:
            errors.add((*where, "backend"), "Required value", "ingress")
        else:
            _backend(errors, backend, (*where, "backend"))


def _backend(errors: FieldErrors, backend: dict[str, Any], path: Path) -> None:
    """``validateIngressBackend``: a Service (name and one port) or a resource, not both."""
    service = errors.typed(backend, "service", path, dict)
    has_resource = backend.get("resource") is not None
    if service is not None and has_resource:
        errors.add(path, "Invalid value: cannot set both service and resource backends", "ingress")
    if service is None:
        if not has_resource:
            errors.add(
                path,
                "Invalid value: either service or resource backend must be specified",
                "ingress",
            )
        return
    sp: Path = (*path, "service")
    name = errors.typed(service, "name", sp, str)
    if name is None:
        errors.add((*sp, "name"), "Required value", "ingress")
    else:
        errors.check(
            rules.dns1123_label, (*sp, "name"), name, "ingress"
        )  # a Service name (relaxed in 1.36)
    port = errors.typed(service, "port", sp, dict) or {}
    pp: Path = (*sp, "port")
    port_name = errors.typed(port, "name", pp, str)
    number = errors.typed(port, "number", pp, int)
    if port_name and number:
        errors.add(pp, "Invalid value: cannot set both port name & port number", "ingress")
    elif port_name:
        errors.check(rules.port_name, (*pp, "name"), port_name, "ingress")
    elif number and is_int(number):
        for detail in rules.port_number(number):
            errors.invalid((*pp, "number"), number, detail, "ingress")
    else:
        errors.add(pp, "Invalid value: port name or number is required", "ingress")
