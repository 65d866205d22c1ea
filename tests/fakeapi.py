"""A small Kubernetes API server on 127.0.0.1 for the real kubectl: discovery, a Service list, and
creates it records (the JSON kubectl sends). Used through :func:`fake_api_server`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SERVICES = {
    "apiVersion": "v1",
    "kind": "ServiceList",
    "metadata": {"resourceVersion": "1"},
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "ingress", "namespace": "kube-system"},
            "spec": {
                "type": "LoadBalancer",
                "externalTrafficPolicy": "Local",
                "healthCheckNodePort": 32100,
                "ports": [
                    {"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30000},
                    {"name": "https", "port": 443, "protocol": "TCP", "nodePort": 30001},
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default"},
            "spec": {
                "type": "ClusterIP",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP"}],
            },
        },
    ],
}
DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api/v1": {
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {
                "name": "services",
                "singularName": "service",
                "namespaced": True,
                "kind": "Service",
                "verbs": ["create", "get", "list"],
                "shortNames": ["svc"],
            }
        ],
    },
}


class _Server(ThreadingHTTPServer):
    posted: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/denied"):  # the "denied" context's cluster URL
            self._send(
                401,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": "Unauthorized",
                    "message": "Unauthorized",
                    "code": 401,
                },
            )
        elif path == "/version":
            self._send(
                200,
                {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"},
            )
        elif path in DISCOVERY:
            self._send(200, DISCOVERY[path])
        elif path == "/api/v1/services":
            self._send(200, SERVICES)
        else:
            self._send(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": "NotFound",
                    "message": f"{path} not found",
                    "code": 404,
                },
            )

    def do_POST(self) -> None:  # a create: keep what kubectl sent, answer with it
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.server.posted.append(body)
        self._send(201, body)

    def _send(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


class FakeCluster:
    def __init__(self, kubeconfig: Path, posted: list[dict[str, Any]]) -> None:
        self.kubeconfig = kubeconfig
        self.posted = posted


@contextmanager
def fake_api_server(folder: Path) -> Iterator[FakeCluster]:
    """Serve until the block ends; ``folder/kubeconfig`` has the contexts "test" and "denied"."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.posted = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    config = folder / "kubeconfig"
    config.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "test",
                "clusters": [
                    {"name": "local", "cluster": {"server": url}},
                    {"name": "locked", "cluster": {"server": url + "/denied"}},
                ],
                "users": [{"name": "someone", "user": {}}],
                "contexts": [
                    {
                        "name": "test",
                        "context": {"cluster": "local", "user": "someone", "namespace": "default"},
                    },
                    {"name": "denied", "context": {"cluster": "locked", "user": "someone"}},
                ],
            }
        )
    )
    try:
        yield FakeCluster(config, server.posted)
    finally:
        server.shutdown()
