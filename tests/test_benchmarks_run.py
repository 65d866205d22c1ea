"""The generated projects benchmarks/run.py measures render what they claim (a wrong figure is worse than none)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from conftest import ROOT

from svcgen.kube.yamlread import load_documents


def _docs(path: Path) -> list[Any]:
    return [d.value for d in load_documents(path.read_text())]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_full_workload_project_renders_a_service_and_a_full_deployment_per_app(tmp_path: Path) -> None:
    bench = _bench()
    bench._render_cli(8, str(tmp_path), workloads=True)
    docs = _docs(tmp_path / "out.yaml")
    kinds = [d["kind"] for d in docs]
    assert kinds.count("Service") == 8 and kinds.count("Deployment") == 8
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert {"env", "envFrom", "resources", "volumeMounts", "securityContext", "readinessProbe", "livenessProbe",
            "args", "image", "imagePullPolicy"} <= set(container)
    assert {"volumes", "serviceAccountName", "securityContext", "terminationGracePeriodSeconds"} <= set(pod)
    assert {"replicas", "strategy", "revisionHistoryLimit"} <= set(deployment["spec"])


def test_the_services_project_renders_services_only(tmp_path: Path) -> None:
    bench = _bench()
    bench._render_cli(8, str(tmp_path))
    assert [d["kind"] for d in _docs(tmp_path / "out.yaml")] == ["Service"] * 8
