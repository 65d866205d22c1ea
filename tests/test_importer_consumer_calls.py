"""Import of the objects that use ports: string references become DSL references, or the object
stays YAML.

Every declared consumer is checked twice: by import's own self-check, and here by rendering the
generated code and comparing each object with the original, independently.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EXAMPLES
from ruamel.yaml import YAML

from svcgen import render
from svcgen.dsl.model import App
from svcgen.importer import Imported, ImportRefusedError, import_manifests

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: metrics}
"""


def _apps(source: str) -> list[App]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return [v for v in namespace.values() if isinstance(v, App)]


def _objects(text: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in YAML(typ="safe").load_all(text) if d}


def imported(extra: str, **options: Any) -> Imported:
    return import_manifests([("in.yaml", BASE + "---\n" + extra)], **options)


def kept(extra: str) -> list[tuple[str, int | None, str]]:
    """(field, line, message) of each consumer kept as YAML."""
    return [
        (p.field, p.location.line if p.location else None, p.message)
        for p in imported(extra).warnings
        if p.rule == "import-consumer-kept"
    ]


def test_the_platform_example_comes_back_with_every_consumer_by_reference() -> None:
    text = (EXAMPLES / "platform" / "expected.yaml").read_text()
    result = import_manifests([("expected.yaml", text)])
    assert not [w for w in result.warnings if w.rule in ("import-check", "import-consumer-kept")]
    for call in (
        "Ingress(",
        "HTTPRoute(",
        'ServiceMonitor("api", port=api_metrics_service.port("metrics")',
        'PodMonitor("api-pods", port=api.port("metrics")',
        'ports=[api.port("http"), api.port("grpc")]',
    ):
        assert call in result.source
    rendered = _objects(render(_apps(result.source)).yaml)
    for key, original in _objects(text).items():
        if key[0] != "Deployment":  # the workload stays the user's
            assert rendered[key] == original, key


def test_an_ingress_backend_by_name_becomes_a_reference() -> None:
    result = imported("""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, labels: {team: a}}
spec:
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Exact, backend: {service: {name: web, port: {name: http}}}}]
""")
    assert (
        'IngressRule("shop.example.com", paths={"/": web_service.port("http")}, path_type="Exact")'
        in result.source
    )
    assert 'labels={"team": "a"}' in result.source
    assert not [w for w in result.warnings if w.rule == "import-check"]


def test_backends_by_number_come_back_by_number() -> None:
    extra = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /metrics, pathType: Prefix, backend: {service: {name: web, port: {number: 9090}}}}
"""
    result = imported(extra)
    assert "ingress_class" not in result.source and '    ports_by="number",\n' in result.source
    assert not [w for w in result.warnings if w.rule in ("import-check", "import-consumer-kept")]
    (ingress,) = [
        d
        for d in YAML(typ="safe").load_all(render(_apps(result.source)).yaml)
        if d["kind"] == "Ingress"
    ]
    assert ingress == YAML(typ="safe").load(extra)  # byte for byte the same object


def test_an_ingress_mixing_backends_by_name_and_by_number_stays_yaml() -> None:
    assert kept("""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: http}}}
  rules:
  - http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 9090}}}}]
""") == [
        (
            "spec.rules[0].http.paths[0].backend.service.port",
            30,
            "kept as YAML, not declared: refers to this Service port, which has a name, by number, "
            "and to others by name (svcgen writes an Ingress's backend ports one way)",
        )
    ]


def test_a_backend_by_number_to_a_port_without_name_needs_no_option() -> None:
    text = BASE.replace(
        "ports:\n  - {name: http, port: 80, targetPort: http}\n"
        "  - {name: metrics, port: 9090, targetPort: metrics}\n",
        "ports: [{port: 80, targetPort: http}]\n",
    )
    result = import_manifests(
        [
            (
                "in.yaml",
                text + "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\n"
                "metadata: {name: web, namespace: shop}\n"
                "spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}\n",
            )
        ]
    )
    assert "ports_by" not in result.source
    assert not [w for w in result.warnings if w.rule in ("import-check", "import-consumer-kept")]


def test_what_the_dsl_cannot_say_stays_yaml_with_the_field_named() -> None:
    assert kept("""\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 80, weight: 70}]
""") == [
        (
            "spec.rules[0].backendRefs[0].weight",
            30,
            'kept as YAML, not declared: "weight" has no counterpart in svcgen\'s DSL',
        )
    ]
    assert [
        k[0]
        for k in kept("""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: http}]}]
  egress: [{}]
""")
    ] == ["spec.egress"]
    assert [
        k[0]
        for k in kept("""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: metrics}, {port: http}]
""")
    ] == ["spec.endpoints"]


def test_a_reference_to_a_service_not_imported_stays_yaml_and_says_it_would_dangle() -> None:
    (found,) = kept("""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: elsewhere, port: {name: http}}}
""")
    assert found[0] == "spec.defaultBackend.service"
    assert (
        'Service "elsewhere" is not among the imported Services: the reference would dangle'
        in found[2]
    )


def test_a_dangling_port_is_refused_by_lint_first() -> None:
    with pytest.raises(ImportRefusedError) as info:
        imported("""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: htp}}}
""")
    assert [p.rule for p in info.value.problems if p.severity == "error"] == ["ingress-port"]


def test_monitors_and_policies_become_references_to_ports() -> None:
    result = imported("""\
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: pods, namespace: shop, resourceVersion: "12"}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints: [{port: metrics, interval: 1m}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: client}}}]
    ports: [{port: http, protocol: TCP}]
""")
    assert 'PodMonitor("pods", port=web.port("metrics"), interval="1m")' in result.source
    assert (
        'NetworkPolicy("web", ports=[web.port("http")], from_pods={"role": "client"})'
        in result.source
    )
    assert [(p.rule, p.message) for p in result.warnings] == [
        (
            "import-server-field",
            "set by the cluster, not part of a declaration: not carried over: "
            "metadata.resourceVersion",
        )
    ]  # the Deployment, without labels of its own, is declared (labels={})
    assert result.kept is None and "workload=Deployment(labels={})," in result.source


def test_an_ingress_over_two_apps_is_declared_after_both() -> None:
    other = BASE.replace("web", "api").replace("8080", "8081")
    result = import_manifests(
        [
            (
                "in.yaml",
                BASE
                + "---\n"
                + other
                + """\
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: front, namespace: shop}
spec:
  rules:
  - http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
""",
            )
        ]
    )
    apps = _apps(result.source)
    assert [(a.name, [c.name for c in a.consumers]) for a in apps] == [
        ("web", []),
        ("api", ["front"]),
    ]


def test_a_policy_of_several_rules_and_peers_by_port_number_becomes_policy_rules() -> None:
    result = imported("""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: a}}}, {podSelector: {matchLabels: {role: b}}}]
    ports: [{port: 8080, protocol: TCP}]
  - from: [{namespaceSelector: {}}]
    ports: [{port: metrics, protocol: TCP}]
""")
    assert (
        "            rules=[\n                PolicyRule(\n                    "
        'ports=[web.port("http")],\n                    peers=[Peer(pods={"role": "a"}), '
        'Peer(pods={"role": "b"})],\n                    ports_by="number",\n                ),\n '
        '               PolicyRule(ports=[web.port("metrics")], peers=[Peer(namespaces={})]),\n'
        "            ],\n"
    ) in result.source
    assert not [w for w in result.warnings if w.rule in ("import-check", "import-consumer-kept")]


def test_a_policy_port_without_protocol_stays_yaml() -> None:
    assert [
        k[2]
        for k in kept("""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: 8080}]}]
""")
    ] == ["kept as YAML, not declared: leaves protocol to its default (svcgen writes it)"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        # PodMonitor naming its own namespace: svcgen writes namespaceSelector only for another
        # namespace
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: p, "
            "namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  "
            "namespaceSelector: {matchNames: [shop]}\n  podMetricsEndpoints: [{port: metrics}]\n",
            "spec.namespaceSelector",
        ),
        # ServiceMonitor selecting by some of the Service's labels: svcgen selects by all of them
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, "
            "namespace: shop}\nspec:\n"
            "  selector: {matchLabels: {}}\n  endpoints: [{port: metrics}]\n",
            "spec.selector",
        ),
        (
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, "
            "namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - matches: [{path: "
            "{type: PathPrefix, value: /}}]\n    backendRefs: [{name: web, namespace: shop, "
            "port: 80}]\n",
            "spec.rules[0].backendRefs[0].namespace",
        ),
        (
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, "
            "namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - matches: [{path: "
            "{type: PathPrefix, value: /}}]\n",
            "spec.rules[0].backendRefs",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: "
            "shop}\nspec:\n  rules: [{host: '', http: {paths: [{path: /, pathType: Prefix, "
            "backend: {service: {name: web, port: {name: http}}}}]}}]\n",
            "spec.rules[0].host",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, "
            "namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: "
            "[Ingress]\n  ingress: [{ports: [{port: 8080.5, protocol: TCP}]}]\n",
            "spec.ingress[0].ports[0]",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, "
            "namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: "
            "[Ingress]\n  ingress: [{from: everyone, ports: [{port: http, protocol: TCP}]}]\n",
            "spec.ingress[0].from",
        ),
    ],
)
def test_what_would_not_come_back_exactly_stays_yaml_and_the_import_goes_on(
    extra: str, field: str
) -> None:
    result = imported(extra)
    assert [p.field for p in result.warnings if p.rule == "import-consumer-kept"] == [field]
    assert not [p for p in result.warnings if p.rule == "import-check"]


def test_a_port_written_as_a_float_is_the_integer_kubectl_sends_and_is_declared() -> None:
    policy = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: "
        "shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  "
        "ingress: [{ports: [{port: 8080.0, protocol: TCP}]}]\n"
    )
    result = imported(policy)
    assert not [p for p in result.warnings if p.rule in ("import-consumer-kept", "import-check")]
    assert "NetworkPolicy(" in result.source


def test_a_second_consumer_of_the_same_name_stays_yaml() -> None:
    ingress = (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: "
        "shop}\nspec:\n  defaultBackend: {service: {name: web, port: {name: http}}}\n"
    )
    result = imported(ingress + "---\n" + ingress)
    (kept_one,) = [p for p in result.warnings if p.rule == "import-consumer-kept"]
    assert kept_one.line == 31 and "another Ingress of this name" in kept_one.message


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: "
            "shop}\nspec: {}\n",
            "ingress",
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: "
            "shop}\nspec:\n  rules: {host: a}\n",
            "type",
        ),
    ],
)
def test_an_ingress_the_api_server_refuses_is_refused_by_lint_first(extra: str, rule: str) -> None:
    with pytest.raises(ImportRefusedError) as info:
        imported(extra)
    assert [p.rule for p in info.value.problems if p.severity == "error"] == [rule]


def test_a_pod_monitor_of_an_unnamed_port_by_its_number_is_declared() -> None:
    """What svcgen writes for a port without a name (portNumber) is read back; a named port stays by
    name."""
    base = BASE.replace("{name: metrics, containerPort: 9090}", "{containerPort: 9090}").replace(
        "targetPort: metrics}", "targetPort: 9090}"
    )
    monitor = (
        "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: pods, "
        "namespace: shop}\n"
        "spec:\n  selector: {matchLabels: {app: web}}\n  podMetricsEndpoints: [{portNumber: %d}]\n"
    )
    result = import_manifests([("in.yaml", base + "---\n" + monitor % 9090)])
    assert 'PodMonitor("pods", port=web.port(9090))' in result.source
    kept = import_manifests([("in.yaml", BASE + "---\n" + monitor % 9090)], allow_changes=True)
    assert [p.rule for p in kept.warnings] == [
        "import-consumer-kept"
    ]  # by number, but the port has a name


def _app(namespace: str, name: str, labels: str = "{}", ports: str = "http") -> str:
    """A Deployment and its Service ``name`` (its pods labelled app=NAME), the Service with
    ``labels``."""
    container = ", ".join(
        f"{{name: {p}, containerPort: {8080 + i}}}" for i, p in enumerate(ports.split())
    )
    service = ", ".join(
        f"{{name: {p}, port: {80 + i}, targetPort: {p}}}" for i, p in enumerate(ports.split())
    )
    return f"""\
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: main, image: img, ports: [{container}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}, labels: {labels}}}
spec:
  selector: {{app: {name}}}
  ports: [{service}]
"""


def test_each_consumer_refers_to_the_first_match_of_its_namespace_and_is_declared_after_it() -> (
    None
):
    """Services and Apps are looked up by namespace and labels: the first that fits, in input
    order."""
    text = (
        _app("other", "first", "{team: x}", "http metrics")
        + _app("shop", "a", "{team: x}")
        + _app("shop", "b", "{team: x}", "http metrics")
        + _app("shop", "c", "{team: x}", "http metrics")
        + _app("edge", "one")
        + _app("shop", "two")
        + _app("edge", "three")
        + """\
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: team, namespace: shop}
spec:
  selector: {matchLabels: {team: x}}
  endpoints: [{port: metrics}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: first, namespace: other}
spec:
  podSelector: {matchLabels: {app: first}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: metrics, protocol: TCP}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-shop, namespace: edge}
spec:
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: two, namespace: shop, port: 80}]
"""
    )
    result = import_manifests([("in.yaml", text)])
    assert (
        'ServiceMonitor("team", port=b_service.port("metrics"))' in result.source
    )  # "a" has no metrics port
    apps = _apps(result.source)
    assert [(a.namespace, a.name, [c.name for c in a.consumers]) for a in apps] == [
        ("other", "first", ["first"]),
        ("shop", "a", []),
        ("shop", "b", ["team"]),
        ("shop", "c", []),
        ("edge", "one", []),
        ("shop", "two", []),
        ("edge", "three", ["to-shop"]),
    ]
    assert [p for p in result.warnings if p.rule == "import-consumer-kept"] == []
    assert import_manifests([("in.yaml", text)]).source == result.source
