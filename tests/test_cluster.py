"""--reserve-cluster: the real kubectl against a small API server on 127.0.0.1, through a
kubeconfig."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from fakeapi import fake_api_server

from svcgen.cluster import ClusterError, cluster_reservations

needs_kubectl = pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl is not installed"
)


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with fake_api_server(tmp_path) as cluster:
        monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
        monkeypatch.setenv("HOME", str(tmp_path))  # kubectl's discovery cache goes here
        yield cluster.kubeconfig


@needs_kubectl
def test_the_live_clusters_node_ports_are_reserved(kubeconfig: Path) -> None:
    found = cluster_reservations()
    assert sorted((r.node_port, r.service, r.port) for r in found) == [
        (30000, "ingress", "http"),
        (30001, "ingress", "https"),
        (32100, "ingress", "healthCheck"),
    ]
    assert found[0].origin == "cluster (the current context)"
    assert {r.node_port for r in cluster_reservations("test")} == {30000, 30001, 32100}


@needs_kubectl
def test_kubectls_own_message_is_quoted(kubeconfig: Path) -> None:
    with pytest.raises(
        ClusterError,
        match=r"kubectl get services failed \(context denied\): error: You must be "
        r"logged in to the server",
    ):
        cluster_reservations("denied")
    with pytest.raises(ClusterError, match="context nowhere"):
        cluster_reservations("nowhere")
    with pytest.raises(ClusterError, match="not installed"):
        cluster_reservations(kubectl="kubectl-that-does-not-exist")


@needs_kubectl
def test_render_avoids_the_clusters_ports(
    kubeconfig: Path, write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(
        'api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])\napp = '
        'App("web", labels={"app": "web"}, containers=[api], services=[Service("web", '
        'type="NodePort", ports=[api.port("http").expose(), api.port("admin").expose()])])\n'
    )
    result = run_cli("render", "app.py", "--reserve-cluster")
    assert result.code == 0, result.err
    assert "nodePort: 30002" in result.out and "nodePort: 30003" in result.out
    denied = run_cli("render", "app.py", "--reserve-cluster=denied", "--lock", "other.lock")
    assert denied.code == 2 and "logged in" in denied.err and not (tmp_path / "other.lock").exists()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nreserve-cluster = "test"\nlock = "svcgen.lock"\n'
    )
    assert "reserved (cluster (context test))" in run_cli("ports", "app.py").out


def fake_kubectl(tmp_path: Path, stdout: bytes, stderr: bytes = b"", code: int = 0) -> str:
    """A kubectl that prints ``stdout`` and ``stderr`` as they are (bytes) and exits with
    ``code``."""
    script = tmp_path / "kubectl"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.buffer.write({stdout!r})\n"
        f"sys.stderr.buffer.write({stderr!r})\nsys.exit({code})\n"
    )
    script.chmod(0o755)
    return str(script)


def test_kubectl_output_that_is_not_utf8_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    listing = (
        b'{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Service", '
        b'"metadata": {"name": "caf\xe9"}, "spec": {"ports": [{"port": 80, "nodePort": 30000}]}}]}'
    )
    offset = listing.index(b"\xe9")
    with pytest.raises(ClusterError) as caught:
        cluster_reservations(kubectl=fake_kubectl(tmp_path, listing))
    assert str(caught.value) == (
        "svcgen: error: --reserve-cluster: kubectl get services (the current context) printed "
        "what is not UTF-8 "
        f"JSON (byte 0xe9 at offset {offset}); check that {tmp_path / 'kubectl'} is kubectl "
        "itself, not a wrapper"
    )
    # UTF-8 (whatever the locale) is read: kubectl's JSON is UTF-8
    (found,) = cluster_reservations(
        kubectl=fake_kubectl(tmp_path, listing.replace(b"\xe9", "é".encode()))
    )
    assert (found.service, found.node_port) == ("café", 30000)


def test_kubectls_message_reaches_the_terminal_escaped(tmp_path: Path) -> None:
    """kubectl may quote the API server (or a proxy): no escape sequence, no bytes that are not
    UTF-8,
    one line."""
    stderr = b"I1206 retrying\nerror: \x1b]0;owned\x07denied \xff\x1b[2J\r\n"
    with pytest.raises(ClusterError) as caught:
        cluster_reservations(kubectl=fake_kubectl(tmp_path, b"", stderr, 1))
    assert str(caught.value) == (
        "svcgen: error: --reserve-cluster: kubectl get services failed (the current "
        "context): error: \\x1b]0;owned\\x07denied \ufffd\\x1b[2J"
    )
