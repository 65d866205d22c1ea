"""svcgen import owns the workloads its Services select: declared whole, or kept as YAML with the
reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from ruamel.yaml import YAML

from svcgen.dsl.model import App
from svcgen.importer import Imported, import_manifests
from svcgen.importer.workloads import canonical_workload
from svcgen.kube.objects import KubeObject, read_objects
from svcgen.render import RenderOptions, render_manifests

FULL = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web, version: "2"}, annotations: {team: a}}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: "2"}, annotations: {prometheus.io/scrape: "true"}}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true}
      nodeSelector: {kubernetes.io/os: linux}
      imagePullSecrets: [{name: registry}]
      volumes: [{name: cache, emptyDir: {}}]
      initContainers:
      - {name: migrate, image: "web:2", command: [/web, migrate],
         envFrom: [{secretRef: {name: db}}]}
      containers:
      - name: web
        image: web:2
        args: ["--listen=:8080"]
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: DB, valueFrom: {secretKeyRef: {name: db, key: url}}}
        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}
        volumeMounts: [{name: cache, mountPath: /cache}]
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}
        livenessProbe: {tcpSocket: {port: http}, initialDelaySeconds: 10}
        imagePullPolicy: IfNotPresent
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""

STATEFUL = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, labels: {app: db}}
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: pg
        image: postgres:16
        ports: [{name: pg, containerPort: 5432}]
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: pg, port: 5432, targetPort: pg}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, labels: {app: agent}}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: OnDelete}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      tolerations: [{operator: Exists}]
      containers: [{name: agent, image: "agent:1", ports: [{name: stats, containerPort: 9100}]}]
---
apiVersion: v1
kind: Service
metadata: {name: agent}
spec:
  selector: {app: agent}
  ports: [{name: stats, port: 9100, targetPort: stats}]
"""


def _apps(source: str) -> list[App]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "app.py", "exec"), namespace)
    return [v for v in namespace.values() if isinstance(v, App)]


def _workloads(text: str) -> list[KubeObject]:
    return [
        o
        for o in read_objects([("in.yaml", text)])
        if isinstance(o, KubeObject) and o.pod_spec() is not None
    ]


def _rendered_workloads(imported: Imported) -> dict[str, Any]:
    """What ``render --with-workloads`` of the generated app.py writes, workloads only, by
    kind/name."""
    rendered = render_manifests(
        _apps(imported.source), RenderOptions(lock=imported.lock, with_workloads=True)
    )
    return {
        f"{m['kind']}/{m['metadata']['name']}": m
        for m in rendered.manifests
        if m["kind"] != "Service"
    }


@pytest.mark.parametrize("text", [FULL, STATEFUL], ids=["deployment", "statefulset-daemonset"])
def test_every_field_of_a_selected_workload_is_declared_and_renders_back(text: str) -> None:
    imported = import_manifests([("in.yaml", text)])
    assert imported.kept is None
    assert not [w for w in imported.warnings if w.rule == "import-workload-kept"]
    mine = _rendered_workloads(imported)
    for original in _workloads(text):
        assert canonical_workload(
            mine.pop(f"{original.kind}/{original.name}")
        ) == canonical_workload(original.value)
    assert not mine


def test_the_declaration_is_written_as_a_user_would_write_it() -> None:
    source = import_manifests([("in.yaml", FULL)]).source
    assert 'web_http = Port("http", 8080)' in source
    assert (
        'readiness=Probe("http", web_http, path="/ready", period_seconds=5),' in source
    )  # by reference
    assert (
        'env={"LOG_LEVEL": "info", "DB": {"secretKeyRef": {"name": "db", "key": "url"}}},' in source
    )
    assert "workload=Deployment(" in source and "replicas=3," in source
    assert 'service_account="web",' in source and 'image_pull_secrets=["registry"],' in source
    assert (
        'init_containers=[\n            Container(\n                "migrate",\n        '
        '        image="web:2",\n                command=["/web", "migrate"],\n' in source
    )  # no Service reaches it: declared in place


def test_app_py_never_suggests_a_step_that_loses_data() -> None:
    """The old hint (set workload="Deployment") wrote a Deployment without replicas, env,
    probes..."""
    for text in (
        FULL,
        FULL.replace('labels: {app: web, version: "2"}, annotations: {team', "annotations: {team"),
    ):
        source = import_manifests([("in.yaml", text)]).source
        assert 'workload="Deployment"' not in source and "let svcgen write it" not in source


def test_what_the_dsl_cannot_say_keeps_the_workload_as_yaml_field_by_field() -> None:
    text = FULL.replace(
        "livenessProbe: {tcpSocket: {port: http}", "livenessProbe: {tcpSocket: {port: 9999}"
    )
    imported = import_manifests([("in.yaml", text)])
    [kept] = [w for w in imported.warnings if w.rule == "import-workload-kept"]
    assert (kept.line, kept.subject) == (1, "Deployment/shop/web")
    assert kept.message == (
        "kept as YAML in workloads.yaml, not declared: "
        "spec.template.spec.containers[0].livenessProbe.tcpSocket.port 9999 is no port of the "
        "container"
    )
    assert "workload=" not in imported.source.split('"""', 2)[2] and "Probe(" not in imported.source
    assert (
        "#   spec.template.spec.containers[0].livenessProbe.tcpSocket.port 9999" in imported.source
    )
    assert "render without --with-workloads" in imported.source
    assert imported.kept is not None
    [document] = YAML(typ="safe").load_all(imported.kept)
    assert document == _workloads(text)[0].value  # every field, as it was
    # The Services still come back, from the container ports read off the kept workload.
    rendered = render_manifests(_apps(imported.source), RenderOptions(lock=imported.lock))
    assert [m["kind"] for m in rendered.manifests] == ["Service"]


def test_own_workload_labels_and_probe_ports_by_number_are_declared_and_come_back_exactly() -> None:
    for labels, declared in (
        ("labels: {team: a}", 'labels={"team": "a"},'),
        ("labels: {}", "labels={},"),
    ):
        text = FULL.replace(
            'metadata: {name: web, namespace: shop, labels: {app: web, version: "2"}',
            "metadata: {name: web, namespace: shop, " + labels,
        ).replace(
            "livenessProbe: {tcpSocket: {port: http}", "livenessProbe: {tcpSocket: {port: 8080}"
        )
        assert text != FULL
        imported = import_manifests([("in.yaml", text)])
        assert [w for w in imported.warnings if w.rule == "import-workload-kept"] == []
        assert imported.kept is None
        assert declared in imported.source
        assert 'Probe("tcp", web_http, port_by="number"' in imported.source
        options = RenderOptions(lock=imported.lock, with_workloads=True)
        rendered = render_manifests(_apps(imported.source), options).manifests
        [workload] = [m for m in rendered if m["kind"] == "Deployment"]
        assert canonical_workload(workload) == canonical_workload(_workloads(text)[0].value)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("cpu: 250m", "cpu: 0.25", "a float value (0.25) cannot be written in app.py"),
        ("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes", "image_pull_policy"),
        ('args: ["--listen=:8080"]', 'args: "--listen=:8080"', "args"),
    ],
    ids=["float", "enum", "type"],
)
def test_a_workload_that_would_not_come_back_exactly_is_kept_never_changed(
    old: str, new: str, reason: str
) -> None:
    text = FULL.replace(old, new)
    assert text != FULL
    imported = import_manifests([("in.yaml", text)])
    [kept] = [w for w in imported.warnings if w.rule == "import-workload-kept"]
    assert reason in kept.message
    assert imported.kept is not None and "workload=" not in imported.source.split('"""', 2)[2]


def test_cli_writes_the_kept_workloads_beside_app_py_with_the_same_force_rule(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept.yaml").write_text(
        FULL.replace(
            "livenessProbe: {tcpSocket: {port: http}", "livenessProbe: {tcpSocket: {port: 9999}"
        )
    )
    (tmp_path / "full.yaml").write_text(FULL)
    result = run_cli("import", "kept.yaml", "--dir", "out")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["app.py", "workloads.yaml"]
    assert result.out == ""
    assert result.err == (
        "kept.yaml:1:1: warning: Deployment/shop/web: kept as YAML in workloads.yaml, not "
        "declared: spec.template.spec.containers[0].livenessProbe.tcpSocket.port 9999 is no port "
        "of the container. Fix: apply it with the manifests svcgen renders, rendered without "
        "--with-workloads\nsvcgen: wrote out/app.py\nsvcgen: wrote out/workloads.yaml (the "
        "workloads kept as YAML: apply it with what svcgen renders)\n"
    )
    (tmp_path / "out" / "app.py").unlink()
    again = run_cli("import", "kept.yaml", "--dir", "out")  # app.py is gone, workloads.yaml is not
    assert again.code == 2 and "out/workloads.yaml already exists" in again.err
    forced = run_cli("import", "full.yaml", "--dir", "out", "--force")
    assert forced.code == 0, forced.err
    assert forced.err.endswith(
        "svcgen: removed out/workloads.yaml (--force: an earlier import's workloads, which this "
        "one declares)\nsvcgen: wrote out/app.py\n"
    )
    # Nothing kept now: the earlier workloads.yaml goes, so that the Deployment is not applied
    # twice.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["app.py"]
    rendered = run_cli("render", "out")
    assert rendered.code == 0, rendered.err
    assert "kind: Deployment" in rendered.out and "replicas: 3" in rendered.out


def test_a_second_workload_behind_one_service_is_kept_not_forgotten() -> None:
    web = STATEFUL.split("---\n")[2]  # the DaemonSet "agent", selected by app: agent
    other = web.replace("name: agent, labels", "name: agent-canary, labels")
    imported = import_manifests(
        [("in.yaml", web + "---\n" + other + "---\n" + STATEFUL.split("---\n")[3])]
    )
    [kept] = [w for w in imported.warnings if w.rule == "import-workload-kept"]
    assert (
        kept.subject == "DaemonSet/agent-canary"
        and "together with another workload's" in kept.message
    )
    assert "workload=DaemonSet(" in imported.source
    assert [d["metadata"]["name"] for d in YAML(typ="safe").load_all(imported.kept or "")] == [
        "agent-canary"
    ]


def test_the_service_that_governs_a_statefulset_is_referred_to_by_object() -> None:
    source = import_manifests([("in.yaml", STATEFUL)]).source
    assert 'db_service = Service(\n    "db",\n    headless=True,' in source
    assert (
        "workload=StatefulSet(\n        service=db_service," in source
        and "        db_service,\n" in source
    )


UNNAMED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - {name: setup, image: "setup:1", ports: [{containerPort: 7000}]}
      containers:
      - name: web
        image: web:2
        ports: [{containerPort: 8080}, {containerPort: 53, protocol: UDP}, {containerPort: 53},
                {name: metrics, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {tcpSocket: {port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080},
          {name: dns, port: 53, targetPort: 53, protocol: UDP},
          {name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: web-bare}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def test_unnamed_container_ports_are_declared_without_a_name_and_come_back_exactly() -> None:
    imported = import_manifests([("in.yaml", UNNAMED)])
    assert imported.kept is None and imported.warnings == []
    source = imported.source
    for line in (
        "web_8080 = Port(number=8080)",
        'Port(number=53, protocol="UDP")',
        "Port(number=53),",
        'Port("metrics", 9090),',
        'readiness=Probe("http", web_8080, path="/ready"),',
        'liveness=Probe("tcp", web_8080),',  # by number without port_by: the port has no name
        'web.port(8080).expose(80, name="http"),',
        'web.port(53, "UDP").expose(name="dns"),',
        'web.port("metrics").expose(target_by="name"),',
        "web.port(8080).expose(80),",
        "ports=[Port(number=7000)]",
    ):  # the init container, declared in place
        assert line in source, line
    mine = _rendered_workloads(imported)
    (original,) = _workloads(UNNAMED)
    assert canonical_workload(mine.pop("Deployment/web")) == canonical_workload(original.value)
    rendered = render_manifests(_apps(source), RenderOptions(lock=imported.lock)).manifests
    from svcgen.kube.apiserver import canonical_service

    originals = [
        o
        for o in read_objects([("in.yaml", UNNAMED)])
        if isinstance(o, KubeObject) and o.is_service
    ]
    assert [canonical_service(m) for m in rendered if m["kind"] == "Service"] == [
        canonical_service(o.value) for o in originals
    ]


def test_an_empty_object_comes_back_as_an_empty_object() -> None:
    """``securityContext: {}`` (the container's, an init container's, the pod's) is declared and
    rendered as ``{}``."""
    text = (
        FULL.replace("securityContext: {runAsNonRoot: true}", "securityContext: {}")
        .replace(
            "envFrom: [{secretRef: {name: db}}]}",
            "envFrom: [{secretRef: {name: db}}], securityContext: {}}",
        )
        .replace(
            "imagePullPolicy: IfNotPresent",
            "imagePullPolicy: IfNotPresent\n        securityContext: {}",
        )
    )
    assert text.count("securityContext: {}") == 3
    imported = import_manifests([("in.yaml", text)])
    assert (
        imported.kept is None
        and [w for w in imported.warnings if w.rule == "import-workload-kept"] == []
    )
    (original,) = _workloads(text)
    assert canonical_workload(
        _rendered_workloads(imported)["Deployment/web"]
    ) == canonical_workload(original.value)


def test_the_deprecated_service_account_is_declared_as_service_account() -> None:
    """``serviceAccount`` is the API server's alias of ``serviceAccountName``: the one it keeps, and
    both read back."""
    text = FULL.replace("serviceAccountName: web", "serviceAccount: web")
    imported = import_manifests([("in.yaml", text)])
    assert imported.kept is None and 'service_account="web",' in imported.source
    (original,) = _workloads(text)
    mine = _rendered_workloads(imported)["Deployment/web"]
    assert mine["spec"]["template"]["spec"]["serviceAccountName"] == "web"
    assert canonical_workload(mine) == canonical_workload(original.value)
    both = FULL.replace(
        "serviceAccountName: web", "serviceAccountName: web\n      serviceAccount: web"
    )
    assert import_manifests([("in.yaml", both)]).kept is None  # the same name twice: declared once


def test_a_service_account_alias_that_disagrees_is_kept_with_the_reason() -> None:
    text = FULL.replace(
        "serviceAccountName: web", "serviceAccountName: web\n      serviceAccount: old"
    )
    [kept] = [
        w
        for w in import_manifests([("in.yaml", text)]).warnings
        if w.rule == "import-workload-kept"
    ]
    assert kept.message.endswith(
        "spec.template.spec.serviceAccount ('old') differs from serviceAccountName ('web'), "
        "which the API server keeps"
    )


def test_canonical_workload_reads_the_service_account_alias_as_the_api_server_does() -> None:
    def pod(**spec: str) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "w"},
            "spec": {"template": {"spec": {"containers": [], **spec}}},
        }

    read = {"serviceAccountName": "a", "serviceAccount": "a"}
    assert canonical_workload(pod(serviceAccount="a"))["spec"]["template"]["spec"] == read
    assert (
        canonical_workload(pod(serviceAccountName="a", serviceAccount="b"))["spec"]["template"][
            "spec"
        ]
        == read
    )
    assert canonical_workload(pod())["spec"]["template"]["spec"] == {}


def test_host_ports_are_declared_on_the_port_and_come_back_exactly() -> None:
    text = FULL.replace(
        "ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]",
        "ports: [{name: http, containerPort: 8080, hostPort: 80, hostIP: 10.0.0.1}, "
        "{containerPort: 9090, hostPort: 9090}]",
    ).replace(
        '{name: migrate, image: "web:2",',
        '{name: migrate, image: "web:2", ports: [{containerPort: 7000, hostPort: 7000}],',
    )
    imported = import_manifests([("in.yaml", text)])
    assert (
        imported.kept is None
        and [w for w in imported.warnings if w.rule == "import-workload-kept"] == []
    )
    assert 'web_http = Port("http", 8080, host_port=80, host_ip="10.0.0.1")' in imported.source
    assert "Port(number=9090, host_port=9090)," in imported.source
    assert "ports=[Port(number=7000, host_port=7000)]" in imported.source
    (original,) = _workloads(text)
    assert canonical_workload(
        _rendered_workloads(imported)["Deployment/web"]
    ) == canonical_workload(original.value)


def test_canonical_workload_gives_a_host_network_pods_ports_their_host_port() -> None:
    """``defaultHostNetworkPorts``: on a hostNetwork pod, a port's hostPort is its containerPort
    unless
    given."""

    def pod(network: bool) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "d"},
            "spec": {
                "template": {
                    "spec": {
                        "hostNetwork": network,
                        "containers": [
                            {
                                "name": "c",
                                "ports": [
                                    {"containerPort": 9100},
                                    {"containerPort": 53, "hostPort": 5353},
                                ],
                            }
                        ],
                    }
                }
            },
        }

    def ports(network: bool) -> list[dict[str, Any]]:
        return list(
            canonical_workload(pod(network))["spec"]["template"]["spec"]["containers"][0]["ports"]
        )

    assert ports(True) == [
        {"containerPort": 9100, "protocol": "TCP", "hostPort": 9100},
        {"containerPort": 53, "hostPort": 5353, "protocol": "TCP"},
    ]
    assert ports(False) == [
        {"containerPort": 9100, "protocol": "TCP"},
        {"containerPort": 53, "hostPort": 5353, "protocol": "TCP"},
    ]


def test_the_pod_templates_own_name_is_declared_and_comes_back() -> None:
    text = FULL.replace(
        '    metadata: {labels: {app: web, version: "2"}, annotations',
        '    metadata: {name: web-pod, labels: {app: web, version: "2"}, annotations',
    )
    assert text != FULL
    imported = import_manifests([("in.yaml", text)])
    assert imported.kept is None and 'template_name="web-pod",' in imported.source
    (original,) = _workloads(text)
    mine = _rendered_workloads(imported)["Deployment/web"]
    assert mine["spec"]["template"]["metadata"]["name"] == "web-pod"
    assert canonical_workload(mine) == canonical_workload(original.value)


def test_a_kept_reason_that_holds_a_line_break_stays_one_comment_line() -> None:
    """A value in a reason (here an apiVersion) could end the comment and put code in app.py: it is
    escaped."""
    text = FULL.replace("apiVersion: apps/v1\n", 'apiVersion: "\\nimport os"\n', 1)
    imported = import_manifests([("in.yaml", text)])
    compile(imported.source, "app.py", "exec")
    assert "#   a \\nimport os Deployment: the DSL declares apps/v1 Deployments" in imported.source
    assert "\nimport os" not in imported.source


def test_an_env_var_whose_name_is_not_a_string_is_not_a_crash() -> None:
    """Found by the mutation test (d92b0a6 too): a list as a name is no dict key; the list is kept
    as it
    is."""
    text = FULL.replace("- {name: LOG_LEVEL, value: info}", "- {name: [30000], value: info}")
    imported = import_manifests([("in.yaml", text)])
    [kept] = [w for w in imported.warnings if w.rule == "import-workload-kept"]
    assert kept.message.endswith("env[0].name: Invalid type: expected a string, got [30000]")
    assert imported.kept is not None
