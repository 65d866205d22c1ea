"""svcgen import, end to end in-process: every Service comes back exactly, or the import says
why."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import HOSTILE_SCALARS, ROOT
from ruamel.yaml import YAML

from svcgen import render
from svcgen.dsl.model import App
from svcgen.importer import Imported, ImportRefusedError, import_manifests
from svcgen.kube.apiserver import canonical_service
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.render import RenderOptions

DATA = ROOT / "tests" / "data" / "import-shop.yaml"

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web, tier: fe}}
  template:
    metadata: {labels: {app: web, tier: fe}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}, {name: HTTP_Admin, containerPort: 9000}]
"""


def service(name: str, spec: str, meta: str = "") -> str:
    return f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}{meta}}}\nspec:\n{spec}"


def _apps(source: str) -> list[App]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return [v for v in namespace.values() if isinstance(v, App)]


def _services(text: str) -> dict[str, dict[str, Any]]:
    docs = [d for d in YAML(typ="safe").load_all(text) if d and d.get("kind") == "Service"]
    return {d["metadata"]["name"]: canonical_service(d) for d in docs}


def round_trip(text: str, **options: Any) -> tuple[Imported, dict[str, dict[str, Any]]]:
    imported = import_manifests([("in.yaml", text)], **options)
    rendered = render(_apps(imported.source), RenderOptions(lock=imported.lock))
    assert rendered.lock == imported.lock  # every nodePort came from the lock: nothing moved
    return imported, _services(rendered.yaml)


def refused(text: str, **options: Any) -> list[str]:
    with pytest.raises(ImportRefusedError) as info:
        import_manifests([("in.yaml", text)], **options)
    return [str(p) for p in info.value.problems if p.severity == "error"]


GOOD_WEB = WEB.replace(", {name: HTTP_Admin, containerPort: 9000}", "")


def test_the_shop_round_trips() -> None:
    imported, rendered = round_trip(DATA.read_text())
    original = _services(DATA.read_text())
    assert rendered == original
    assert "shop/storefront/https/TCP" in {str(k) for k in imported.lock}


def test_services_that_select_one_workload_differently_keep_their_selectors() -> None:
    text = (
        GOOD_WEB
        + service("web-all", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n")
        + service(
            "web", "  selector: {app: web, tier: fe}\n  ports: [{port: 81, targetPort: http}]\n"
        )
    )
    imported, rendered = round_trip(text)
    assert rendered == _services(text)
    assert not [
        w for w in imported.warnings if w.rule == "import-no-workload"
    ]  # the workload does match
    assert (
        'extra_selector={"tier": "fe"}' in imported.source and imported.source.count("= App(") == 1
    )


def test_selectors_that_share_no_label_get_apps_of_their_own() -> None:
    text = (
        GOOD_WEB
        + service("a", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n")
        + service("b", "  selector: {tier: fe}\n  ports: [{port: 81, targetPort: http}]\n")
    )
    imported, rendered = round_trip(text)
    assert rendered == _services(text)
    assert '"web-2"' in imported.source  # named after the workload, never colliding


def test_a_selector_is_never_widened_or_narrowed() -> None:
    db = GOOD_WEB.replace("web", "rethinkdb").replace(
        "app: rethinkdb, tier: fe", "db: rethinkdb, role: admin"
    )
    text = (
        db
        + service(
            "admin",
            "  selector: {db: rethinkdb, role: admin}\n  ports: [{port: 80, targetPort: http}]\n",
        )
        + service(
            "driver", "  selector: {db: rethinkdb}\n  ports: [{port: 28015, targetPort: http}]\n"
        )
    )
    _, rendered = round_trip(text)
    assert rendered["driver"]["spec"]["selector"] == {"db": "rethinkdb"}
    assert rendered["admin"]["spec"]["selector"] == {"db": "rethinkdb", "role": "admin"}


@pytest.mark.parametrize(
    "spec",
    [
        "  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv6, IPv4]\n",
        "  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv6]\n",
        "  publishNotReadyAddresses: true\n  clusterIP: None\n",
        "  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10]\n",
        "  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10, 'fd00::10']\n  ipFamilyPolicy: "
        "RequireDualStack\n  ipFamilies: [IPv4, IPv6]\n",
        "  externalIPs: [203.0.113.10]\n  externalTrafficPolicy: Local\n",
        "  type: LoadBalancer\n  loadBalancerIP: 203.0.113.7\n  loadBalancerClass: "
        "example.com/lb\n",
        "  trafficDistribution: PreferClose\n",
        "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n",
        "  internalTrafficPolicy: Local\n",
    ],
)
def test_every_service_field_real_manifests_use_round_trips(spec: str) -> None:
    ports = "  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n"
    text = GOOD_WEB + service("web", spec + ports)
    _, rendered = round_trip(text)
    assert rendered == _services(text)


def test_a_health_check_port_the_original_left_to_the_cluster_is_not_invented() -> None:
    text = GOOD_WEB + service(
        "lb",
        "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: web}\n"
        "  ports: [{port: 443, targetPort: http, nodePort: 31443}]\n",
    )
    imported, rendered = round_trip(text)
    assert (
        "healthCheckNodePort" not in rendered["lb"]["spec"]
        and "health_check_node_port=None" in imported.source
    )
    local = "  externalTrafficPolicy: Local\n"
    pinned = text.replace(local, local + "  healthCheckNodePort: 32100\n")
    imported, rendered = round_trip(pinned)
    assert rendered["lb"]["spec"]["healthCheckNodePort"] == 32100
    assert imported.lock.get(PortKey.health_check("", "lb")) == 32100


def test_a_named_target_port_no_container_provides_is_refused_unless_declared() -> None:
    text = GOOD_WEB + service(
        "web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: htttp}]\n"
    )
    errors = refused(text)
    assert errors == [
        'in.yaml:19:22: error: Service/web: spec.ports[0].targetPort: named targetPort "htttp" '
        "(TCP) matches no container port of the selected workloads (Deployment/web; named ports: "
        "http/TCP): "
        'traffic to this port would be dropped. Fix: did you mean "http"?'
    ]
    imported, rendered = round_trip(text, declare_missing_ports=True)
    assert rendered == _services(text) and 'Port("htttp", 80)' in imported.source
    assert any(
        w.rule == "import-target-port" and "check its number" in w.message
        for w in imported.warnings
    )


def test_invalid_names_are_reported_at_their_input_line() -> None:
    text = WEB + service("web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n")
    errors = refused(text)
    assert any(e.startswith("in.yaml:12:") and "HTTP_Admin" in e for e in errors), errors


@pytest.mark.parametrize(
    ("ports", "line", "message"),
    [
        ("[{port: 80, targetPort: http, nodePort: 40000}]", 20, "not in the valid range"),
        (
            "[{name: a, port: 80, targetPort: http, nodePort: 30080}, {name: b, port: 81, "
            "targetPort: http, nodePort: 30080}]",
            20,
            "Duplicate value",
        ),
    ],
)
def test_node_port_problems_point_at_the_input_not_at_a_lock_file(
    ports: str, line: int, message: str
) -> None:
    text = GOOD_WEB + service(
        "web", f"  type: NodePort\n  selector: {{app: web}}\n  ports: {ports}\n"
    )
    errors = refused(text)
    assert any(e.startswith(f"in.yaml:{line}:") and message in e for e in errors), errors
    assert not any("svcgen.lock" in e for e in errors)


def test_a_node_port_the_lock_gives_another_number_is_refused_at_the_input() -> None:
    text = GOOD_WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web}\n"
        "  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]\n",
    )
    errors = refused(text, lock=Lock({PortKey("", "web", "http", "TCP"): 30001}))
    assert any(e.startswith("in.yaml:") and "30001 in the lock file" in e for e in errors), errors


def test_what_the_dsl_cannot_say_is_refused_by_name() -> None:
    text = (
        GOOD_WEB
        + service(
            "a",
            "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n",
            ", finalizers: [example.com/keep]",
        )
        + service("b", "  ports: [{port: 80}]\n")
        + service(
            "c",
            "  selector: {app: web}\n  externalTrafficPolcy: Local\n"
            "  ports: [{port: 80, targetPort: http}]\n",
        )
    )
    errors = refused(text)
    assert any("metadata.finalizers cannot be declared" in e for e in errors)
    assert any('unknown field "spec.externalTrafficPolcy"' in e for e in errors)
    assert not any("Service/b" in e for e in errors)  # left out with a warning: it blocks nothing


def test_what_the_cluster_set_is_dropped_with_a_warning() -> None:
    text = (
        GOOD_WEB
        + service(
            "web",
            "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n",
            ", uid: 0b3c, resourceVersion: '42', creationTimestamp: '2026-01-01T00:00:00Z'",
        )
        + "status: {loadBalancer: {}}\n"
    )
    imported, _rendered = round_trip(text)
    assert [str(w) for w in imported.warnings if w.rule == "import-server-field"] == [
        "in.yaml:13:1: warning: Service/web: set by the cluster, not part of a declaration: not "
        "carried over: metadata.uid, metadata.resourceVersion, metadata.creationTimestamp, status."
    ]


def test_label_values_that_are_not_strings_are_refused_not_stringified() -> None:
    text = GOOD_WEB.replace(
        "{app: web, tier: fe}}\n    spec", "{app: web, tier: fe, version: 1.8}}\n    spec"
    ) + service("web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n")
    errors = refused(text)
    assert any(
        "version" in e and "labels and annotations map strings to strings" in e for e in errors
    ), errors


def test_a_service_imported_twice_is_refused() -> None:
    one = service("web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n")
    errors = refused(GOOD_WEB + one + one)
    assert any("Duplicate value" in e and "import-duplicate" not in e for e in errors)


def test_the_self_check_catches_any_difference_and_allow_changes_accepts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from svcgen.importer import plan

    text = GOOD_WEB + service(
        "web",
        "  selector: {app: web}\n  trafficDistribution: PreferClose\n"
        "  ports: [{port: 80, targetPort: http}]\n",
    )
    # A planner that forgot a field: the check must catch it, whatever the reason.
    monkeypatch.setattr(
        plan, "_OPTIONS", tuple(o for o in plan._OPTIONS if o[0] != "trafficDistribution")
    )
    errors = refused(text)
    assert errors == [
        "in.yaml:19:3: error: Service/web: spec.trafficDistribution: would not come back as it "
        "was: 'PreferClose' in the manifest, absent once rendered. Fix: pass --allow-changes to "
        "accept the difference"
    ]
    imported = import_manifests([("in.yaml", text)], allow_changes=True)
    assert [w.rule for w in imported.warnings if w.rule != "import-workload-kept"] == [
        "import-check"
    ]


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
def test_hostile_scalars_are_problems_with_a_line_never_a_traceback(scalar: str) -> None:
    text = GOOD_WEB + service(
        "web",
        f"  type: NodePort\n  selector: {{app: web}}\n"
        f"  ports: [{{port: 80, targetPort: http, nodePort: {scalar}}}]\n",
    )
    try:
        _imported, rendered = round_trip(text)
    except ImportRefusedError as exc:
        assert all(p.line for p in exc.problems if p.severity == "error"), exc
    else:
        assert rendered == _services(text)


def test_nothing_to_import() -> None:
    errors = refused("kind: ConfigMap\nmetadata: {name: x}\n")
    assert errors == ["error: in.yaml: no Service to import."]


def test_keyword_names_make_valid_code() -> None:
    text = (
        "kind: Deployment\nmetadata: {name: class}\nspec:\n  template:\n    metadata: {labels: "
        "{app: x}}\n    spec:\n      containers: [{name: import, image: x, ports: [{name: http, "
        "containerPort: 80}]}]\n---\nkind: Service\nmetadata: {name: for}\nspec: {selector: {app: "
        "x}, ports: [{port: 80}]}\n"
    )
    _imported, rendered = round_trip(text)
    assert list(rendered) == ["for"]


def test_the_project_range_applies() -> None:
    text = GOOD_WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web}\n"
        "  ports: [{port: 80, targetPort: http, nodePort: 20080}]\n",
    )
    assert refused(text)
    imported = import_manifests([("in.yaml", text)], node_port_range=NodePortRange(20000, 22767))
    assert imported.lock.get(PortKey("", "web", "", "TCP")) == 20080


def test_a_nodeport_another_lock_entry_holds_is_refused_not_written_twice() -> None:
    lock = Lock({PortKey("other", "x", "http", "TCP"): 30080})
    text = WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web, tier: fe}\n"
        "  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]\n",
    )
    with pytest.raises(ImportRefusedError) as info:
        import_manifests([("in.yaml", text)], lock=lock)
    (problem,) = [p for p in info.value.problems if p.rule == "import-lock"]
    assert (
        "nodePort 30080 of -/web/http/TCP is other/x/http/TCP's in the lock file" in problem.message
    )


def test_each_nodeport_is_checked_against_every_lock_entry_that_holds_it_in_lock_order() -> None:
    """The lock's entries of the same number: one that may share it (this Service's other protocol)
    is
    no holder."""
    lock = Lock(
        {
            PortKey("", "web", "dns", "UDP"): 30053,
            PortKey("", "a", "x", "TCP"): 30080,
            PortKey("", "b", "x", "TCP"): 30090,
            PortKey("", "c", "x", "TCP"): 30090,
        }
    )
    text = WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web, tier: fe}\n  ports:\n"
        "  - {name: dns, port: 53, targetPort: 8080, protocol: TCP, nodePort: 30053}\n"
        "  - {name: http, port: 80, targetPort: http, nodePort: 30090}\n",
    )
    with pytest.raises(ImportRefusedError) as info:
        import_manifests([("in.yaml", text)], lock=lock)
    assert [p.message for p in info.value.problems if p.rule == "import-lock"] == [
        "nodePort 30090 of -/web/http/TCP is -/b/x/TCP's in the lock file: the cluster would "
        "refuse the second Service (provided port is already allocated)"
    ]


DUMP = ROOT / "tests" / "data" / "import-cluster-dump.yaml"


def test_a_cluster_dump_imports_what_svcgen_declares_and_leaves_out_the_rest() -> None:
    imported, rendered = round_trip(DUMP.read_text())
    assert {w.subject: w.message for w in imported.warnings if w.rule == "import-left-out"} == {
        "Service/default/kubernetes": "left out: the API server's own Service",
        "Service/kube-system/kube-dns": "left out: a cluster add-on's Service (label "
        "kubernetes.io/cluster-service)",
        "Service/shop/payments-db": "left out: has no selector: its endpoints are managed outside "
        "Kubernetes' selection, and svcgen declares Services in front of the pods they select",
        "Service/shop/prometheus-operated": "left out: is managed by Prometheus/shop",
    }
    assert "30432 is not recorded: list its manifest in [tool.svcgen] reserve" in str(
        imported.warnings
    )
    assert {str(k): v for k, v in imported.lock.entries.items()} == {
        "shop/web/http/TCP": 30080,
        "shop/edge/https/TCP": 31443,
    }
    for allocated in ("10.96.", "ip_famil", "last-applied", "load-balancer-cleanup", "cluster_ip"):
        assert allocated not in imported.source
    assert rendered["web-pods"]["spec"]["clusterIP"] == "None"  # headless: always the user's
    assert list(rendered) == ["web", "edge", "web-pods"]
    for name, service in rendered.items():
        assert "clusterIP" not in service["spec"] or name == "web-pods"
        assert "ipFamilies" not in service["spec"] and "ipFamilyPolicy" not in service["spec"]


def test_the_cluster_s_allocations_are_said_by_name() -> None:
    imported = import_manifests([("dump.yaml", DUMP.read_text())])
    (web,) = [
        str(w)
        for w in imported.warnings
        if w.subject == "Service/shop/web" and w.rule == "import-server-field"
    ]
    assert web == (
        "dump.yaml:73:3: warning: Service/shop/web: set by the cluster, not part of a "
        "declaration: not carried over: metadata.creationTimestamp, metadata.managedFields, "
        "metadata.resourceVersion, metadata.uid, "
        "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration], spec.clusterIP "
        "(10.96.14.2), spec.clusterIPs (10.96.14.2), spec.ipFamilies (IPv4), spec.ipFamilyPolicy "
        "(SingleStack), status."
    )


def test_a_dump_of_nothing_but_what_svcgen_leaves_out_is_refused_with_the_reasons() -> None:
    kubernetes = DUMP.read_text().split(
        "- apiVersion: v1\n  kind: Service\n  metadata:\n    annotations"
    )[0]
    with pytest.raises(ImportRefusedError) as info:
        import_manifests([("dump.yaml", kubernetes + "kind: List\n")])
    assert [(p.severity, p.rule) for p in info.value.problems] == [
        ("warning", "import-left-out"),
        ("error", "import-nothing"),
    ]
    assert info.value.report()[-2:] == [
        "error: dump.yaml: no Service left to import (each was left out, as said above).",
        "svcgen import: 1 error; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("service_ns", "workload_ns", "column", "said"),
    [
        (
            "",
            "default",
            12,
            "this Service has no namespace and Deployment/web, whose pods its selector matches, "
            "is in "
            '"default"',
        ),
        (
            "default",
            "",
            23,
            'this Service is in "default" and Deployment/web, whose pods its selector matches, '
            "has no namespace",
        ),
        (
            "",
            "prod",
            12,
            "this Service has no namespace and Deployment/web, whose pods its selector matches, "
            "is in "
            '"prod"',
        ),
    ],
)
def test_a_namespace_on_one_side_only_is_an_error_that_says_why(
    service_ns: str, workload_ns: str, column: int, said: str
) -> None:
    workload = (
        GOOD_WEB.replace(
            "metadata: {name: web}", f"metadata: {{name: web, namespace: {workload_ns}}}"
        )
        if workload_ns
        else GOOD_WEB
    )
    meta = f", namespace: {service_ns}" if service_ns else ""
    text = workload + service(
        "web", "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n", meta
    )
    errors = refused(text)
    other = workload_ns or service_ns
    subject, field = (f"{service_ns}/web", "namespace") if service_ns else ("web", "name")
    assert errors == [
        f"in.yaml:16:{column}: error: Service/{subject}: metadata.{field}: {said}: the namespaces "
        "differ, as no "
        "namespace means the kubectl context's namespace when applied, which may not be "
        f'"{other}". Fix: set metadata.namespace on both (namespace: {other} if that is where '
        "they run)"
    ]


def test_a_node_port_another_project_holds_is_refused_at_its_line() -> None:
    from svcgen.nodeports.reserve import Reservation

    text = GOOD_WEB + service(
        "web",
        "  type: NodePort\n  selector: {app: web}\n"
        "  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]\n",
    )
    billing = Reservation(
        30080, "billing", "api", "registry r.git#prod.lock", "http", "TCP", "billing"
    )
    with pytest.raises(ImportRefusedError) as info:
        import_manifests([("in.yaml", text)], reserved=[billing])
    assert [str(p) for p in info.value.problems] == [
        "in.yaml:20:52: error: Service/web: spec.ports[0].nodePort: nodePort 30080 is already "
        "allocated to registry r.git#prod.lock: billing/api/http (project billing): one nodePort "
        "is one Service port's. Fix: if that Service is gone, free its nodePort there (svcgen "
        "lock prune in its project, or edit the reserve file); else this Service must move: "
        "remove the nodePort from this manifest"
    ]
    itself = Reservation(
        30080, "", "web", "dump.yaml", "http", "TCP"
    )  # a dump of the Service imported
    assert (
        import_manifests([("in.yaml", text)], reserved=[itself]).lock.get(
            PortKey("", "web", "http", "TCP")
        )
        == 30080
    )
