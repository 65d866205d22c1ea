"""--reserve-cluster: the real kubectl against a small API server on 127.0.0.1, through a kubeconfig."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from fakeapi import fake_api_server

from svcgen.cluster import ClusterError, cluster_reservations

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with fake_api_server(tmp_path) as cluster:
        monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
        monkeypatch.setenv("HOME", str(tmp_path))  # kubectl's discovery cache goes here
        yield cluster.kubeconfig


def test_the_live_clusters_node_ports_are_reserved(kubeconfig: Path) -> None:
    found = cluster_reservations()
    assert sorted((r.node_port, r.service, r.port) for r in found) == [
        (30000, "ingress", "http"), (30001, "ingress", "https"), (32100, "ingress", "healthCheck")]
    assert found[0].origin == "cluster (the current context)"
    assert {r.node_port for r in cluster_reservations("test")} == {30000, 30001, 32100}


def test_kubectls_own_message_is_quoted(kubeconfig: Path) -> None:
    with pytest.raises(ClusterError, match=r"kubectl get services failed \(context denied\): error: You must be "
                                           r"logged in to the server"):
        cluster_reservations("denied")
    with pytest.raises(ClusterError, match="context nowhere"):
        cluster_reservations("nowhere")
    with pytest.raises(ClusterError, match="not installed"):
        cluster_reservations(kubectl="kubectl-that-does-not-exist")


def test_render_avoids_the_clusters_ports(kubeconfig: Path, write_app: Callable[..., Path], tmp_path: Path) -> None:
    write_app('api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])\n'
              'app = App("web", labels={"app": "web"}, containers=[api], services=[Service("web", type="NodePort", '
              'ports=[api.port("http").expose(), api.port("admin").expose()])])\n')
    result = run_cli("render", "app.py", "--reserve-cluster")
    assert result.code == 0, result.err
    assert "nodePort: 30002" in result.out and "nodePort: 30003" in result.out
    denied = run_cli("render", "app.py", "--reserve-cluster=denied", "--lock", "other.lock")
    assert denied.code == 2 and "logged in" in denied.err and not (tmp_path / "other.lock").exists()
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen]\nreserve-cluster = "test"\nlock = "svcgen.lock"\n')
    assert "reserved (cluster (context test))" in run_cli("ports", "app.py").out
