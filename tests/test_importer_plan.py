"""The import plan: which App each Service belongs to, what it declares, what is refused and why."""

from __future__ import annotations

import pytest

from svcgen.importer.plan import Plan, finish, plan_import
from svcgen.kube.objects import KubeObject, read_objects

STATEFUL = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: argocd}
spec:
  template:
    metadata: {labels: {app: redis-ha}}
    spec:
      containers:
      - name: redis
        image: redis
        ports: [{name: redis, containerPort: 6379}, {containerPort: 26379}]
"""


def _plan(text: str, **options: bool) -> Plan:
    objects = [o for o in read_objects([("in.yaml", text)]) if isinstance(o, KubeObject)]
    plan = plan_import(
        [o for o in objects if o.is_service],
        [o for o in objects if o.pod_spec() is not None],
        **options,
    )
    if not [p for p in plan.problems if p.severity == "error"]:
        finish(plan)
    return plan


def _svc(
    name: str, selector: str, ports: str = "[{name: redis, port: 6379, targetPort: redis}]"
) -> str:
    return (
        f"---\nkind: Service\nmetadata: {{name: {name}, namespace: argocd}}\nspec:\n  selector: "
        f"{selector}\n  ports: {ports}\n"
    )


def test_announce_services_of_stateful_set_pods_share_the_app_and_refine_by_pod_name() -> None:
    text = (
        STATEFUL
        + _svc("redis-ha", "{app: redis-ha}")
        + "".join(
            _svc(
                f"redis-ha-announce-{i}",
                f'{{app: redis-ha, "statefulset.kubernetes.io/pod-name": redis-{i}}}',
            )
            for i in range(3)
        )
    )
    plan = _plan(text)
    (app,) = plan.apps
    assert app.name == "redis" and app.labels == {"app": "redis-ha"} and app.pod_labels == {}
    extras = [dict(s["options"]).get("extra_selector") for s in app.services]
    assert extras == [None] + [
        {"statefulset.kubernetes.io/pod-name": f"redis-{i}"} for i in range(3)
    ]
    assert plan.problems == []  # 26379 has no name: declared without one


def test_an_unnamed_container_port_is_planned_without_a_name_and_exposed_by_number() -> None:
    plan = _plan(
        STATEFUL
        + _svc("sentinel", "{app: redis-ha}", "[{name: sentinel, port: 26379, targetPort: 26379}]")
    )
    (app,) = plan.apps
    assert [(p.name, p.number) for p in app.containers[0].ports] == [("redis", 6379), ("", 26379)]
    (port,) = app.services[0]["ports"]
    assert (port["port"], port["protocol"], dict(port["args"])) == (
        26379,
        None,
        {"name": "sentinel"},
    )
    assert plan.problems == []


def test_import_invents_no_port_name_and_says_an_undeclared_target_port() -> None:
    """Import invents no port name: a port without one, and a targetPort no container declares
    (said,
    with the
    container and the line), are declared as Port(number=...)."""
    plan = _plan(
        STATEFUL
        + _svc(
            "sentinel",
            "{app: redis-ha}",
            "[{name: a, port: 26379, targetPort: 26379}, "
            "{name: extra, port: 7000, targetPort: 7001, protocol: UDP}]",
        )
    )
    assert [str(p) for p in plan.problems] == [
        "in.yaml:17:80: warning: Service/argocd/sentinel: spec.ports[1].targetPort: targetPort "
        "7001 is not declared "
        'by a container of "redis" in these files; declared it on container "redis" as '
        "Port(number=7001, "
        'protocol="UDP"), without a name.'
    ]
    assert [(p.name, p.number) for p in plan.apps[0].containers[0].ports] == [
        ("redis", 6379),
        ("", 26379),
        ("", 7001),
    ]


def test_an_unnamed_port_whose_number_has_two_protocols_is_exposed_with_its_protocol() -> None:
    pods = STATEFUL.replace(
        "{containerPort: 26379}", "{containerPort: 26379}, {containerPort: 26379, protocol: UDP}"
    )
    plan = _plan(pods + _svc("sentinel", "{app: redis-ha}", "[{port: 26379, protocol: UDP}]"))
    (port,) = plan.apps[0].services[0]["ports"]
    assert (port["port"], port["protocol"]) == (26379, "UDP")


def test_a_service_without_its_workload_gets_a_container_and_a_warning() -> None:
    plan = _plan(_svc("web", "{app: web}", "[{port: 80, targetPort: 8080}]"))
    (app,) = plan.apps
    assert app.labels == {"app": "web"} and [c.name for c in app.containers] == ["web"]
    assert [(p.rule, p.line) for p in plan.problems] == [
        ("import-no-workload", 5),
        ("import-undeclared-port", 6),
    ]
    assert (
        'declared it on container "web" as Port(number=8080), without a name'
        in plan.problems[1].message
    )


def test_a_named_target_port_without_its_workload_is_refused_unless_declared() -> None:
    text = _svc("web", "{app: web}", "[{port: 80, targetPort: http}]")
    assert [(p.severity, p.rule) for p in _plan(text).problems] == [
        ("warning", "import-no-workload"),
        ("error", "import-target-port"),
    ]
    declared = _plan(text, declare_missing_ports=True)
    assert [(p.severity, p.rule) for p in declared.problems] == [
        ("warning", "import-no-workload"),
        ("warning", "import-target-port"),
    ]
    assert [(p.name, p.number) for p in declared.apps[0].containers[0].ports] == [("http", 80)]


def test_external_name_services_need_no_workload() -> None:
    plan = _plan(
        "kind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: "
        "db.example.com}\n"
    )
    (app,) = plan.apps
    assert (
        app.containers == [] and ("external_name", "db.example.com") in app.services[0]["options"]
    )


def test_node_ports_go_to_the_lock_and_unset_ones_stay_unset() -> None:
    text = STATEFUL + _svc(
        "redis-np",
        "{app: redis-ha}",
        "[{name: a, port: 6379, targetPort: redis, nodePort: 30079}, {name: b, port: 26379, "
        "targetPort: 26379}]",
    ).replace("spec:\n  selector", "spec:\n  type: NodePort\n  selector")
    plan = _plan(text)
    assert {str(k): v for k, v in plan.lock.items()} == {"argocd/redis-np/a/TCP": 30079}
    args = [dict(p["args"]) for p in plan.apps[0].services[0]["ports"]]
    assert "node_port" not in args[0] and args[1]["node_port"] is None


def test_containers_without_a_name_or_with_the_same_name_stay_apart_and_are_said() -> None:
    pods = STATEFUL.replace(
        "      - name: redis\n        image: redis\n"
        "        ports: [{name: redis, containerPort: 6379}, {containerPort: 26379}]\n",
        "      - {image: nginx, ports: [{containerPort: 8080}]}\n"
        "      - {image: 5, ports: [{name: redis, containerPort: 6379}]}\n",
    )
    plan = _plan(pods + _svc("redis", "{app: redis-ha}"))
    (app,) = plan.apps
    assert [(c.name, c.image, [p.number for p in c.ports]) for c in app.containers] == [
        ("container-1", "nginx", [8080]),
        ("container-2", None, [6379]),
    ]
    assert [(p.rule, p.field) for p in plan.problems] == [
        ("import-container", "spec.template.spec.containers[0].name"),
        ("import-container", "spec.template.spec.containers[1].name"),
        ("import-container", "spec.template.spec.containers[1].image"),
    ]


def _declared(spec: str, meta: str = "") -> tuple[dict[str, object], str]:
    from svcgen.importer.plan import as_declared

    text = f"kind: Service\nmetadata: {{name: web{meta}}}\nspec:\n  selector: {{app: web}}\n{spec}"
    (obj,) = [o for o in read_objects([("in.yaml", text)]) if isinstance(o, KubeObject)]
    declared, note = as_declared(obj)
    return {k: v for k, v in declared.spec.items() if k != "selector"}, note.message if note else ""


DUMPED = ", uid: 0c6f, resourceVersion: '42'"
APPLIED = (
    ', annotations: {kubectl.kubernetes.io/last-applied-configuration: \'{"spec": '
    '{"clusterIP": "10.96.0.9"}}\'}'
)


def test_a_hand_written_cluster_ip_is_the_user_s_and_kept() -> None:
    spec = "  clusterIP: 10.96.0.9\n  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv6]\n"
    assert _declared(spec) == (
        {"clusterIP": "10.96.0.9", "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"]},
        "",
    )


@pytest.mark.parametrize(
    ("spec", "meta", "kept", "said"),
    [
        (
            "  clusterIP: 10.96.0.9\n  clusterIPs: [10.96.0.9]\n",
            DUMPED,
            {},
            "spec.clusterIP (10.96.0.9), spec.clusterIPs (10.96.0.9)",
        ),
        (
            "  clusterIP: None\n  clusterIPs: [None]\n  ipFamilies: [IPv4]\n",
            DUMPED,
            {"clusterIP": "None", "clusterIPs": ["None"]},
            "spec.ipFamilies (IPv4)",
        ),
        (
            "  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv4, IPv6]\n",
            DUMPED,
            {"ipFamilyPolicy": "RequireDualStack"},
            "spec.ipFamilies (IPv4, IPv6)",
        ),
        (
            "  clusterIP: 10.96.0.9\n  ipFamilies: [IPv4]\n",
            DUMPED + APPLIED,
            {"clusterIP": "10.96.0.9"},
            "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration], "
            "spec.ipFamilies (IPv4)",
        ),
        (
            "  clusterIP: 10.96.0.9\n",
            APPLIED,
            {"clusterIP": "10.96.0.9"},
            "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]",
        ),
    ],
)
def test_of_a_dump_what_the_cluster_chose_is_dropped_what_the_user_asked_is_kept(
    spec: str, meta: str, kept: dict[str, object], said: str
) -> None:
    declared, note = _declared(spec, meta)
    assert declared == kept
    assert note.startswith(
        "set by the cluster, not part of a declaration: not carried over: "
    ) and note.endswith(said)


@pytest.mark.parametrize(
    ("labels", "left_out"),
    [
        (
            '{kubernetes.io/cluster-service: "true"}',
            "left out: a cluster add-on's Service (label kubernetes.io/cluster-service)",
        ),
        (
            "{addonmanager.kubernetes.io/mode: Reconcile}",
            "left out: a cluster add-on's Service (label addonmanager.kubernetes.io/mode)",
        ),
        ('{kubernetes.io/cluster-service: "false"}', ""),
    ],
)
def test_a_cluster_add_on_s_service_is_left_out(labels: str, left_out: str) -> None:
    text = STATEFUL + _svc("redis", "{app: redis-ha}").replace(
        "namespace: argocd}", f"namespace: argocd, labels: {labels}}}"
    )
    plan = _plan(text)
    assert [p.message for p in plan.problems if p.rule == "import-left-out"] == (
        [left_out] if left_out else []
    )
    assert len(plan.apps) == (0 if left_out else 1)


def _workload(kind: str, name: str, labels: str, namespace: str = "argocd") -> str:
    return (
        f"---\napiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: "
        f"{namespace}}}\nspec:\n"
        f"  template:\n    metadata: {{labels: {labels}}}\n    spec:\n      containers:\n"
        f"      - {{name: {name}, image: img, ports: [{{name: redis, containerPort: 6379}}]}}\n"
    )


@pytest.mark.parametrize(
    ("selector", "selected"),
    [
        ("{tier: a}", "StatefulSet/db, Deployment/four, Deployment/one, Deployment/two"),
        # pod-template-hash: set by "four"'s template, added by the Deployment controller to the
        # others'
        ("{tier: a, pod-template-hash: h}", "Deployment/four, Deployment/one, Deployment/two"),
        (
            "{tier: a, controller-revision-hash: h}",
            "StatefulSet/db",
        ),  # added by the StatefulSet controller only
    ],
)
def test_the_workloads_a_selector_may_select_are_found_by_label_or_controller_label_in_input_order(
    selector: str, selected: str
) -> None:
    text = (
        _workload("StatefulSet", "db", "{tier: a}")
        + _workload("Deployment", "four", "{tier: a, pod-template-hash: h}")
        + _workload("Deployment", "one", "{app: web, tier: a}")
        + _workload("Deployment", "two", "{tier: a}")
        + _workload("Deployment", "three", "{app: web, tier: a}", "elsewhere")
        + _svc("svc", selector)
    )
    plan = _plan(text)
    owners = selected.split(", ")
    assert [p.message for p in plan.problems if p.rule == "import-many-workloads"] == (
        [
            f"selects {len(owners)} workloads ({selected}); its ports are declared on the "
            "containers of the first, "
            f"{owners[0]}"
        ]
        if len(owners) > 1
        else []
    )
    (app,) = plan.apps
    assert app.source is not None and f"{app.source.kind}/{app.source.name}" == owners[0]
    assert [f"{w.kind}/{w.name}" for w in plan.selected] == owners


def test_each_service_tries_only_the_workloads_that_carry_its_labels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Planning N Services takes time in proportion to N: no Service tries every workload of the
    files.

    Counted, not timed: 300 Services, each selecting its own Deployment among 300 that share a
    label.
    """
    text = "".join(
        _workload("Deployment", f"w{i}", f"{{app: w{i}, part-of: shop}}")
        + _svc(f"s{i}", f"{{app: w{i}, part-of: shop}}")
        for i in range(300)
    )
    tried = []
    may_select = KubeObject.may_select

    def counted(self: KubeObject, selector: dict[str, str]) -> bool:
        tried.append(self)
        return may_select(self, selector)

    monkeypatch.setattr(KubeObject, "may_select", counted)
    plan = _plan(text)
    assert [app.source.name for app in plan.apps if app.source is not None] == [
        f"w{i}" for i in range(300)
    ]
    assert len(tried) <= 2 * 300
