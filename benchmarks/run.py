"""Side-by-side timings, printed as ``time NAME SECONDS`` and ``ratio NAME VALUE`` lines.

Run from a virtual environment with svcgen installed (the README's commands make ``.venv``):

    .venv/bin/python benchmarks/run.py [--quick]

Cold start: ``svcgen render examples/seed/app.py`` as a whole process through the installed
console script, against the floor any pydantic + ruamel.yaml program pays and against
``python -c pass``; runs are alternated and the median of each is reported.

Lint: 10,000 documents (Services and Deployments, half of the nodePorts colliding).

Allocation: nodePorts for 675, 1,350 and 2,700 ports of the default range (2,768 ports: the
last is nearly full) from an empty lock, and again against the lock the first run wrote.

Render: a project of 1,000 and 10,000 Services (two named ports each, one in four a NodePort
Service, nodePorts allocated into a lock), end to end in-process, split into validate +
allocate + build and the YAML dump.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def cold_start(runs: int) -> None:
    svcgen = BIN / ("svcgen.exe" if os.name == "nt" else "svcgen")
    if not svcgen.exists():
        sys.exit(f"{svcgen} not found: install svcgen into this environment first (pip install .)")
    commands = {
        "svcgen_render_seed": [str(svcgen), "render", "examples/seed/app.py"],
        "floor_pydantic_basemodel_ruamel": [sys.executable, "-c", "from pydantic import BaseModel; import ruamel.yaml"],
        "floor_import_pydantic_ruamel": [sys.executable, "-c", "import pydantic, ruamel.yaml"],
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
    print(f"ratio cold_render_vs_basemodel_ruamel_floor {render / medians['floor_pydantic_basemodel_ruamel']:.2f}")
    print(f"ratio cold_render_vs_import_pydantic_ruamel {render / medians['floor_import_pydantic_ruamel']:.2f}")
    print(f"ratio cold_render_vs_python_pass {render / medians['python_pass']:.2f}")


def _project(services: int, ports: int = 2, node_port_every: int = 4) -> list[Any]:
    from svcgen import App, Container, Port, Service

    apps = []
    for i in range(services):
        container = Container("app", ports=[Port(f"p{j}", 8000 + j) for j in range(ports)])
        kind = "NodePort" if i % node_port_every == 0 else "ClusterIP"
        apps.append(App(f"svc{i}", namespace=f"ns{i % 10}", labels={"app": f"svc{i}"}, containers=[container],
                        services=[Service(f"svc{i}", type=kind,  # type: ignore[arg-type]
                                          ports=[container.port(f"p{j}").expose() for j in range(ports)])]))
    return apps


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def allocation(repeat: int) -> None:
    from svcgen.nodeports import allocate_node_ports

    times = {}
    for ports in (675, 1350, 2700):
        apps = _project(ports, ports=1, node_port_every=1)
        times[ports] = _best(lambda apps=apps: allocate_node_ports(apps), repeat)
        print(f"time allocate_{ports}_ports_empty_lock {times[ports]:.4f}")
        lock = allocate_node_ports(apps).lock
        relock = _best(lambda apps=apps, lock=lock: allocate_node_ports(apps, lock), repeat)
        print(f"time allocate_{ports}_ports_from_lock {relock:.4f}")
    print(f"rate allocate_ports_per_second {2700 / times[2700]:.0f}")
    print(f"ratio allocate_2700_vs_1350 {times[2700] / times[1350]:.2f}")
    print(f"ratio allocate_1350_vs_675 {times[1350] / times[675]:.2f}")


def render_throughput(sizes: Sequence[int]) -> None:
    from svcgen import NodePortRange
    from svcgen.emit import to_yaml
    from svcgen.lockfile import format_lock
    from svcgen.render import render_manifests

    wide = NodePortRange(30000, 39999)
    totals = {}
    for services in sizes:
        apps = _project(services)
        start = time.perf_counter()
        rendered = render_manifests(apps, node_port_range=wide)
        middle = time.perf_counter()
        to_yaml(rendered.manifests)
        format_lock(rendered.lock)
        end = time.perf_counter()
        totals[services] = end - start
        print(f"time render_{services}_services_validate_allocate_build {middle - start:.4f}")
        print(f"time render_{services}_services_yaml_and_lock {end - middle:.4f}")
        print(f"time render_{services}_services_total {end - start:.4f}")
        print(f"rate render_{services}_services_per_second {services / (end - start):.0f}")
    if len(totals) == 2:
        small, large = sorted(totals)
        print(f"ratio render_{large}_vs_{small} {totals[large] / totals[small]:.2f}")


def lint_throughput(documents: int) -> None:
    from svcgen.emit import to_yaml
    from svcgen.lint import lint_texts

    docs: list[dict[str, Any]] = []
    for i in range(documents // 2):
        labels = {"app": f"svc{i}"}
        docs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc{i}", "namespace": "bench"},
                     "spec": {"type": "NodePort", "selector": labels, "ports": [
                         {"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http",
                          "nodePort": 30000 + i % 2768},
                         {"name": "metrics", "protocol": "TCP", "port": 9090, "targetPort": 9090}]}})
        docs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"svc{i}", "namespace": "bench"},
                     "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "app", "image": "app:1", "ports": [
                                  {"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}]}]}}}})
    text = to_yaml(docs)
    start = time.perf_counter()
    problems = lint_texts([("bench.yaml", text)])
    elapsed = time.perf_counter() - start
    print(f"time lint_{len(docs)}_documents {elapsed:.4f}")
    print(f"rate lint_documents_per_second {len(docs) / elapsed:.0f}")
    print(f"info lint_problems_found {len(problems)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (well under a minute)")
    args = parser.parse_args()
    print(f"info cores {os.cpu_count()}")
    cold_start(runs=7 if args.quick else 21)
    allocation(repeat=3 if args.quick else 5)
    render_throughput((1000,) if args.quick else (1000, 10000))
    lint_throughput(2000 if args.quick else 10000)


if __name__ == "__main__":
    main()
