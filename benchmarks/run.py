"""svcgen benchmarks, measured side by side in one run.

Prints one line per figure: ``time NAME SECONDS``, ``rate NAME PER_SECOND``, ``ratio NAME VALUE``
(and ``info`` lines). Run it from a virtual environment with svcgen installed:

    .venv/bin/pip install -q '.[bench]' && .venv/bin/python benchmarks/run.py [--quick]

- Cold start: ``svcgen render examples/seed/app.py`` as a whole process through the installed
  console script, against ``python -c "from pydantic import BaseModel; import ruamel.yaml"``,
  ``python -c "import pydantic, ruamel.yaml"``, a program that defines and validates one pydantic
  model (the least a pydantic DSL pays) and ``python -c pass``; ``svcgen lint`` of the
  seed's output against ``python -c "import ruamel.yaml"`` (alternated runs, medians).
- Render throughput: generated projects of 1,000 and 10,000 Services (two named ports each, one in
  four a NodePort Service), ``svcgen render PROJECT -o OUT`` in-process (running the project file,
  checks, nodePorts allocated into a new lock file, YAML and lock written), against the floor
  of dumping the same manifests as plain dicts with ruamel.yaml's fastest dumper
  (``YAML(typ="safe")``, C-backed with ruamel.yaml.clib) and with PyYAML's C dumper
  (``CSafeDumper``, libyaml), and against two peers building the same Services: the official
  ``kubernetes`` client models dumped with PyYAML, and lightkube's models dumped with its codec
  (``[bench]`` extra).
- Peak memory (RSS) of the 10,000-Service render, in a fresh process; and of 10,000 Services
  with 10,000 full Deployments (env, envFrom, resources, probes, volumes and their mounts,
  security contexts, a service account, a strategy).
- nodePort allocation for 675, 1,350 and 2,700 ports (a nearly full default range).
- Lint of 10,000 documents: Services, Deployments with probes, and the Ingresses, HTTPRoutes,
  ServiceMonitors, PodMonitors and NetworkPolicies that use their ports (every cross-file check
  runs), against only parsing the same YAML with ruamel.yaml's C-based safe loader.

Render figures are the best of three runs (svcgen, the floor and the client alternating): these
2-core machines are noisy. ``--quick`` (under a minute) skips the 10,000-Service sizes and runs
fewer repeats.
"""

from __future__ import annotations

import argparse
import io
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


# As installed by pip, a package has its bytecode compiled; an editable install writes it on first
# run, unless PYTHONDONTWRITEBYTECODE is set (it is on these machines): then every cold start would
# compile svcgen's sources again, which no user pays. The warm-up run writes the bytecode.
_COLD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=_COLD_ENV)
    return time.perf_counter() - start


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


_ONE_MODEL = "from pydantic import BaseModel\nimport ruamel.yaml\nclass A(BaseModel):\n    a: int\nA(a=1)"


def cold_start(runs: int) -> None:
    svcgen = BIN / ("svcgen.exe" if os.name == "nt" else "svcgen")
    if not svcgen.exists():
        sys.exit(f"{svcgen} not found: install svcgen into this environment first (pip install .)")
    commands = {
        "svcgen_render_seed": [str(svcgen), "render", "examples/seed/app.py"],
        "floor_basemodel_ruamel": [sys.executable, "-c", "from pydantic import BaseModel; import ruamel.yaml"],
        "floor_import_pydantic_ruamel": [sys.executable, "-c", "import pydantic, ruamel.yaml"],
        # What any program that defines and validates one pydantic model pays on top of the imports
        # (pydantic's field machinery, its plugin discovery through importlib.metadata, one schema).
        "floor_one_model_ruamel": [sys.executable, "-c", _ONE_MODEL],
        "svcgen_lint_seed": [str(svcgen), "lint", "examples/seed/expected.yaml"],
        "floor_import_ruamel": [sys.executable, "-c", "import ruamel.yaml"],
        "python_pass": [sys.executable, "-c", "pass"],
    }
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
    print(f"ratio cold_render_vs_basemodel_ruamel_floor {render / medians['floor_basemodel_ruamel']:.2f}")
    print(f"ratio cold_render_vs_import_pydantic_ruamel {render / medians['floor_import_pydantic_ruamel']:.2f}")
    print(f"ratio cold_render_vs_python_pass {render / medians['python_pass']:.2f}")
    print(f"ratio cold_one_model_floor_vs_basemodel_ruamel_floor "
          f"{medians['floor_one_model_ruamel'] / medians['floor_basemodel_ruamel']:.2f}")
    print(f"ratio cold_render_vs_one_model_floor {render / medians['floor_one_model_ruamel']:.2f}")
    print(f"ratio cold_lint_vs_import_ruamel {medians['svcgen_lint_seed'] / medians['floor_import_ruamel']:.2f}")


def project(services: int, ports: int = 2, node_port_every: int = NODE_PORT_EVERY) -> list[Any]:
    """Apps of one Service each: ``ports`` named ports, every ``node_port_every``-th a NodePort Service."""
    from svcgen import App, Container, Port, Service

    apps = []
    for i in range(services):
        container = Container("app", ports=[Port(f"p{j}", 8000 + j) for j in range(ports)])
        kind = "NodePort" if i % node_port_every == 0 else "ClusterIP"
        apps.append(App(f"svc{i}", namespace=f"ns{i % 10}", labels={"app": f"svc{i}"}, containers=[container],
                        services=[Service(f"svc{i}", type=kind,  # type: ignore[arg-type]
                                          ports=[container.port(f"p{j}").expose() for j in range(ports)])]))
    return apps


WIDE_RANGE = (30000, 39999)  # 10,000 Services need 5,000 nodePorts: more than the default range holds


PROJECT_SOURCE = """\
from svcgen import App, Container, Port, Service

apps = []
for i in range({services}):
    container = Container("app", ports=[Port("p0", 8000), Port("p1", 8001)])
    apps.append(App(f"svc{{i}}", namespace=f"ns{{i % 10}}", labels={{"app": f"svc{{i}}"}}, containers=[container],
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
        resources={{"requests": {{"cpu": "250m", "memory": "256Mi"}}, "limits": {{"cpu": "1", "memory": "512Mi"}}}},
        volume_mounts=[{{"name": "cache", "mountPath": "/var/cache/app"}},
                       {{"name": "config", "mountPath": "/etc/app", "readOnly": True}}],
        security_context={{"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True}},
        readiness=Probe.http(http, "/ready", period_seconds=5),
        liveness=Probe.http(http, "/healthz", initial_delay_seconds=10),
        image_pull_policy="IfNotPresent")
    apps.append(App(
        f"svc{{i}}", namespace=f"ns{{i % 10}}", labels={{"app": f"svc{{i}}"}}, containers=[container],
        workload=Deployment(replicas=2 + i % 3, strategy={{"type": "RollingUpdate"}}, revision_history_limit=5),
        pod=Pod(service_account=f"app{{i}}", security_context={{"runAsNonRoot": True, "runAsUser": 10001}},
                volumes=[{{"name": "cache", "emptyDir": {{}}}},
                         {{"name": "config", "configMap": {{"name": f"app{{i}}-config"}}}}],
                termination_grace_period_seconds=30),
        services=[Service(f"svc{{i}}", type="NodePort" if i % {every} == 0 else "ClusterIP",
                          ports=[container.port("http").expose(80), container.port("metrics").expose()])]))
"""


def _render_cli(services: int, tmp: str, workloads: bool = False) -> float:
    """Seconds of ``svcgen render PROJECT -o OUT`` in-process, for a generated project in ``tmp``.

    ``workloads``: each App also declares a full Deployment (env, resources, probes, volumes...).
    """
    from svcgen.cli import main

    app = Path(tmp) / "project.py"
    source = WORKLOAD_SOURCE if workloads else PROJECT_SOURCE
    app.write_text(source.format(services=services, every=NODE_PORT_EVERY))
    args = ["render", str(app), "--node-port-range", f"{WIDE_RANGE[0]}-{WIDE_RANGE[1]}",
            "-o", str(Path(tmp) / "out.yaml"), "--lock", str(Path(tmp) / "svcgen.lock")]
    start = time.perf_counter()
    code = main(args, out=io.StringIO(), err=io.StringIO())
    took = time.perf_counter() - start
    assert code == 0
    return took


def _svcgen_render(services: int) -> tuple[float, float, list[dict[str, Any]]]:
    """(total, of which running the project file) seconds of ``svcgen render PROJECT -o OUT``, in-process.

    The project is a generated Python file; the render allocates its nodePorts into a new lock
    file and writes the YAML to a file: everything the command does but starting Python.
    """
    import tempfile

    from svcgen.dsl.loader import load_apps

    with tempfile.TemporaryDirectory() as tmp:
        total = _render_cli(services, tmp)
        start = time.perf_counter()
        apps = load_apps([str(Path(tmp) / "project.py")])
        declaring = time.perf_counter() - start
        from svcgen import NodePortRange
        from svcgen.render import render_manifests

        manifests = render_manifests(apps, node_port_range=NodePortRange(*WIDE_RANGE)).manifests
    return total, declaring, manifests


def _floor_dump(manifests: list[dict[str, Any]]) -> float:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    start = time.perf_counter()
    yaml.dump_all(manifests, io.StringIO())
    return time.perf_counter() - start


def _pyyaml_c_floor(manifests: list[dict[str, Any]]) -> float | None:
    """PyYAML's C dumper (libyaml) on the same manifests: the fastest dump there is (a floor, not a dependency)."""
    try:
        import yaml as pyyaml
    except ImportError:
        return None
    if not pyyaml.__with_libyaml__:
        return None
    start = time.perf_counter()
    pyyaml.dump_all(manifests, io.StringIO(), Dumper=pyyaml.CSafeDumper, default_flow_style=False, sort_keys=False)
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
        objects.append(LightService(
            metadata=ObjectMeta(name=f"svc{i}", namespace=f"ns{i % 10}"),
            spec=ServiceSpec(type=kind, selector={"app": f"svc{i}"}, ports=[
                ServicePort(name=f"p{j}", protocol="TCP", port=8000 + j, targetPort=8000 + j,
                            nodePort=(30000 + (i // NODE_PORT_EVERY) * 2 + j) if kind == "NodePort" else None)
                for j in range(2)])))
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
        objects.append(client.V1Service(
            api_version="v1", kind="Service",
            metadata=client.V1ObjectMeta(name=f"svc{i}", namespace=f"ns{i % 10}"),
            spec=client.V1ServiceSpec(type=kind, selector={"app": f"svc{i}"}, ports=[
                client.V1ServicePort(name=f"p{j}", protocol="TCP", port=8000 + j, target_port=8000 + j,
                                     node_port=(30000 + (i // NODE_PORT_EVERY) * 2 + j) if kind == "NodePort" else None)
                for j in range(2)])))
    pyyaml.dump_all([api.sanitize_for_serialization(o) for o in objects], io.StringIO())
    return time.perf_counter() - start


def render_throughput(sizes: tuple[int, ...], repeat: int = 3) -> None:
    """Each figure is the best of ``repeat`` runs; svcgen, the floor and the client alternate."""
    _svcgen_render(100)  # warm up (imports, caches), so that the sizes compare like with like
    totals: dict[int, float] = {}
    for services in sizes:
        runs: dict[str, list[float]] = {"total": [], "declaring": [], "floor": [], "pyyaml_c": [], "k8s": [],
                                        "lightkube": []}
        for _ in range(repeat):
            total, declaring, manifests = _svcgen_render(services)
            runs["total"].append(total)
            runs["declaring"].append(declaring)
            runs["floor"].append(_floor_dump(manifests))
            for name, took in (("pyyaml_c", _pyyaml_c_floor(manifests)), ("k8s", _kubernetes_client(services)),
                               ("lightkube", _lightkube(services))):
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


def peak_rss(services: int, workloads: bool = False) -> None:
    """The render's peak RSS, in a fresh process: VmHWM of /proc/self/status where there is one.

    ``workloads``: with a full Deployment per App (so as many Deployments as Services).

    Not ``ru_maxrss``: Linux carries it across fork and exec, so the child would report this
    (large) benchmark process's size when it was forked.
    """
    code = (
        "import resource, sys, tempfile\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "import run\n"
        f"run._render_cli({services}, tempfile.mkdtemp(), workloads={workloads})\n"
        "try:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(int(status.split('VmHWM:')[1].split()[0]))\n"
        "except OSError:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    kib = int(out.stdout.strip().splitlines()[-1])
    what = f"{services}_services_and_deployments" if workloads else f"{services}_services"
    print(f"info peak_rss_render_{what}_mb {kib / 1024:.0f}")


def allocation(repeat: int) -> None:
    """Allocation alone, as render runs it (with the cyclic GC paused), best of ``repeat``."""
    from svcgen.dsl.requests import node_port_requests
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


def lint_corpus(documents: int) -> list[dict[str, Any]]:
    """``documents`` valid objects, seven per app: a NodePort Service, a Deployment with probes, and the
    five consumers of its ports (Ingress, HTTPRoute, ServiceMonitor, PodMonitor, NetworkPolicy)."""
    docs: list[dict[str, Any]] = []
    i = 0
    while len(docs) < documents:
        name, labels = f"svc{i}", {"app": f"svc{i}"}
        meta = {"name": name, "namespace": "bench"}
        ports = [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30000 + i % 2768},
                 {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9090}]
        container = {"name": "app", "image": "app:1",
                     "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
                     "livenessProbe": {"httpGet": {"path": "/livez", "port": "http"}},
                     "readinessProbe": {"tcpSocket": {"port": "metrics"}}}
        backend = {"service": {"name": name, "port": {"name": "http"}}}
        docs.extend([
            {"apiVersion": "v1", "kind": "Service", "metadata": {**meta, "labels": labels},
             "spec": {"type": "NodePort", "selector": labels, "ports": ports}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
             "spec": {"selector": {"matchLabels": labels},
                      "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
             "spec": {"rules": [{"host": f"{name}.example.com", "http": {"paths": [
                 {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}},
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta,
             "spec": {"parentRefs": [{"name": "edge"}], "rules": [{"backendRefs": [{"name": name, "port": 80}]}]}},
            {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": meta,
             "spec": {"selector": {"matchLabels": labels}, "endpoints": [{"port": "metrics"}]}},
            {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": meta,
             "spec": {"selector": {"matchLabels": labels}, "podMetricsEndpoints": [{"port": "metrics"}]}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
             "spec": {"podSelector": {"matchLabels": labels}, "ingress": [{"ports": [{"port": "http"}]}]}},
        ])
        i += 1
    return docs[:documents]


def lint_throughput(documents: int, repeat: int) -> None:
    """Lint of a mixed corpus, beside only parsing the same YAML with ruamel.yaml's C-based safe loader."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and smaller runs (under a minute)")
    args = parser.parse_args()
    print(f"info cores {os.cpu_count()}")
    from svcgen.kube.yamlwrite import C_EMITTER

    print(f"info ruamel_c_emitter {json.dumps(C_EMITTER)}")
    cold_start(runs=7 if args.quick else 21)
    render_throughput((1000,) if args.quick else (1000, 10000), repeat=2 if args.quick else 3)
    if not args.quick:
        peak_rss(10000)
        peak_rss(10000, workloads=True)
    allocation(repeat=5 if args.quick else 9)
    lint_throughput(2000 if args.quick else 10000, repeat=1 if args.quick else 3)


if __name__ == "__main__":
    main()
