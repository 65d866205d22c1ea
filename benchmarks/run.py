"""svcgen benchmarks, measured side by side in one run.

Prints one line per figure: ``time NAME SECONDS``, ``rate NAME PER_SECOND``, ``ratio NAME VALUE``
(and ``info`` lines), then one ``target NAME VALUE OP LIMIT met|NOT MET`` line per figure of
issue 22's table (``- ... not run`` for a group left out). Beside each ratio timed in-process
with the best of several runs, an ``info cpu_ratio NAME VALUE`` line gives the same ratio of this
process's CPU times, which other processes on the machine disturb less. Run it from a virtual
environment with svcgen installed:

    .venv/bin/pip install -q '.[bench]' && .venv/bin/python benchmarks/run.py [--quick] [--only
    GROUP[,GROUP]]

Groups (``--only``), in the order they run:

- ``cold``: ``svcgen render examples/seed/app.py`` as a whole process through the installed
  console script, against ``python -c "from pydantic import BaseModel; import ruamel.yaml"``,
  ``python -c "import pydantic, ruamel.yaml"``, a program that defines and validates one pydantic
  model (the least a pydantic DSL pays), ``python -c pass``, and a program that builds the seed's
  Service with lightkube's models and prints it with ``lightkube.codecs.dump_all_yaml`` (target:
  ``cold_render_seed_vs_lightkube`` <= 1); ``svcgen lint`` of the seed's output against
  ``python -c "import ruamel.yaml"`` (alternated runs, medians).
- ``render``: generated projects of 1,000 and 10,000 Services (two named ports each, one in
  four a NodePort Service), ``svcgen render PROJECT -o OUT`` in-process (running the project file,
  checks, nodePorts allocated into a new lock file, YAML and lock written), against the floor
  of dumping the same manifests as plain dicts with ruamel.yaml's fastest dumper
  (``YAML(typ="safe")``, C-backed with ruamel.yaml.clib) and with PyYAML's C dumper
  (``CSafeDumper``, libyaml), and against two peers building the same Services: the official
  ``kubernetes`` client models dumped with PyYAML, and lightkube's models dumped with its codec
  (``[bench]`` extra).
- ``workloads``: 10,000 Services each with a full Deployment (env, envFrom, resources, probes,
  volumes and their mounts, security contexts, a service account, a strategy): ``svcgen render``
  in-process as above, against the same Services and Deployments built as kubernetes client
  models, turned into dicts with ``ApiClient().sanitize_for_serialization`` and written with
  PyYAML's C dumper (``yaml.dump_all(..., Dumper=yaml.CSafeDumper)``: what a speed-minded user
  writes), and as lightkube models written both with ``lightkube.codecs.dump_all_yaml`` (PyYAML's
  pure-Python safe dumper) and as ``to_dict()`` + ``CSafeDumper``; the faster lightkube way is
  ``lightkube_vs_svcgen_workloads_10000``. Every program writes its YAML to a file (2,000 with
  ``--quick``). Alternated, best of two; the codec way, three times svcgen's time, runs once
  (target: ``client_c_dumper_vs_svcgen_workloads_10000`` >= 2).
- ``peak_rss``: peak RSS (VmHWM of /proc/self/status) of a fresh Python process that does only one
  job: the 10,000-Service render; the workload project rendered by svcgen, written by the client +
  C dumper and by lightkube both ways (2,000 with ``--quick``, which skips the first). The target
  ``peak_rss_svcgen_vs_lightkube_workloads`` <= 1 is against the leaner lightkube way.
- ``allocation``: nodePort allocation for 675, 1,350 and 2,700 ports (a nearly full default range).
- ``lint``: lint of 10,000 documents: Services, Deployments with probes, and the Ingresses,
  HTTPRoutes, ServiceMonitors, PodMonitors and NetworkPolicies that use their ports (every
  cross-file check runs), against only parsing the same YAML with ruamel.yaml's C-based safe loader.
- ``library``: a build script that declares 10,000 Services with the public DSL and calls
  ``svcgen.render(apps, RenderOptions(node_port_range=...))`` (the YAML as a string), timed from the
  first
  declaration with the collector as a library user has it (no pause the caller adds), against
  PyYAML's C dump (``CSafeDumper``) of the same manifests as plain dicts built beforehand (the
  floor the issue names). Alternated, best of three; an ``info`` line gives the same script with
  the caller pausing the collector (target: ``library_render_10000_vs_pyyaml_c_dump`` <= 1).
- ``lint_scaling``: lint (in-process ``lint_texts``) of the lint corpus whose every label set
  also carries ``app.kubernetes.io/part-of: shop`` (so every Service's selector shares a label with
  every Deployment), 250 and 1,000 apps (100 and 400 with ``--quick``), best of two (target:
  ``lint_shared_selector_4x_vs_1x`` <= 5).
- ``import_scaling``: ``svcgen import FILE --dir NEW`` in-process (a new folder each time) of the
  lint corpus's Services and Deployments, 400 and 800 of each (150 and 300 with ``--quick``), best
  of three (target ``import_2x_vs_1x`` <= 2.5).
- ``explain_scaling``: ``svcgen explain PROJECT --format svg`` in-process of the workload project,
  2,000 and 4,000 Services (500 and 1,000 with ``--quick``), best of two (target:
  ``explain_svg_2x_vs_1x`` <= 2.5).
- ``lint_rss``: ``svcgen lint FILE`` in a fresh process of a generated lint corpus of about 20 MB
  (5 MB with ``--quick``): peak RSS / file size, the total as the issue measured it (the headline,
  target ``lint_peak_rss_vs_input_size`` <= 10) and the part above the peak RSS of ``svcgen
  --version`` run the same way (the interpreter and svcgen's imports).

Scaling sizes are chosen so that 1x takes at least ~0.3 s (the full sizes; on d92b0a6, 4x lint
takes about 20 s); ``info`` lines give them. Timings are
the best of several runs, the things compared alternating: these 2-core machines are noisy.
``--quick`` (about two minutes) uses smaller sizes and fewer repeats, where the quadratic paths
show less; the ratios that carry a size in their names say which.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NODE_PORT_EVERY = 4

TARGETS = {  # issue 22's table: figure -> (comparison, limit), in the table's order
    "client_c_dumper_vs_svcgen_workloads": (">=", 2.0),
    "peak_rss_svcgen_vs_lightkube_workloads": ("<=", 1.0),
    "library_render_vs_pyyaml_c_dump": ("<=", 1.0),
    "lint_shared_selector_4x_vs_1x": ("<=", 5.0),
    "import_2x_vs_1x": ("<=", 2.5),
    "explain_svg_2x_vs_1x": ("<=", 2.5),
    "lint_peak_rss_vs_input_size": ("<=", 10.0),
    "cold_render_seed_vs_lightkube": ("<=", 1.0),
}
MEASURED: dict[str, tuple[str, float]] = {}  # figure -> (the ratio's printed name, its value)


def _ratio(name: str, value: float, figure: str | None = None) -> None:
    """Print ``ratio NAME VALUE``; ``figure``: the TARGETS entry it measures.

    ``figure`` is separate because names may carry a size.
    """
    print(f"ratio {name} {value:.2f}", flush=True)
    if figure is not None:
        MEASURED[figure] = (name, value)


def print_targets() -> None:
    for figure, (op, limit) in TARGETS.items():
        if figure not in MEASURED:
            print(f"target {figure} - {op} {limit:g} not run")
            continue
        name, value = MEASURED[figure]
        met = value >= limit if op == ">=" else value <= limit
        print(f"target {name} {value:.2f} {op} {limit:g} {'met' if met else 'NOT MET'}")


# As installed by pip, a package has its bytecode compiled; an editable install writes it on first
# run, unless PYTHONDONTWRITEBYTECODE is set (it is on these machines): then every cold start would
# compile svcgen's sources again, which no user pays. The warm-up run writes the bytecode.
_COLD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=_COLD_ENV,
    )
    return time.perf_counter() - start


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# The seed's Service (examples/seed/expected.yaml), built with lightkube's models and printed with
# its codec.
LIGHTKUBE_SEED = """\
import sys
from lightkube.codecs import dump_all_yaml
from lightkube.models.core_v1 import ServicePort, ServiceSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Service
dump_all_yaml([Service(metadata=ObjectMeta(name="my-service"), spec=ServiceSpec(
    type="NodePort", selector={"app": "MyApp"},
    ports=[ServicePort(name="http", protocol="TCP", port=8080, targetPort=5000, nodePort=30000),
           ServicePort(name="metrics", protocol="TCP", port=8081, targetPort=6000,
                       nodePort=31000)]))], sys.stdout)
"""
_ONE_MODEL = (
    "from pydantic import BaseModel\nimport ruamel.yaml\nclass A(BaseModel):\n    a: int\nA(a=1)"
)


def cold_start(runs: int) -> None:
    svcgen = BIN / ("svcgen.exe" if os.name == "nt" else "svcgen")
    if not svcgen.exists():
        sys.exit(f"{svcgen} not found: install svcgen into this environment first (pip install .)")
    commands = {
        "svcgen_render_seed": [str(svcgen), "render", "examples/seed/app.py"],
        "floor_basemodel_ruamel": [
            sys.executable,
            "-c",
            "from pydantic import BaseModel; import ruamel.yaml",
        ],
        "floor_import_pydantic_ruamel": [sys.executable, "-c", "import pydantic, ruamel.yaml"],
        # What any program that defines and validates one pydantic model pays on top of the imports
        # (pydantic's field machinery, its plugin discovery through importlib.metadata, one schema).
        "floor_one_model_ruamel": [sys.executable, "-c", _ONE_MODEL],
        "svcgen_lint_seed": [str(svcgen), "lint", "examples/seed/expected.yaml"],
        "floor_import_ruamel": [sys.executable, "-c", "import ruamel.yaml"],
        "python_pass": [sys.executable, "-c", "pass"],
    }
    if _installed("lightkube"):
        commands["lightkube_seed"] = [sys.executable, "-c", LIGHTKUBE_SEED]
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the OS caches once
        _time(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(_time(cmd))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, value in medians.items():
        print(f"time cold_{name} {value:.4f}")
    render = medians["svcgen_render_seed"]
    print(
        "ratio cold_render_vs_basemodel_ruamel_floor "
        f"{render / medians['floor_basemodel_ruamel']:.2f}"
    )
    print(
        "ratio cold_render_vs_import_pydantic_ruamel "
        f"{render / medians['floor_import_pydantic_ruamel']:.2f}"
    )
    print(f"ratio cold_render_vs_python_pass {render / medians['python_pass']:.2f}")
    print(
        f"ratio cold_one_model_floor_vs_basemodel_ruamel_floor "
        f"{medians['floor_one_model_ruamel'] / medians['floor_basemodel_ruamel']:.2f}"
    )
    print(f"ratio cold_render_vs_one_model_floor {render / medians['floor_one_model_ruamel']:.2f}")
    print(
        "ratio cold_lint_vs_import_ruamel "
        f"{medians['svcgen_lint_seed'] / medians['floor_import_ruamel']:.2f}"
    )
    if "lightkube_seed" in medians:
        _ratio(
            "cold_render_seed_vs_lightkube",
            render / medians["lightkube_seed"],
            "cold_render_seed_vs_lightkube",
        )
    else:
        print("info lightkube_not_installed (pip install '.[bench]')")


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def project(services: int, ports: int = 2, node_port_every: int = NODE_PORT_EVERY) -> list[Any]:
    """Apps of one Service each: ``ports`` named ports; every ``node_port_every``-th is NodePort."""
    from svcgen import App, Container, Port, Service

    apps = []
    for i in range(services):
        container = Container("app", ports=[Port(f"p{j}", 8000 + j) for j in range(ports)])
        kind = "NodePort" if i % node_port_every == 0 else "ClusterIP"
        apps.append(
            App(
                f"svc{i}",
                namespace=f"ns{i % 10}",
                labels={"app": f"svc{i}"},
                containers=[container],
                services=[
                    Service(
                        f"svc{i}",
                        type=kind,  # type: ignore[arg-type]
                        ports=[container.port(f"p{j}").expose() for j in range(ports)],
                    )
                ],
            )
        )
    return apps


WIDE_RANGE = (
    30000,
    39999,
)  # 10,000 Services need 5,000 nodePorts: more than the default range holds


PROJECT_SOURCE = """\
from svcgen.render import RenderOptions
from svcgen import App, Container, Port, Service

apps = []
for i in range({services}):
    container = Container("app", ports=[Port("p0", 8000), Port("p1", 8001)])
    apps.append(App(
        f"svc{{i}}", namespace=f"ns{{i % 10}}", labels={{"app": f"svc{{i}}"}},
        containers=[container],
        services=[Service(f"svc{{i}}", type="NodePort" if i % {every} == 0 else "ClusterIP",
                          ports=[container.port("p0").expose(), container.port("p1").expose()])]))
"""


WORKLOAD_SOURCE = """\
from svcgen import App, Container, Deployment, Pod, Port, Probe, Service

apps = []
for i in range({services}):
    http, metrics = Port("http", 8080), Port("metrics", 9090)
    container = Container(
        "app", image=f"registry.example.com/app{{i}}:1.{{i % 7}}", ports=[http, metrics],
        args=["--listen=:8080", f"--name=app{{i}}"],
        env={{"LOG_LEVEL": "info", "APP_ID": str(i),
             "DATABASE_URL": {{"secretKeyRef": {{"name": f"db{{i}}", "key": "url"}}}}}},
        env_from=[{{"configMapRef": {{"name": f"app{{i}}-config"}}}}],
        resources={{"requests": {{"cpu": "250m", "memory": "256Mi"}},
                   "limits": {{"cpu": "1", "memory": "512Mi"}}}},
        volume_mounts=[{{"name": "cache", "mountPath": "/var/cache/app"}},
                       {{"name": "config", "mountPath": "/etc/app", "readOnly": True}}],
        security_context={{"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True}},
        readiness=Probe.http(http, "/ready", period_seconds=5),
        liveness=Probe.http(http, "/healthz", initial_delay_seconds=10),
        image_pull_policy="IfNotPresent")
    apps.append(App(
        f"svc{{i}}", namespace=f"ns{{i % 10}}", labels={{"app": f"svc{{i}}"}},
        containers=[container],
        workload=Deployment(replicas=2 + i % 3, strategy={{"type": "RollingUpdate"}},
                            revision_history_limit=5),
        pod=Pod(service_account=f"app{{i}}",
                security_context={{"runAsNonRoot": True, "runAsUser": 10001}},
                volumes=[{{"name": "cache", "emptyDir": {{}}}},
                         {{"name": "config", "configMap": {{"name": f"app{{i}}-config"}}}}],
                termination_grace_period_seconds=30),
        services=[Service(f"svc{{i}}", type="NodePort" if i % {every} == 0 else "ClusterIP",
                          ports=[container.port("http").expose(80),
                                 container.port("metrics").expose()])]))
"""


def _render_cli(services: int, tmp: str, workloads: bool = False) -> float:
    """Seconds of ``svcgen render PROJECT -o OUT`` in-process, for a generated project in ``tmp``.

    ``workloads``: each App also declares a full Deployment (env, resources, probes, volumes...).
    """
    from svcgen.cli import main

    app = Path(tmp) / "project.py"
    source = WORKLOAD_SOURCE if workloads else PROJECT_SOURCE
    app.write_text(source.format(services=services, every=NODE_PORT_EVERY))
    args = [
        "render",
        str(app),
        "--node-port-range",
        f"{WIDE_RANGE[0]}-{WIDE_RANGE[1]}",
        "-o",
        str(Path(tmp) / "out.yaml"),
        "--lock",
        str(Path(tmp) / "svcgen.lock"),
    ]
    # Messages go where a terminal's would (nowhere kept): a StringIO would hold the 5,000 lines of
    # the lock note in this process, about 1 MB the real command never holds.
    with open(os.devnull, "w") as sink:
        start = time.perf_counter()
        code = main(args, out=sink, err=sink)
        took = time.perf_counter() - start
    assert code == 0
    return took


def _svcgen_render(services: int) -> tuple[float, float, list[dict[str, Any]]]:
    """(total, of which running the project file) seconds of an in-process render.

    The render is ``svcgen render PROJECT -o OUT``. The project is a generated Python file; the
    render allocates its nodePorts into a new lock file and writes the YAML to a file: everything
    the command does but starting Python.
    """
    import tempfile

    from svcgen.dsl.loader import load_apps

    with tempfile.TemporaryDirectory() as tmp:
        total = _render_cli(services, tmp)
        start = time.perf_counter()
        apps = load_apps([str(Path(tmp) / "project.py")])
        declaring = time.perf_counter() - start
        from svcgen import NodePortRange
        from svcgen.render import RenderOptions, render_manifests

        manifests = render_manifests(
            apps, RenderOptions(node_port_range=NodePortRange(*WIDE_RANGE))
        ).manifests
    return total, declaring, manifests


def _floor_dump(manifests: list[dict[str, Any]]) -> float:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    start = time.perf_counter()
    yaml.dump_all(manifests, io.StringIO())
    return time.perf_counter() - start


def _pyyaml_c_floor(manifests: list[dict[str, Any]]) -> float | None:
    """PyYAML's C dumper (libyaml) on the same manifests: the fastest dump there is.

    It is a floor, not a dependency.
    """
    try:
        import yaml as pyyaml
    except ImportError:
        return None
    if not pyyaml.__with_libyaml__:
        return None
    start = time.perf_counter()
    pyyaml.dump_all(
        manifests,
        io.StringIO(),
        Dumper=pyyaml.CSafeDumper,
        default_flow_style=False,
        sort_keys=False,
    )
    return time.perf_counter() - start


def _lightkube(services: int) -> float | None:
    """The same Services as lightkube models, dumped with lightkube's codec (a second peer)."""
    try:
        from lightkube.codecs import dump_all_yaml
        from lightkube.models.core_v1 import ServicePort, ServiceSpec
        from lightkube.models.meta_v1 import ObjectMeta
        from lightkube.resources.core_v1 import Service as LightService
    except ImportError:
        return None
    start = time.perf_counter()
    objects = []
    for i in range(services):
        kind = "NodePort" if i % NODE_PORT_EVERY == 0 else "ClusterIP"
        objects.append(
            LightService(
                metadata=ObjectMeta(name=f"svc{i}", namespace=f"ns{i % 10}"),
                spec=ServiceSpec(
                    type=kind,
                    selector={"app": f"svc{i}"},
                    ports=[
                        ServicePort(
                            name=f"p{j}",
                            protocol="TCP",
                            port=8000 + j,
                            targetPort=8000 + j,
                            nodePort=(30000 + (i // NODE_PORT_EVERY) * 2 + j)
                            if kind == "NodePort"
                            else None,
                        )
                        for j in range(2)
                    ],
                ),
            )
        )
    dump_all_yaml(objects, io.StringIO())
    return time.perf_counter() - start


def _kubernetes_client(services: int) -> float | None:
    try:
        import yaml as pyyaml
        from kubernetes import client
    except ImportError:
        return None
    start = time.perf_counter()
    api = client.ApiClient()
    objects = []
    for i in range(services):
        kind = "NodePort" if i % NODE_PORT_EVERY == 0 else "ClusterIP"
        objects.append(
            client.V1Service(
                api_version="v1",
                kind="Service",
                metadata=client.V1ObjectMeta(name=f"svc{i}", namespace=f"ns{i % 10}"),
                spec=client.V1ServiceSpec(
                    type=kind,
                    selector={"app": f"svc{i}"},
                    ports=[
                        client.V1ServicePort(
                            name=f"p{j}",
                            protocol="TCP",
                            port=8000 + j,
                            target_port=8000 + j,
                            node_port=(30000 + (i // NODE_PORT_EVERY) * 2 + j)
                            if kind == "NodePort"
                            else None,
                        )
                        for j in range(2)
                    ],
                ),
            )
        )
    pyyaml.dump_all([api.sanitize_for_serialization(o) for o in objects], io.StringIO())
    return time.perf_counter() - start


def _node_port(i: int, j: int) -> int | None:
    """The nodePort svcgen allocates for port ``j`` of the ``i``-th Service.

    That is with WIDE_RANGE and a new lock.
    """
    return WIDE_RANGE[0] + (i // NODE_PORT_EVERY) * 2 + j if i % NODE_PORT_EVERY == 0 else None


def _client_app(k: Any, i: int) -> list[Any]:
    """The ``i``-th App of WORKLOAD_SOURCE as kubernetes client models: its Service, Deployment."""
    name, namespace = f"svc{i}", f"ns{i % 10}"
    service = k.V1Service(
        api_version="v1",
        kind="Service",
        metadata=k.V1ObjectMeta(name=name, namespace=namespace),
        spec=k.V1ServiceSpec(
            type="ClusterIP" if _node_port(i, 0) is None else "NodePort",
            selector={"app": name},
            ports=[
                k.V1ServicePort(
                    name=port,
                    protocol="TCP",
                    port=number,
                    target_port=port,
                    node_port=_node_port(i, j),
                )
                for j, (port, number) in enumerate((("http", 80), ("metrics", 9090)))
            ],
        ),
    )
    container = k.V1Container(
        name="app",
        image=f"registry.example.com/app{i}:1.{i % 7}",
        args=["--listen=:8080", f"--name=app{i}"],
        ports=[
            k.V1ContainerPort(name="http", container_port=8080, protocol="TCP"),
            k.V1ContainerPort(name="metrics", container_port=9090, protocol="TCP"),
        ],
        env_from=[k.V1EnvFromSource(config_map_ref=k.V1ConfigMapEnvSource(name=f"app{i}-config"))],
        env=[
            k.V1EnvVar(name="LOG_LEVEL", value="info"),
            k.V1EnvVar(name="APP_ID", value=str(i)),
            k.V1EnvVar(
                name="DATABASE_URL",
                value_from=k.V1EnvVarSource(
                    secret_key_ref=k.V1SecretKeySelector(name=f"db{i}", key="url")
                ),
            ),
        ],
        resources=k.V1ResourceRequirements(
            requests={"cpu": "250m", "memory": "256Mi"}, limits={"cpu": "1", "memory": "512Mi"}
        ),
        volume_mounts=[
            k.V1VolumeMount(name="cache", mount_path="/var/cache/app"),
            k.V1VolumeMount(name="config", mount_path="/etc/app", read_only=True),
        ],
        liveness_probe=k.V1Probe(
            http_get=k.V1HTTPGetAction(path="/healthz", port="http"), initial_delay_seconds=10
        ),
        readiness_probe=k.V1Probe(
            http_get=k.V1HTTPGetAction(path="/ready", port="http"), period_seconds=5
        ),
        image_pull_policy="IfNotPresent",
        security_context=k.V1SecurityContext(
            allow_privilege_escalation=False, read_only_root_filesystem=True
        ),
    )
    pod = k.V1PodSpec(
        volumes=[
            k.V1Volume(name="cache", empty_dir=k.V1EmptyDirVolumeSource()),
            k.V1Volume(name="config", config_map=k.V1ConfigMapVolumeSource(name=f"app{i}-config")),
        ],
        containers=[container],
        termination_grace_period_seconds=30,
        service_account_name=f"app{i}",
        security_context=k.V1PodSecurityContext(run_as_non_root=True, run_as_user=10001),
    )
    deployment = k.V1Deployment(
        api_version="apps/v1",
        kind="Deployment",
        metadata=k.V1ObjectMeta(name=name, namespace=namespace, labels={"app": name}),
        spec=k.V1DeploymentSpec(
            replicas=2 + i % 3,
            selector=k.V1LabelSelector(match_labels={"app": name}),
            template=k.V1PodTemplateSpec(metadata=k.V1ObjectMeta(labels={"app": name}), spec=pod),
            strategy=k.V1DeploymentStrategy(type="RollingUpdate"),
            revision_history_limit=5,
        ),
    )
    return [service, deployment]


def _lightkube_app(i: int) -> list[Any]:
    """The ``i``-th App of WORKLOAD_SOURCE as lightkube resources: its Service and Deployment."""
    from lightkube.models import apps_v1, core_v1
    from lightkube.models.meta_v1 import LabelSelector, ObjectMeta
    from lightkube.resources.apps_v1 import Deployment
    from lightkube.resources.core_v1 import Service

    name, namespace = f"svc{i}", f"ns{i % 10}"
    service = Service(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=core_v1.ServiceSpec(
            type="ClusterIP" if _node_port(i, 0) is None else "NodePort",
            selector={"app": name},
            ports=[
                core_v1.ServicePort(
                    name=port,
                    protocol="TCP",
                    port=number,
                    targetPort=port,
                    nodePort=_node_port(i, j),
                )
                for j, (port, number) in enumerate((("http", 80), ("metrics", 9090)))
            ],
        ),
    )
    container = core_v1.Container(
        name="app",
        image=f"registry.example.com/app{i}:1.{i % 7}",
        args=["--listen=:8080", f"--name=app{i}"],
        ports=[
            core_v1.ContainerPort(name="http", containerPort=8080, protocol="TCP"),
            core_v1.ContainerPort(name="metrics", containerPort=9090, protocol="TCP"),
        ],
        envFrom=[
            core_v1.EnvFromSource(configMapRef=core_v1.ConfigMapEnvSource(name=f"app{i}-config"))
        ],
        env=[
            core_v1.EnvVar(name="LOG_LEVEL", value="info"),
            core_v1.EnvVar(name="APP_ID", value=str(i)),
            core_v1.EnvVar(
                name="DATABASE_URL",
                valueFrom=core_v1.EnvVarSource(
                    secretKeyRef=core_v1.SecretKeySelector(name=f"db{i}", key="url")
                ),
            ),
        ],
        resources=core_v1.ResourceRequirements(
            requests={"cpu": "250m", "memory": "256Mi"}, limits={"cpu": "1", "memory": "512Mi"}
        ),
        volumeMounts=[
            core_v1.VolumeMount(name="cache", mountPath="/var/cache/app"),
            core_v1.VolumeMount(name="config", mountPath="/etc/app", readOnly=True),
        ],
        livenessProbe=core_v1.Probe(
            httpGet=core_v1.HTTPGetAction(path="/healthz", port="http"), initialDelaySeconds=10
        ),
        readinessProbe=core_v1.Probe(
            httpGet=core_v1.HTTPGetAction(path="/ready", port="http"), periodSeconds=5
        ),
        imagePullPolicy="IfNotPresent",
        securityContext=core_v1.SecurityContext(
            allowPrivilegeEscalation=False, readOnlyRootFilesystem=True
        ),
    )
    pod = core_v1.PodSpec(
        volumes=[
            core_v1.Volume(name="cache", emptyDir=core_v1.EmptyDirVolumeSource()),
            core_v1.Volume(
                name="config", configMap=core_v1.ConfigMapVolumeSource(name=f"app{i}-config")
            ),
        ],
        containers=[container],
        terminationGracePeriodSeconds=30,
        serviceAccountName=f"app{i}",
        securityContext=core_v1.PodSecurityContext(runAsNonRoot=True, runAsUser=10001),
    )
    deployment = Deployment(
        metadata=ObjectMeta(name=name, namespace=namespace, labels={"app": name}),
        spec=apps_v1.DeploymentSpec(
            replicas=2 + i % 3,
            selector=LabelSelector(matchLabels={"app": name}),
            template=core_v1.PodTemplateSpec(metadata=ObjectMeta(labels={"app": name}), spec=pod),
            strategy=apps_v1.DeploymentStrategy(type="RollingUpdate"),
            revisionHistoryLimit=5,
        ),
    )
    return [service, deployment]


def client_c_dumper(services: int, path: str) -> None:
    """The workload project with the kubernetes client, dumped by PyYAML's C dumper to ``path``."""
    import yaml
    from kubernetes import client

    api = client.ApiClient()
    docs = [
        api.sanitize_for_serialization(obj)  # type: ignore[no-untyped-call]
        for i in range(services)
        for obj in _client_app(client, i)
    ]
    with open(path, "w") as out:
        yaml.dump_all(docs, out, Dumper=yaml.CSafeDumper)


def lightkube_codec(services: int, path: str) -> None:
    """The workload project with lightkube, written with its codec.

    The codec is PyYAML's pure-Python safe dumper.
    """
    from lightkube.codecs import dump_all_yaml

    with open(path, "w") as out:
        dump_all_yaml([obj for i in range(services) for obj in _lightkube_app(i)], out)


def lightkube_c_dumper(services: int, path: str) -> None:
    """The workload project with lightkube, its ``to_dict()`` dumped with PyYAML's C dumper."""
    import yaml

    with open(path, "w") as out:
        yaml.dump_all(
            [obj.to_dict() for i in range(services) for obj in _lightkube_app(i)],
            out,
            Dumper=yaml.CSafeDumper,
        )


WORKLOAD_PEERS = {
    "client_c_dumper": client_c_dumper,
    "lightkube_codec": lightkube_codec,
    "lightkube_c_dumper": lightkube_c_dumper,
}
"""The peers of the workload figures: each writes WORKLOAD_SOURCE's Services and Deployments to a
file."""


Timing = tuple[float, float]
"""(wall-clock seconds, CPU seconds of this process): the CPU time is steadier on a shared
machine."""


def _seconds(fn: Callable[[], object]) -> Timing:
    import gc

    gc.collect()  # each run starts from the same heap, whatever ran before
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def _fastest(runs: list[Timing]) -> Timing:
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


def _compare(name: str, numerator: Timing, denominator: Timing, figure: str | None = None) -> None:
    """``ratio NAME`` of the wall-clock times, and an ``info cpu_ratio NAME`` line of CPU times."""
    _ratio(name, numerator[0] / denominator[0], figure)
    print(f"info cpu_ratio {name} {numerator[1] / denominator[1]:.2f}")


def _workload_render(services: int) -> float:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:  # a new lock file each time
        return _render_cli(services, tmp, workloads=True)


def workloads(services: int, repeat: int) -> None:
    """svcgen's render of the workload project against the peers writing the same objects.

    The programs alternate; each one's best time counts.
    """
    import tempfile

    if not all(_installed(module) for module in ("kubernetes", "lightkube", "yaml")):
        print("info peers_not_installed (pip install '.[bench]')")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "peer.yaml")
        _workload_render(100)  # warm up: imports, caches
        for write in WORKLOAD_PEERS.values():
            write(100, out)
        runs: dict[str, list[Timing]] = {name: [] for name in ("svcgen", *WORKLOAD_PEERS)}
        for again in range(repeat):
            runs["svcgen"].append(_seconds(lambda: _workload_render(services)))
            for name, write in WORKLOAD_PEERS.items():
                if again and name == "lightkube_codec":  # the longest (3x svcgen's): once tells
                    continue
                runs[name].append(_seconds(lambda write=write: write(services, out)))  # type: ignore[misc]
    best = {name: _fastest(values) for name, values in runs.items()}
    suffix = f"workloads_{services}"
    print(f"time render_{services}_services_and_deployments {best['svcgen'][0]:.4f}")
    for name in WORKLOAD_PEERS:
        print(f"time {name}_{services}_services_and_deployments {best[name][0]:.4f}")
        _compare(
            f"{name}_vs_svcgen_{suffix}",
            best[name],
            best["svcgen"],
            "client_c_dumper_vs_svcgen_workloads" if name == "client_c_dumper" else None,
        )
    fastest = min(("lightkube_codec", "lightkube_c_dumper"), key=best.__getitem__)
    print(f"info lightkube_fastest_way {fastest}")
    _compare(f"lightkube_vs_svcgen_{suffix}", best[fastest], best["svcgen"])


def render_throughput(sizes: tuple[int, ...], repeat: int = 3) -> None:
    """Each figure is the best of ``repeat`` runs; svcgen, the floor and the client alternate."""
    _svcgen_render(100)  # warm up (imports, caches), so that the sizes compare like with like
    totals: dict[int, float] = {}
    for services in sizes:
        runs: dict[str, list[float]] = {
            "total": [],
            "declaring": [],
            "floor": [],
            "pyyaml_c": [],
            "k8s": [],
            "lightkube": [],
        }
        for _ in range(repeat):
            total, declaring, manifests = _svcgen_render(services)
            runs["total"].append(total)
            runs["declaring"].append(declaring)
            runs["floor"].append(_floor_dump(manifests))
            for name, took in (
                ("pyyaml_c", _pyyaml_c_floor(manifests)),
                ("k8s", _kubernetes_client(services)),
                ("lightkube", _lightkube(services)),
            ):
                if took is not None:
                    runs[name].append(took)
        total, declaring, floor = min(runs["total"]), min(runs["declaring"]), min(runs["floor"])
        totals[services] = total
        print(f"time render_{services}_services_end_to_end {total:.4f}")
        print(f"time render_{services}_services_running_the_project_file {declaring:.4f}")
        print(f"time floor_ruamel_safe_dump_{services}_manifests {floor:.4f}")
        print(f"rate render_{services}_services_per_second {services / total:.0f}")
        print(f"ratio render_{services}_vs_ruamel_floor {total / floor:.2f}")
        if runs["pyyaml_c"]:
            pyyaml_c = min(runs["pyyaml_c"])
            print(f"time floor_pyyaml_c_dump_{services}_manifests {pyyaml_c:.4f}")
            print(f"ratio render_{services}_vs_pyyaml_c_floor {total / pyyaml_c:.2f}")
        peers = {name: min(runs[name]) for name in ("k8s", "lightkube") if runs[name]}
        if not peers:
            print("info peers_not_installed (pip install '.[bench]')")
        for name, took in peers.items():
            label = {"k8s": "kubernetes_client", "lightkube": "lightkube"}[name]
            print(f"time {label}_{services}_services {took:.4f}")
            print(f"ratio {label}_vs_render_{services} {took / total:.2f}")
        if peers:
            print(f"ratio fastest_peer_vs_render_{services} {min(peers.values()) / total:.2f}")
    if len(totals) == 2:
        small, large = sorted(totals)
        print(f"ratio render_{large}_vs_{small} {totals[large] / totals[small]:.2f}")


def _peak_rss_kib(statement: str) -> int:
    """Peak RSS of a fresh Python process that imports this module and runs ``statement``.

    ``tmp``: a scratch folder. VmHWM of /proc/self/status where there is one. Not ``ru_maxrss``
    (nor RUSAGE_CHILDREN): Linux carries it across fork and exec, so the child would report this
    (large) benchmark process's size when it was forked.
    """
    code = (
        "import resource, sys, tempfile\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "import run\nwith tempfile.TemporaryDirectory() as tmp:\n"
        f"    {statement}\n"
        "try:\n    status = open('/proc/self/status').read()\n    "
        "print(int(status.split('VmHWM:')[1].split()[0]))\nexcept OSError:\n    "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return int(out.stdout.strip().splitlines()[-1])


def peak_rss(services: int, workloads: bool = False) -> int:
    """The render's peak RSS in KiB, in a fresh process (printed in MB).

    ``workloads``: with a full Deployment per App (so as many Deployments as Services).
    """
    kib = _peak_rss_kib(f"run._render_cli({services}, tmp, workloads={workloads})")
    what = f"{services}_services_and_deployments" if workloads else f"{services}_services"
    print(f"info peak_rss_render_{what}_mb {kib / 1024:.0f}", flush=True)
    return kib


def workloads_peak_rss(services: int) -> None:
    """Peak RSS of the workload project, each program in a fresh process.

    The programs are svcgen's render and each peer.
    """
    svcgen = peak_rss(services, workloads=True)
    if not all(_installed(module) for module in ("kubernetes", "lightkube", "yaml")):
        print("info peers_not_installed (pip install '.[bench]')")
        return
    peers = {
        name: _peak_rss_kib(f"run.{name}({services}, tmp + '/out.yaml')") for name in WORKLOAD_PEERS
    }
    for name, kib in peers.items():
        print(f"info peak_rss_{name}_{services}_services_and_deployments_mb {kib / 1024:.0f}")
    for name, kib in peers.items():
        _ratio(f"peak_rss_svcgen_vs_{name}_workloads", svcgen / kib)
    leanest = min(("lightkube_codec", "lightkube_c_dumper"), key=peers.__getitem__)
    print(f"info peak_rss_lightkube_leanest_way {leanest}")  # the harder of the two to beat
    _ratio(
        "peak_rss_svcgen_vs_lightkube_workloads",
        svcgen / peers[leanest],
        "peak_rss_svcgen_vs_lightkube_workloads",
    )


def allocation(repeat: int) -> None:
    """Allocation alone, as render runs it (with the cyclic GC paused), best of ``repeat``."""
    from svcgen.dsl.nodeport_requests import node_port_requests
    from svcgen.gcpause import paused_gc
    from svcgen.nodeports.allocate import allocate_node_ports

    def allocate(apps: list[Any], lock: Any = None) -> Any:
        with paused_gc():
            return allocate_node_ports(node_port_requests(apps), lock)

    times = {}
    for ports in (675, 1350, 2700):
        apps = project(ports, ports=1, node_port_every=1)
        times[ports] = _best(lambda apps=apps: allocate(apps), repeat)
        print(f"time allocate_{ports}_ports_empty_lock {times[ports]:.4f}")
        lock = allocate(apps).lock
        relock = _best(lambda apps=apps, lock=lock: allocate(apps, lock), repeat)
        print(f"time allocate_{ports}_ports_from_lock {relock:.4f}")
    print(f"rate allocate_ports_per_second {2700 / times[2700]:.0f}")
    print(f"ratio allocate_2700_vs_1350 {times[2700] / times[1350]:.2f}")
    print(f"ratio allocate_1350_vs_675 {times[1350] / times[675]:.2f}")


DEFAULT_NODE_PORTS = 2768  # 30000-32767


def lint_corpus(documents: int, shared_label: bool = False) -> list[dict[str, Any]]:
    """``documents`` valid objects, seven per app: a Service, a Deployment with probes, and the five
    consumers of its ports (Ingress, HTTPRoute, ServiceMonitor, PodMonitor, NetworkPolicy).

    The first 2,768 Services are NodePort Services (one nodePort each, the default range), the
    others
    ClusterIP. ``shared_label``: every label set also carries ``app.kubernetes.io/part-of: shop``,
    as
    the apps of one product do, so every selector shares a label with every app's pods.
    """
    docs: list[dict[str, Any]] = []
    i = 0
    while len(docs) < documents:
        name, labels = f"svc{i}", {"app": f"svc{i}"}
        if shared_label:
            labels = {"app.kubernetes.io/part-of": "shop", **labels}
        meta = {"name": name, "namespace": "bench"}
        ports: list[dict[str, Any]] = [
            {"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"},
            {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9090},
        ]
        node_port = i < DEFAULT_NODE_PORTS
        if node_port:
            ports[0]["nodePort"] = 30000 + i
        container = {
            "name": "app",
            "image": "app:1",
            "ports": [
                {"name": "http", "containerPort": 8080},
                {"name": "metrics", "containerPort": 9090},
            ],
            "livenessProbe": {"httpGet": {"path": "/livez", "port": "http"}},
            "readinessProbe": {"tcpSocket": {"port": "metrics"}},
        }
        backend = {"service": {"name": name, "port": {"name": "http"}}}
        docs.extend(
            [
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {**meta, "labels": labels},
                    "spec": {
                        "type": "NodePort" if node_port else "ClusterIP",
                        "selector": labels,
                        "ports": ports,
                    },
                },
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": meta,
                    "spec": {
                        "selector": {"matchLabels": labels},
                        "template": {
                            "metadata": {"labels": labels},
                            "spec": {"containers": [container]},
                        },
                    },
                },
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": meta,
                    "spec": {
                        "rules": [
                            {
                                "host": f"{name}.example.com",
                                "http": {
                                    "paths": [
                                        {"path": "/", "pathType": "Prefix", "backend": backend}
                                    ]
                                },
                            }
                        ]
                    },
                },
                {
                    "apiVersion": "gateway.networking.k8s.io/v1",
                    "kind": "HTTPRoute",
                    "metadata": meta,
                    "spec": {
                        "parentRefs": [{"name": "edge"}],
                        "rules": [{"backendRefs": [{"name": name, "port": 80}]}],
                    },
                },
                {
                    "apiVersion": "monitoring.coreos.com/v1",
                    "kind": "ServiceMonitor",
                    "metadata": meta,
                    "spec": {
                        "selector": {"matchLabels": labels},
                        "endpoints": [{"port": "metrics"}],
                    },
                },
                {
                    "apiVersion": "monitoring.coreos.com/v1",
                    "kind": "PodMonitor",
                    "metadata": meta,
                    "spec": {
                        "selector": {"matchLabels": labels},
                        "podMetricsEndpoints": [{"port": "metrics"}],
                    },
                },
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": meta,
                    "spec": {
                        "podSelector": {"matchLabels": labels},
                        "ingress": [{"ports": [{"port": "http"}]}],
                    },
                },
            ]
        )
        i += 1
    return docs[:documents]


def lint_throughput(documents: int, repeat: int) -> None:
    """Lint of a mixed corpus, beside only parsing the same YAML.

    The parse uses ruamel.yaml's C-based safe loader.
    """
    from ruamel.yaml import YAML

    from svcgen.kube.yamlwrite import to_yaml
    from svcgen.lint import lint_texts

    docs = lint_corpus(documents)
    text = to_yaml(docs)
    problems: list[Any] = []

    def lint() -> None:
        problems[:] = lint_texts([("bench.yaml", text)])

    def parse() -> None:
        list(YAML(typ="safe").load_all(text))

    lint_time, parse_time = float("inf"), float("inf")
    for _ in range(repeat):  # alternated, best of each
        lint_time = min(lint_time, _best(lint, 1))
        parse_time = min(parse_time, _best(parse, 1))
    print(f"time lint_{len(docs)}_documents {lint_time:.4f}")
    print(f"rate lint_documents_per_second {len(docs) / lint_time:.0f}")
    print(f"time ruamel_c_safe_load_{len(docs)}_documents {parse_time:.4f}")
    print(f"ratio lint_vs_ruamel_c_safe_load {lint_time / parse_time:.2f}")
    print(f"info lint_kinds {','.join(sorted({d['kind'] for d in docs}))}")
    print(f"info lint_problems_found {len(problems)}")


def library(services: int, repeat: int) -> None:
    """A build script through the public API against PyYAML's C dump of its manifests.

    The two alternate; each one's best time counts. The script's time runs from its first
    declaration to ``svcgen.render``'s YAML string, with the collector as the caller has it
    (enabled); the floor dumps the same manifests, built beforehand.
    """
    import svcgen
    from svcgen.gcpause import paused_gc

    node_port_range = svcgen.NodePortRange(*WIDE_RANGE)
    manifests: list[dict[str, Any]] = []

    def build_script() -> None:
        manifests[:] = svcgen.render(
            project(services), svcgen.RenderOptions(node_port_range=node_port_range)
        ).manifests

    def paused() -> None:
        with paused_gc():
            svcgen.render(project(services), svcgen.RenderOptions(node_port_range=node_port_range))

    svcgen.render(
        project(100), svcgen.RenderOptions(node_port_range=node_port_range)
    )  # warm up: imports, validators
    runs: dict[str, list[Timing]] = {"library": [], "floor": [], "paused": []}
    for _ in range(repeat):
        runs["library"].append(_seconds(build_script))
        runs["floor"].append(_seconds(lambda: _pyyaml_c_floor(manifests)))
        manifests.clear()
        runs["paused"].append(_seconds(paused))
    best = {name: _fastest(values) for name, values in runs.items()}
    print(f"time library_declare_and_render_{services}_services {best['library'][0]:.4f}")
    print(
        f"time library_declare_and_render_{services}_services_gc_paused_by_caller "
        f"{best['paused'][0]:.4f}"
    )
    print(f"time floor_pyyaml_c_dump_{services}_manifests {best['floor'][0]:.4f}")
    _compare(
        f"library_render_{services}_vs_pyyaml_c_dump",
        best["library"],
        best["floor"],
        "library_render_vs_pyyaml_c_dump",
    )
    _compare(
        f"library_render_{services}_gc_paused_by_caller_vs_pyyaml_c_dump",
        best["paused"],
        best["floor"],
    )


def _scaling(
    name: str, sizes: tuple[int, int], run: Callable[[int], object], repeat: int, figure: str
) -> None:
    """Time ``run(size)`` at both sizes; print both and their ratio.

    The sizes alternate, and the best of ``repeat`` runs counts.
    """
    small, large = sizes
    run(max(small // 10, 1))  # warm up: imports, caches
    times: dict[int, list[Timing]] = {small: [], large: []}
    for _ in range(repeat):
        for size in sizes:
            times[size].append(_seconds(lambda size=size: run(size)))  # type: ignore[misc]
    for size in sizes:
        print(f"time {name}_{size} {_fastest(times[size])[0]:.4f}")
    _compare(figure, _fastest(times[large]), _fastest(times[small]), figure)


def lint_scaling(apps: int, repeat: int) -> None:
    """Lint of the shared-label corpus (seven documents per app) at 1x and 4x the apps."""
    from svcgen.kube.yamlwrite import to_yaml
    from svcgen.lint import lint_texts

    texts = {
        n: to_yaml(lint_corpus(7 * n, shared_label=True)) for n in (apps // 10, apps, 4 * apps)
    }
    print(
        f"info lint_scaling_services {apps},{4 * apps} (7 documents each, every selector shares a "
        "label)"
    )

    def lint(n: int) -> None:
        assert lint_texts([("bench.yaml", texts[n])]) == []

    _scaling(
        "lint_shared_selector_services",
        (apps, 4 * apps),
        lint,
        repeat,
        "lint_shared_selector_4x_vs_1x",
    )


def _cli(args: list[str]) -> None:
    """``svcgen ARGS`` in-process; it must succeed."""
    from svcgen.cli import main

    err = io.StringIO()
    code = main(args, out=io.StringIO(), err=err)
    assert code == 0, err.getvalue()[-1000:]


def import_scaling(apps: int, repeat: int) -> None:
    """``svcgen import FILE --dir NEW`` of the lint corpus's Services and Deployments, 1x and 2x."""
    import tempfile

    print(f"info import_scaling_services {apps},{2 * apps} (one Deployment each)")
    with tempfile.TemporaryDirectory() as tmp:
        from svcgen.kube.yamlwrite import to_yaml

        for n in (apps // 10, apps, 2 * apps):
            docs = [d for d in lint_corpus(7 * n) if d["kind"] in ("Service", "Deployment")]
            Path(tmp, f"{n}.yaml").write_text(to_yaml(docs))
        fresh = itertools.count()  # each import writes into a new folder

        def run(n: int) -> None:
            _cli(
                [
                    "import",
                    str(Path(tmp, f"{n}.yaml")),
                    "--dir",
                    str(Path(tmp, f"new{next(fresh)}")),
                ]
            )

        _scaling("import_services", (apps, 2 * apps), run, repeat, "import_2x_vs_1x")


def explain_scaling(services: int, repeat: int) -> None:
    """``svcgen explain PROJECT --format svg`` of the workload project at 1x and 2x."""
    import tempfile

    print(f"info explain_scaling_services {services},{2 * services} (a full Deployment each)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (services // 10, services, 2 * services):
            Path(tmp, f"app{n}.py").write_text(
                WORKLOAD_SOURCE.format(services=n, every=NODE_PORT_EVERY)
            )

        def run(n: int) -> None:
            _cli(["explain", str(Path(tmp, f"app{n}.py")), "--format", "svg"])

        _scaling(
            "explain_svg_services", (services, 2 * services), run, repeat, "explain_svg_2x_vs_1x"
        )


def lint_peak_rss(megabytes: float) -> None:
    """Peak RSS of ``svcgen lint FILE`` per byte of a lint corpus of ``megabytes``.

    The CLI runs in-process, inside a fresh Python process. Two forms: the total peak RSS / input
    size, as issue 22 measured it (the headline), and the peak above the baseline of
    ``svcgen --version`` run the same way (the interpreter, svcgen's imports) / input size.
    """
    import tempfile

    from svcgen.kube.yamlwrite import to_yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "corpus.yaml")
        per_app = len(to_yaml(lint_corpus(700))) / 100
        path.write_text(to_yaml(lint_corpus(7 * int(megabytes * 1e6 / per_app))))
        size = path.stat().st_size
        baseline = _peak_rss_kib("run._cli(['--version'])") * 1024
        total = _peak_rss_kib(f"run._cli(['lint', {str(path)!r}])") * 1024
    print(f"info lint_rss_input_mb {size / 1e6:.1f}")
    print(f"info peak_rss_lint_mb {total / 1e6:.0f}")
    print(f"info peak_rss_svcgen_version_baseline_mb {baseline / 1e6:.0f}")
    _ratio("lint_peak_rss_vs_input_size", total / size, "lint_peak_rss_vs_input_size")
    _ratio("lint_peak_rss_above_baseline_vs_input_size", (total - baseline) / size)


def groups(quick: bool) -> dict[str, Callable[[], None]]:
    """What each ``--only`` name runs, in the order a whole run takes them.

    ``quick``: smaller and fewer.
    """

    def peak() -> None:
        if not quick:
            peak_rss(10000)
        workloads_peak_rss(2000 if quick else 10000)

    return {
        "cold": lambda: cold_start(runs=7 if quick else 21),
        "render": lambda: render_throughput(
            (1000,) if quick else (1000, 10000), repeat=2 if quick else 3
        ),
        "workloads": lambda: workloads(2000 if quick else 10000, repeat=1 if quick else 2),
        "peak_rss": peak,
        "allocation": lambda: allocation(repeat=5 if quick else 9),
        "lint": lambda: lint_throughput(2000 if quick else 10000, repeat=1 if quick else 3),
        "library": lambda: library(2000 if quick else 10000, repeat=2 if quick else 3),
        "lint_scaling": lambda: lint_scaling(100 if quick else 250, repeat=1 if quick else 2),
        "import_scaling": lambda: import_scaling(150 if quick else 400, repeat=1 if quick else 3),
        "explain_scaling": lambda: explain_scaling(
            500 if quick else 2000, repeat=1 if quick else 2
        ),
        "lint_rss": lambda: lint_peak_rss(5 if quick else 20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller and fewer runs (about two minutes)"
    )
    parser.add_argument(
        "--only", metavar="GROUP[,GROUP]", help=f"run only these groups: {', '.join(groups(False))}"
    )
    args = parser.parse_args()
    chosen = groups(args.quick)
    names = args.only.split(",") if args.only else list(chosen)
    unknown = [name for name in names if name not in chosen]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}: choose from {', '.join(chosen)}")
    print(f"info cores {os.cpu_count()}")
    from svcgen.kube.yamlwrite import C_EMITTER

    print(f"info ruamel_c_emitter {json.dumps(C_EMITTER)}")
    for name in names:
        start = time.perf_counter()
        chosen[name]()
        print(f"info group_{name}_took_s {time.perf_counter() - start:.0f}", flush=True)
    print_targets()


if __name__ == "__main__":
    main()
