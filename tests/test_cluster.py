"""--reserve-cluster: the real kubectl against a small API server on 127.0.0.1, through a kubeconfig."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import run_cli

from svcgen.cluster import ClusterError, cluster_reservations

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")

SERVICES = {"apiVersion": "v1", "kind": "ServiceList", "metadata": {"resourceVersion": "1"}, "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ingress", "namespace": "kube-system"},
     "spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": 32100,
              "ports": [{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30000},
                        {"name": "https", "port": 443, "protocol": "TCP", "nodePort": 30001}]}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default"},
     "spec": {"type": "ClusterIP", "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}}]}
DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "services", "singularName": "service", "namespaced": True, "kind": "Service",
         "verbs": ["get", "list"], "shortNames": ["svc"]}]},
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/denied"):  # the "denied" context's cluster URL
            self._send(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized",
                             "message": "Unauthorized", "code": 401})
        elif path == "/version":
            self._send(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"})
        elif path in DISCOVERY:
            self._send(200, DISCOVERY[path])
        elif path == "/api/v1/services":
            self._send(200, SERVICES)
        else:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                             "message": f"{path} not found", "code": 404})

    def _send(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    config = tmp_path / "kubeconfig"
    config.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "local", "cluster": {"server": url}},
                     {"name": "locked", "cluster": {"server": url + "/denied"}}],
        "users": [{"name": "someone", "user": {}}],
        "contexts": [{"name": "test", "context": {"cluster": "local", "user": "someone"}},
                     {"name": "denied", "context": {"cluster": "locked", "user": "someone"}}]}))
    monkeypatch.setenv("KUBECONFIG", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))  # kubectl's discovery cache goes here
    yield config
    server.shutdown()


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
