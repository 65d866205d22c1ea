"""The generated projects benchmarks/run.py measures render what they claim (a wrong figure is worse
than none)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
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


def test_the_full_workload_project_renders_a_service_and_a_full_deployment_per_app(
    tmp_path: Path,
) -> None:
    bench = _bench()
    bench._render_cli(8, str(tmp_path), workloads=True)
    docs = _docs(tmp_path / "out.yaml")
    kinds = [d["kind"] for d in docs]
    assert kinds.count("Service") == 8 and kinds.count("Deployment") == 8
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert {
        "env",
        "envFrom",
        "resources",
        "volumeMounts",
        "securityContext",
        "readinessProbe",
        "livenessProbe",
        "args",
        "image",
        "imagePullPolicy",
    } <= set(container)
    assert {
        "volumes",
        "serviceAccountName",
        "securityContext",
        "terminationGracePeriodSeconds",
    } <= set(pod)
    assert {"replicas", "strategy", "revisionHistoryLimit"} <= set(deployment["spec"])


def test_the_services_project_renders_services_only(tmp_path: Path) -> None:
    bench = _bench()
    bench._render_cli(8, str(tmp_path))
    assert [d["kind"] for d in _docs(tmp_path / "out.yaml")] == ["Service"] * 8


def _parsed(text: str) -> list[Any]:
    return [d.value for d in load_documents(text)]


def test_every_workload_peer_writes_the_objects_svcgen_renders(tmp_path: Path) -> None:
    """The client and lightkube programs build the same Services and Deployments, nodePorts
    included."""
    pytest.importorskip("kubernetes")
    pytest.importorskip("lightkube")
    pytest.importorskip("yaml")  # PyYAML, which the client and lightkube programs write with
    bench = _bench()
    bench._render_cli(9, str(tmp_path), workloads=True)
    ours = _docs(tmp_path / "out.yaml")
    for name, write in bench.WORKLOAD_PEERS.items():
        write(9, str(tmp_path / f"{name}.yaml"))
        text = (tmp_path / f"{name}.yaml").read_text()
        assert _parsed(text) == ours, name
        assert "&id" not in text, name  # no YAML anchors: each object's dicts are its own


def test_the_lightkube_cold_start_program_prints_the_seeds_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("lightkube")
    exec(_bench().LIGHTKUBE_SEED, {})
    assert _parsed(capsys.readouterr().out) == _docs(ROOT / "examples" / "seed" / "expected.yaml")


def test_the_shared_label_corpus_lints_clean_and_every_selector_shares_the_label() -> None:
    from svcgen.kube.yamlwrite import to_yaml
    from svcgen.lint import lint_texts

    docs = _bench().lint_corpus(70, shared_label=True)
    assert lint_texts([("bench.yaml", to_yaml(docs))]) == []
    services = [d for d in docs if d["kind"] == "Service"]
    assert len(services) == 10
    assert all(s["spec"]["selector"]["app.kubernetes.io/part-of"] == "shop" for s in services)


def test_the_lint_corpus_hands_out_each_default_nodeport_once_then_makes_cluster_ip_services() -> (
    None
):
    docs = _bench().lint_corpus(7 * 2770)
    services = [d for d in docs if d["kind"] == "Service"]
    node_ports = [p["nodePort"] for s in services for p in s["spec"]["ports"] if "nodePort" in p]
    assert sorted(node_ports) == list(range(30000, 32768))
    assert [s["spec"]["type"] for s in services[-2:]] == ["ClusterIP", "ClusterIP"]


def test_an_unknown_group_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _bench()
    monkeypatch.setattr("sys.argv", ["run.py", "--only", "lint_scaling,lint-scaling"])
    with pytest.raises(SystemExit) as exit_:
        bench.main()
    assert exit_.value.code == 2
    assert "unknown group lint-scaling: choose from cold, render" in capsys.readouterr().err


def test_the_docstring_names_every_group_and_every_target() -> None:
    bench = _bench()
    for name in bench.groups(quick=True):
        assert f"``{name}``" in bench.__doc__, name
    for figure in bench.TARGETS:
        assert figure.split("_vs_")[0] in bench.__doc__, figure


def test_the_target_summary_says_which_figures_are_met(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    bench._ratio("import_2x_vs_1x", 2.5, "import_2x_vs_1x")
    bench._ratio(
        "client_c_dumper_vs_svcgen_workloads_2000", 1.994, "client_c_dumper_vs_svcgen_workloads"
    )
    bench.print_targets()
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "ratio import_2x_vs_1x 2.50",
        "ratio client_c_dumper_vs_svcgen_workloads_2000 1.99",
    ]
    targets = lines[2:]
    assert len(targets) == len(bench.TARGETS) == 8
    assert targets[0] == "target client_c_dumper_vs_svcgen_workloads_2000 1.99 >= 2 NOT MET"
    assert targets[4] == "target import_2x_vs_1x 2.50 <= 2.5 met"
    assert targets[1] == "target peak_rss_svcgen_vs_lightkube_workloads - <= 1 not run"


@pytest.mark.slow
def test_every_figure_of_the_table_but_the_cold_start_is_measured_at_small_sizes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The groups run end to end (the scaling inputs import, explain and lint cleanly) and feed the
    summary."""
    pytest.importorskip("kubernetes")
    pytest.importorskip("lightkube")
    bench = _bench()
    bench.workloads(5, repeat=1)
    bench.workloads_peak_rss(5)
    bench.library(20, repeat=1)
    bench.lint_scaling(10, repeat=1)
    bench.import_scaling(10, repeat=1)
    bench.explain_scaling(10, repeat=1)
    bench.lint_peak_rss(0.05)
    bench.print_targets()
    targets = [line for line in capsys.readouterr().out.splitlines() if line.startswith("target ")]
    assert [line.endswith(" not run") for line in targets] == [False] * 7 + [True]
