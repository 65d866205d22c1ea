"""Every consumer of a port must find it: Ingress, Gateway routes, probes, NetworkPolicy, monitors,
Endpoints."""

from __future__ import annotations

import pytest

from svcgen.lint import lint_texts

WEB = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web, monitor: "yes"}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: dns, port: 53, protocol: UDP, targetPort: 5353}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: fe}}
    spec:
      initContainers:
      - name: proxy
        image: envoy
        restartPolicy: Always
        ports: [{name: admin, containerPort: 9901}]
        readinessProbe: {httpGet: {path: /ready, port: admin}}
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090},
                {name: dns, containerPort: 5353, protocol: UDP}]
        livenessProbe: {httpGet: {path: /healthz, port: PROBE}}
        readinessProbe: {tcpSocket: {port: 8080}}
        lifecycle: {preStop: {httpGet: {path: /stop, port: http}}}
"""


def findings(*texts: str) -> list[tuple[str, str, str]]:
    """(severity, rule, field) of each finding beyond the base manifests'."""
    base = {
        (p.severity, p.rule, p.field)
        for p in lint_texts([("web.yaml", WEB.replace("PROBE", "http"))])
    }
    assert base == set()
    found = lint_texts(
        [
            ("web.yaml", WEB.replace("PROBE", "http")),
            *((f"f{i}.yaml", text) for i, text in enumerate(texts)),
        ]
    )
    return [(p.severity, p.rule, p.field) for p in found]


def ingress(service: str, port: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: "
        "shop}\nspec:\n"
        "  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n"
        f"        pathType: Prefix\n        backend:\n          service: {{name: {service}, port: "
        f"{port}}}\n"
    )


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ("{number: 80}", []),
        ("{name: http}", []),
        (
            "{number: 8080}",
            [("error", "ingress-port", "spec.rules[0].http.paths[0].backend.service")],
        ),
        ("{name: htp}", [("error", "ingress-port", "spec.rules[0].http.paths[0].backend.service")]),
    ],
)
def test_ingress_backends_name_a_port_of_the_service(
    port: str, expected: list[tuple[str, str, str]]
) -> None:
    assert findings(ingress("web", port)) == expected


def test_an_ingress_backend_service_elsewhere_is_a_warning_and_the_old_form_is_checked_too() -> (
    None
):
    assert findings(ingress("api", "{number: 80}")) == [
        ("warning", "ingress-service", "spec.rules[0].http.paths[0].backend.service")
    ]
    old = (
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old, namespace: "
        "shop}\nspec:\n  backend: {serviceName: web, servicePort: 8080}\n"
    )
    assert findings(old) == [("error", "ingress-port", "spec.backend.serviceName")]


def route(kind: str, ref: str) -> str:
    return (
        f"apiVersion: gateway.networking.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r, namespace: "
        "shop}\n"
        f"spec:\n  parentRefs: [{{name: gw}}]\n  rules:\n  - backendRefs: [{ref}]\n"
    )


@pytest.mark.parametrize(
    ("kind", "ref", "expected"),
    [
        ("HTTPRoute", "{name: web, port: 80}", []),
        ("UDPRoute", "{name: web, port: 53}", []),
        (
            "HTTPRoute",
            "{name: web, port: 8080}",
            [("error", "route-port", "spec.rules[0].backendRefs[0].port")],
        ),
        ("HTTPRoute", "{name: web}", [("error", "route-port", "spec.rules[0].backendRefs[0]")]),
        (
            "UDPRoute",
            "{name: web, port: 80}",
            [("error", "route-protocol", "spec.rules[0].backendRefs[0].port")],
        ),
        (
            "GRPCRoute",
            "{name: api, port: 80}",
            [("warning", "route-service", "spec.rules[0].backendRefs[0].port")],
        ),
        (
            "HTTPRoute",
            "{name: web, namespace: other, port: 8080}",
            [("warning", "route-service", "spec.rules[0].backendRefs[0].port")],
        ),
        ("HTTPRoute", "{group: example.com, kind: Bucket, name: web}", []),
    ],
)
def test_gateway_route_backend_refs(
    kind: str, ref: str, expected: list[tuple[str, str, str]]
) -> None:
    assert findings(route(kind, ref)) == expected


def test_probes_and_lifecycle_handlers_name_ports_of_their_own_container() -> None:
    web = "spec.template.spec.containers[0].livenessProbe.httpGet.port"
    found = lint_texts([("web.yaml", WEB.replace("PROBE", "admin"))])
    assert [(p.rule, p.field) for p in found] == [
        ("probe-port", web)
    ]  # admin is the sidecar's port
    assert (
        "did you mean" not in found[0].hint
        and '"admin" is not a port of container "web"' in found[0].message
    )
    typo = lint_texts([("web.yaml", WEB.replace("PROBE", "htp"))])
    assert typo[0].hint == 'did you mean "http"?'
    invalid = lint_texts([("web.yaml", WEB.replace("PROBE", "HTTP"))])
    assert invalid[0].message.startswith('Invalid value: "HTTP": must contain only')
    hook = WEB.replace("PROBE", "http").replace("port: http}}}", "port: stop}}}")
    assert [(p.rule, p.field) for p in lint_texts([("web.yaml", hook)])] == [
        ("probe-port", "spec.template.spec.containers[0].lifecycle.preStop.httpGet.port")
    ]


def policy(port: str, selector: str = "{matchLabels: {app: web}}") -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: "
        "shop}\nspec:\n"
        f"  podSelector: {selector}\n  ingress:\n  - ports: [{port}]\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (policy("{port: http}"), []),
        (policy("{port: 8080}"), []),
        (policy("{port: dns, protocol: UDP}"), []),
        (
            policy(
                "{port: admin}", "{matchExpressions: [{key: tier, operator: In, values: [fe]}]}"
            ),
            [],
        ),
        (
            policy("{port: dns}"),
            [("warning", "networkpolicy-port", "spec.ingress[0].ports[0].port")],
        ),
        (
            policy("{port: http}", "{matchLabels: {app: db}}"),
            [("warning", "networkpolicy-port", "spec.ingress[0].ports[0].port")],
        ),
    ],
)
def test_network_policy_named_ports_belong_to_selected_pods(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert findings(text) == expected


def monitor(kind: str, spec: str) -> str:
    return (
        f"apiVersion: monitoring.coreos.com/v1\nkind: {kind}\nmetadata: {{name: m, namespace: "
        f"shop}}\nspec:\n{spec}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            monitor(
                "ServiceMonitor",
                "  selector: {matchLabels: {monitor: 'yes'}}\n  endpoints: [{port: http}]\n",
            ),
            [],
        ),
        (
            monitor(
                "ServiceMonitor",
                "  selector: {matchLabels: {monitor: 'yes'}}\n  endpoints: [{port: metrics}]\n",
            ),
            [("error", "servicemonitor-port", "spec.endpoints[0].port")],
        ),
        (
            monitor(
                "ServiceMonitor",
                "  selector: {matchLabels: {monitor: 'yes'}}\n  namespaceSelector: {matchNames: "
                "[ops]}\n  endpoints: [{port: http}]\n",
            ),
            [("warning", "servicemonitor-selector", "spec.selector")],
        ),
        (
            monitor(
                "ServiceMonitor",
                "  selector: {matchExpressions: [{key: app, operator: Exists}]}\n"
                "  namespaceSelector: {any: true}\n  endpoints: [{port: http}]\n",
            ),
            [],
        ),
        (
            monitor(
                "PodMonitor",
                "  selector: {matchLabels: {app: web}}\n  podMetricsEndpoints: [{port: metrics}]\n",
            ),
            [],
        ),
        (
            monitor(
                "PodMonitor",
                "  selector: {matchLabels: {app: web}}\n  podMetricsEndpoints: [{port: "
                "http-metrics}]\n",
            ),
            [("error", "podmonitor-port", "spec.podMetricsEndpoints[0].port")],
        ),
        (
            monitor(
                "PodMonitor",
                "  selector: {matchLabels: {app: none}}\n  podMetricsEndpoints: [{port: "
                "metrics}]\n",
            ),
            [("warning", "podmonitor-selector", "spec.selector")],
        ),
    ],
)
def test_monitors_name_ports_of_what_they_select(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert findings(text) == expected


MANUAL = """\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  ports: [{name: pg, port: 5432}, {name: metrics, port: 9187}]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: db, namespace: shop}\nsubsets:\n"
            "- addresses: [{ip: 10.0.0.5}]\n  ports: [{name: pg, port: 5432}, {name: metrics, "
            "port: 9187}]\n",
            [],
        ),
        (
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: db-1, "
            "namespace: shop, labels: {kubernetes.io/service-name: db}}\naddressType: "
            "IPv4\nendpoints: [{addresses: [10.0.0.5]}]\nports: [{name: pg, port: 5432}, {name: "
            "metric, port: 9187}]\n",
            [
                ("error", "endpoints-port", "ports"),
                ("warning", "endpoints-unused-port", "ports[1]"),
            ],
        ),
        (
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: db, namespace: shop}\nsubsets:\n"
            "- addresses: [{ip: 10.0.0.5}]\n  ports: [{name: pg, port: 5432, protocol: UDP}, "
            "{name: metrics, port: 9187}]\n",
            [
                ("error", "endpoints-port", "subsets[0].ports"),
                ("warning", "endpoints-unused-port", "subsets[0].ports[0]"),
            ],
        ),
    ],
)
def test_endpoints_of_a_service_without_selector_repeat_its_port_names(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert findings(MANUAL, text) == expected


def test_custom_resources_of_other_groups_are_not_checked() -> None:
    other = ingress("api", "{number: 80}").replace("networking.k8s.io/v1", "example.com/v1")
    assert findings(other) == []


def test_every_rule_lint_can_give_is_in_docs_lint_checks() -> None:
    import re

    from conftest import ROOT

    doc = (ROOT / "docs" / "lint-checks.md").read_text()
    sources = "".join(p.read_text() for p in (ROOT / "svcgen" / "lint").glob("*.py"))
    sources += (ROOT / "svcgen" / "kube" / "apiserver.py").read_text()
    rules = set(
        re.findall(r'"(?:warning|error)", "([a-z]+(?:-[a-z]+)+)"', sources)
    )  # severity, rule
    rules |= set(
        re.findall(r', "([a-z]+(?:-[a-z]+)+)"(?:, "warning")?\)', sources)
    )  # errors.add(..., rule)
    rules |= {f"{kind}-{what}" for kind in ("ingress", "route") for what in ("service", "port")} | {
        "route-protocol"
    }
    missing = sorted(r for r in rules if f"`{r}`" not in doc)
    assert len(rules) > 25 and missing == [], missing


def test_the_benchmark_corpus_of_every_consumer_kind_lints_clean() -> None:
    """The documents benchmarks/run.py lints are valid: a finding there would be a false
    positive."""
    import importlib.util

    from conftest import ROOT

    from svcgen.kube.yamlwrite import to_yaml

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    docs = bench.lint_corpus(70)
    assert {d["kind"] for d in docs} == {
        "Service",
        "Deployment",
        "Ingress",
        "HTTPRoute",
        "ServiceMonitor",
        "PodMonitor",
        "NetworkPolicy",
    }
    assert lint_texts([("bench.yaml", to_yaml(docs))]) == []


def test_the_missing_port_is_named_plainly() -> None:
    texts = [("web.yaml", WEB.replace("PROBE", "http")), ("i.yaml", ingress("web", "{name: htp}"))]
    (problem,) = lint_texts(texts)
    assert 'has no port named "htp"' in problem.message


def test_a_network_policy_alone_is_not_checked_against_pods_that_are_not_there() -> None:
    policy = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: "
        "shop}\n"
        "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: http}]}]\n"
    )
    assert lint_texts([("np.yaml", policy)]) == []


def test_a_policy_for_one_statefulset_pod_finds_its_ports() -> None:
    """statefulset.kubernetes.io/pod-name is added by the controller: the policy selects that
    pod."""
    sts = (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n"
        "  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n   "
        " spec:\n"
        "      containers: [{name: db, image: db, ports: [{name: sql, containerPort: 5432}]}]\n"
    )
    policy = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: "
        "shop}\nspec:\n  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}\n "
        " ingress: [{ports: [{port: sql}]}]\n"
    )
    assert lint_texts([("sts.yaml", sts), ("np.yaml", policy)]) == []
    wrong = policy.replace("port: sql", "port: sqll")
    assert [p.rule for p in lint_texts([("sts.yaml", sts), ("np.yaml", wrong)])] == [
        "networkpolicy-port"
    ]


@pytest.mark.parametrize("kind", ["PodMonitor", "ServiceMonitor"])
def test_a_monitor_with_nothing_of_its_kind_in_the_files_is_not_judged(kind: str) -> None:
    """As for a NetworkPolicy: with no pods (Services) in these files at all, what it selects is
    linted elsewhere.

    Real case: emqx-operator's emqx-exporter.yaml has a PodMonitor of broker pods the operator
    creates.
    """
    key = "podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"
    alone = monitor(
        kind, f"  selector: {{matchLabels: {{app: broker}}}}\n  {key}: [{{port: dashboard}}]\n"
    )
    assert lint_texts([("m.yaml", alone)]) == []
