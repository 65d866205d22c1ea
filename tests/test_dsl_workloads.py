"""The workload's fields: each check at the user's line, in the API server's words, with the fix."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import marked_lines

from svcgen import (
    App,
    Container,
    DeclarationError,
    Deployment,
    Pod,
    Port,
    Probe,
    Problem,
    Service,
    StatefulSet,
    render,
    validate,
)
from svcgen.dsl.loader import load_apps
from svcgen.kube.releases import KubeVersion

Writer = Callable[..., Path]

WEB = """\
from svcgen import Deployment, Pod, Probe, StatefulSet
http = Port("http", 8080)
"""


def found(write_app: Writer, source: str, version: KubeVersion | None = None) -> list[Problem]:
    """Every problem of ``source`` (after WEB); each must sit on a line marked ``# <-``."""
    source = WEB + textwrap.dedent(source)
    apps = load_apps([str(write_app(source))])
    problems = validate(apps, kubernetes_version=version) if version else validate(apps)
    marked = set(marked_lines(source))
    assert problems
    for problem in problems:
        assert problem.location is not None and problem.location.line in marked, str(problem)
    return problems


def said(problems: list[Problem]) -> list[tuple[str, str, str, str]]:
    return [(p.severity, p.field, p.message, p.hint) for p in problems]


def test_a_typo_in_a_pass_through_field_is_refused_at_the_line_with_did_you_mean(
    write_app: Writer,
) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x",  # <-
                        security_context={"runAsNonRot": True, "runAsUser": "root"})
        app = App("web", labels={"app": "web"}, containers=[web],
                  workload=Deployment(strategy={"typ": "Recreate"}))  # <-
        """,
    )
    assert said(problems) == [
        (
            "error",
            "security_context.runAsNonRot",
            'unknown field "runAsNonRot"',
            'did you mean "runAsNonRoot"?',
        ),
        (
            "error",
            "security_context.runAsUser",
            'Invalid type: expected an integer, got "root"',
            "",
        ),
        ("error", "strategy.typ", 'unknown field "typ"', 'did you mean "type"?'),
    ]


def test_a_pod_field_newer_than_the_target_version(write_app: Writer) -> None:
    source = """\
        app = App("web", labels={"app": "web"}, containers=[Container("web", image="x")],
                  workload="Deployment", pod=Pod(resources={"limits": {"cpu": "1"}}))  # <-
        """
    (problem,) = found(write_app, source, KubeVersion.parse("1.31"))
    assert (problem.field, problem.message) == (
        "resources",
        'unknown field "resources" in Kubernetes 1.31: it is new in 1.32',
    )
    assert validate(load_apps([str(write_app(WEB + textwrap.dedent(source)))])) == []


def test_a_volume_mount_naming_no_volume(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x", volume_mounts=[{"name": "dta", "mountPath": "/d"},  # <-
                        {"name": "cache", "mountPath": "/d"}])
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment",
                  pod=Pod(volumes=[{"name": "data", "emptyDir": {}},  # <-
                                   {"name": "Data", "emptyDir": {}}]))
        """,
    )
    assert [(p.field, p.message, p.hint) for p in problems] == [
        (
            "volumes[1].name",
            'Invalid value: "Data": a lowercase RFC 1123 label must consist of lower case '
            "alphanumeric characters or '-', and must start and end with an alphanumeric "
            "character (e.g. 'my-name',  "
            "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "use at most 63 lower case letters, digits and '-', e.g. data",
        ),
        ("volume_mounts[0].name", 'Not found: "dta"', 'did you mean "data"?'),
        (
            "volume_mounts[1].name",
            'Not found: "cache"',
            'declare it: Pod(volumes=[{"name": "cache", ...}]) (or a StatefulSet volume claim '
            "template)",
        ),
        (
            "volume_mounts[1].mountPath",
            'Invalid value: "/d": must be unique',
            "mount each path once",
        ),
    ]


def test_a_mount_may_name_a_statefulset_volume_claim_template() -> None:
    db = Container(
        "db",
        image="pg",
        ports=[Port("pg", 5432)],
        volume_mounts=[{"name": "data", "mountPath": "/d"}],
    )
    headless = Service("db", headless=True, ports=[db.port("pg").expose()])
    claim = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    app = App(
        "db",
        labels={"app": "db"},
        containers=[db],
        services=[headless],
        workload=StatefulSet(service=headless, volume_claim_templates=[claim]),
    )
    assert validate([app]) == []


def test_env_var_names_by_version_and_duplicates(write_app: Writer) -> None:
    source = """\
        web = Container("web", image="x",  # <-
                        env=[{"name": "1A", "value": "1"}, {"name": "B=", "value": "2"},
                             {"name": "1A", "value": "3"}, {"name": "", "value": "4"}])
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment")
        """
    relaxed = (
        "a valid environment variable name must consist only of printable ASCII characters "
        "other than '='"
    )
    assert said(found(write_app, source)) == [
        ("error", "env[1].name", f'Invalid value: "B=": {relaxed}', "rename the variable"),
        (
            "warning",
            "env[2]",
            'hides previous definition of "1A", which may be dropped when using apply',
            "set each variable once",
        ),
        ("error", "env[3].name", "Required value", "give the variable a name"),
    ]
    strict = [
        p.field
        for p in found(write_app, source, KubeVersion.parse("1.31"))
        if p.severity == "error"
    ]
    assert strict == ["env[0].name", "env[1].name", "env[2].name", "env[3].name"]


def test_resource_quantities_and_requests_above_limits(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x",  # <-
                        resources={"requests": {"cpu": "1500m", "memory": "1Gb",
                                                "ephemeral-storage": "-1"}, "limits": {"cpu": 1}})
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment")
        """,
    )
    assert [(p.field, p.message) for p in problems] == [
        (
            "resources.requests[memory]",
            'Invalid value: "1Gb": quantities must match the regular expression '
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        (
            "resources.requests[ephemeral-storage]",
            'Invalid value: "-1": must be greater than or equal to 0',
        ),
        (
            "resources.requests[cpu]",
            'Invalid value: "1500m": must be less than or equal to cpu limit of 1',
        ),
    ]


def test_a_statefulset_service_must_be_a_headless_service_of_the_app(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        db = Container("db", image="pg", ports=[Port("pg", 5432)])
        other = Service("other", headless=True, ports=[db.port("pg").expose()])
        plain = Service("db", ports=[db.port("pg").expose()])
        a = App("a", namespace="a", labels={"app": "a"}, containers=[db], services=[plain],
              workload=StatefulSet(service=other))  # <-
        b = App("b", namespace="b", labels={"app": "b"}, containers=[db], services=[plain],
              workload=StatefulSet(service=plain))  # <-
        c = App("c", namespace="c", labels={"app": "c"}, containers=[db], services=[plain],
              workload=StatefulSet(service="x"))  # <-
        """,
    )
    assert [(p.subject, p.severity, p.message) for p in problems] == [
        (
            'StatefulSet of App "a"',
            "error",
            'Service "other" is not one of the Services of App "a"',
        ),
        (
            'StatefulSet of App "b"',
            "warning",
            'Service "db" is not headless: the StatefulSet\'s pods get no DNS names of their own',
        ),
        ('StatefulSet of App "c"', "warning", 'names Service "x", which App "c" does not declare'),
    ]


def test_container_names_are_unique_across_init_sidecar_and_app_containers(
    write_app: Writer,
) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x")  # <-
        init = Container("web", image="busybox", command=["true"])  # <-
        sidecar = Container("web", image="envoy", restart_policy="Always")  # <-
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment",
                  pod=Pod(init_containers=[init, sidecar]))
        """,
    )
    assert [(p.subject, p.field, p.message.split(" (")[0].split(":")[0:2]) for p in problems] == [
        ('init container "web" of App "web"', "name", ["Duplicate value", ' "web"']),
        ('container "web" of App "web"', "name", ["Duplicate value", ' "web"']),
    ]


def test_replicas_given_twice_or_negative(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x")
        a = App("a", labels={"app": "a"}, containers=[web], replicas=2,
                workload=Deployment(replicas=3))  # <-
        b = App("b", labels={"app": "b"}, containers=[web], workload=Deployment(replicas=-1))  # <-
        """,
    )
    assert [p.message for p in problems] == [
        "given twice: App(replicas=2) and here (3)",
        "Invalid value: -1: must be greater than or equal to 0",
    ]


def test_an_app_that_declares_no_workload_field_never_loads_the_schema() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom svcgen import App, Container, Port, Service, render\nc = "
        "Container('web', image='x', ports=[Port('http', 80)])\nrender(App('web', labels={'app': "
        "'web'}, containers=[c], workload='Deployment', services=[Service('web', "
        "ports=[c.port('http').expose()])]))\nassert 'svcgen.kube.schema' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet"])
def test_every_workload_kind_renders_with_its_fields(kind: str) -> None:
    from svcgen import DaemonSet

    web = Container("web", image="x", ports=[Port("http", 80)])
    service = Service("web", headless=True, ports=[web.port("http").expose()])
    workloads: dict[str, Deployment | StatefulSet | DaemonSet] = {
        "Deployment": Deployment(replicas=2, min_ready_seconds=5),
        "StatefulSet": StatefulSet(
            replicas=2, min_ready_seconds=5, pod_management_policy="Parallel"
        ),
        "DaemonSet": DaemonSet(min_ready_seconds=5),
    }
    workload = workloads[kind]
    rendered = render(
        App("web", labels={"app": "web"}, containers=[web], services=[service], workload=workload)
    )
    (built,) = [m for m in rendered.manifests if m["kind"] == kind]
    assert built["spec"]["minReadySeconds"] == 5
    assert ("replicas" in built["spec"]) is (kind != "DaemonSet")


def test_mount_paths_and_sub_paths(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x", volume_mounts=[  # <-
            {"name": "", "mountPath": ""},
            {"name": "data", "mountPath": "/a", "subPath": "/abs"},
            {"name": "data", "mountPath": "/b", "subPath": "x/../..", "subPathExpr": "$(POD)"}])
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment",
                  pod=Pod(volumes=[{"name": "data", "emptyDir": {}}]))
        """,
    )
    assert [(p.field, p.message) for p in problems] == [
        ("volume_mounts[0].name", "Required value"),
        ("volume_mounts[0].mountPath", "Required value"),
        ("volume_mounts[1].subPath", 'Invalid value: "/abs": must be a relative path'),
        ("volume_mounts[2].subPath", "Invalid value: \"x/../..\": must not contain '..'"),
        (
            "volume_mounts[2].subPathExpr",
            'Invalid value: "$(POD)": subPathExpr and subPath are mutually exclusive',
        ),
    ]


def test_selector_changes_compare_the_same_workload_only() -> None:
    from svcgen.dsl.workloads import selector_changes

    web = Container("web", image="x")
    app = App("web", labels={"app": "web", "v": "2"}, containers=[web], workload="Deployment")
    manifests = render(app).manifests

    def before(kind: str = "Deployment", name: str = "web", **spec: object) -> dict[str, object]:
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}

    old = {"matchLabels": {"app": "web"}}
    at = {("", "web"): app.location}
    assert (
        selector_changes(
            at, manifests, [before(selector={"matchLabels": {"app": "web", "v": "2"}})]
        )
        == []
    )
    assert (
        selector_changes(
            at,
            manifests,
            [
                before("StatefulSet", selector=old),
                before(name="api", selector=old),
                before(),
                {"kind": "Deployment"},
            ],
        )
        == []
    )
    assert (
        selector_changes(
            at,
            manifests,
            [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "web"},
                    "spec": ["not", "a", "mapping"],
                }
            ],
        )
        == []
    )  # passed over, no traceback
    (problem,) = selector_changes(at, manifests, [before(selector=old)])
    assert (problem.subject, problem.severity, problem.location) == (
        'Deployment "web"',
        "warning",
        app.location,
    )
    assert problem.hint == (
        'keep labels={"app": "web"} (put new labels in pod_labels), or replace the Deployment: '
        "kubectl delete deployment web --cascade=orphan, then apply"
    )


def test_an_env_value_that_is_not_a_string_is_named_by_its_variable(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x",  # <-
                        env={"PORT": 8080, "KEY": {"secretKeyRef": {"nme": "s"}}})
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment")
        """,
    )
    assert [(p.field, p.message, p.hint) for p in problems] == [
        ("env[PORT]", "Invalid type: expected a string, got 8080", ""),
        ("env[KEY].secretKeyRef.nme", 'unknown field "nme"', 'did you mean "name"?'),
        ("env[KEY].secretKeyRef.key", "Required value", ""),
    ]


def test_restart_policies_make_sidecars_of_init_containers_only(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        web = Container("web", image="x", restart_policy="Always")  # <-
        init = Container("init", image="busybox", restart_policy="Never",  # <-
                         readiness=Probe.exec(["true"]))
        sidecar = Container("proxy", image="envoy", restart_policy="Always",
                            readiness=Probe.exec(["true"]))
        app = App("web", labels={"app": "web"}, containers=[web], workload="Deployment",
                  pod=Pod(init_containers=[init, sidecar]))
        """,
    )
    assert [(p.subject, p.field, p.message) for p in problems] == [
        (
            'container "web" of App "web"',
            "restart_policy",
            "Forbidden: may not be set for non-init containers",
        ),
        (
            'init container "init" of App "web"',
            "restart_policy",
            'Unsupported value: "Never": supported values: "Always"',
        ),
        (
            'init container "init" of App "web"',
            "readiness",
            "Forbidden: may not be set for init containers without restartPolicy=Always",
        ),
    ]


def test_an_init_container_is_named_as_such(write_app: Writer) -> None:
    (problem,) = found(
        write_app,
        """\
        init = Container("migrate", image="x",  # <-
                         volume_mounts=[{"name": "data", "mountPath": "/d"}])
        app = App("web", labels={"app": "web"}, containers=[Container("web", image="x")],
                  workload="Deployment", pod=Pod(init_containers=[init]))
        """,
    )
    assert (problem.subject, problem.field) == (
        'init container "migrate" of App "web"',
        "volume_mounts[0].name",
    )


@pytest.mark.parametrize(
    ("call", "field", "message", "hint"),
    [
        (
            'Container("a", command="run")',
            "command",
            "expected a list of strings, got str 'run'",
            'put it in a list: command=["run"]',
        ),
        (
            'Container("a", image_pull_policy="always")',
            "image_pull_policy",
            'expected "Always", "IfNotPresent" or "Never", got str \'always\'',
            'did you mean "Always"?',
        ),
        (
            'Pod(volumes={"name": "x"})',
            "volumes",
            "expected a list of Kubernetes objects (dicts with Kubernetes' field names), got dict "
            "{'name': 'x'}",
            "pass a list of Kubernetes objects (dicts with Kubernetes' field names)",
        ),
        (
            'Pod(init_containers=Container("x"))',
            "init_containers",
            "expected a list of Container(...), got a Container",
            "put it in a list: init_containers=[...]",
        ),
    ],
)
def test_wrong_types_in_svcgen_words(call: str, field: str, message: str, hint: str) -> None:
    with pytest.raises(DeclarationError) as caught:
        eval(call, {"Container": Container, "Pod": Pod})
    (problem,) = caught.value.problems
    assert (problem.field, problem.message, problem.hint) == (field, message, hint)


def test_a_probes_http_headers_are_checked_against_the_schema() -> None:
    probe = Probe("http", Port("http", 80), path="/", http_headers=[{"name": "X", "valu": "1"}])
    web = Container("web", image="x", ports=[probe.port] if probe.port else [], readiness=probe)
    problems = validate(
        [App("web", labels={"app": "web"}, containers=[web], workload="Deployment")]
    )
    assert [(p.field, p.message, p.hint) for p in problems] == [
        ("readiness.httpGet.httpHeaders[0].valu", 'unknown field "valu"', 'did you mean "value"?'),
        ("readiness.httpGet.httpHeaders[0].value", "Required value", ""),
    ]


def test_a_workloads_pods_restart_always() -> None:
    pod = Pod(restart_policy="Never")
    (problem,) = validate(
        [
            App(
                "web",
                labels={"app": "web"},
                containers=[Container("web", image="x")],
                workload="DaemonSet",
                pod=pod,
            )
        ]
    )
    assert (problem.field, problem.message, problem.hint, problem.location) == (
        "restart_policy",
        'Unsupported value: "Never": supported values: "Always"',
        "a DaemonSet restarts its pods always: drop restart_policy",
        pod.location,
    )


def test_a_workloads_own_labels_are_checked_as_labels(write_app: Writer) -> None:
    problems = found(
        write_app,
        """\
        from svcgen import DaemonSet
        web = Container("web", image="x")
        a = App("a", labels={"app": "a"}, containers=[web],
                workload=Deployment(labels={"-bad": "ok"}))  # <-
        b = App("b", labels={"app": "b"}, containers=[web],
                workload=DaemonSet(labels={"ok": "bad value"}))  # <-
        """,
    )
    assert [(p.subject, p.field) for p in problems] == [
        ('Deployment of App "a"', "labels"),
        ('DaemonSet of App "b"', "labels[ok]"),
    ]
    assert all(p.severity == "error" for p in problems)


def test_a_probes_port_by_takes_name_or_number_only() -> None:
    with pytest.raises(DeclarationError, match="port_by"):
        Probe.http(Port("http", 80), port_by="nmber")  # type: ignore[arg-type]
