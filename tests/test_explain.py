"""svcgen explain: the port chain as text, Mermaid, SVG and HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_cli


def test_text_chain_for_the_seed(example: Callable[[str], Path]) -> None:
    result = run_cli("explain", str(example("seed") / "app.py"))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Service my-service (NodePort)"
    assert lines[1] == ("  http TCP: <node-ip>:30000 → my-service:8080 (my-service.<namespace>.svc.cluster.local) → "
                        "targetPort 5000 → container node-app:5000 (http)")
    assert lines[2].startswith("    inside the cluster: my-service.<namespace>.svc.cluster.local:8080 (TCP)")
    assert lines[3] == "    from outside: <any-node-ip>:30000"


def test_every_kind_of_service_is_explained(example: Callable[[str], Path]) -> None:
    out = run_cli("explain", str(example("webshop") / "app.py")).out
    assert "Service shop/orders-db (headless ClusterIP)" in out and "resolves to each pod's IP" in out
    assert "DNS alias (CNAME) for api.payments.example.com" in out
    assert "kubectl port-forward -n shop service/catalog 9000:9000" in out
    assert "<load-balancer-address>:80 (kubectl get service catalog-admin -n shop), or <any-node-ip>:30000" in out
    assert "targetPort metrics → container frontend:9090 (metrics)" in out


def test_explain_writes_nothing(write_app: Callable[..., Path], tmp_path: Path) -> None:
    write_app("""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", type="NodePort", ports=[api.port("http").expose(80)])])
    """)
    assert "<node-ip>:30000" in run_cli("explain", "app.py").out
    assert not (tmp_path / "svcgen.lock").exists()


def test_mermaid(example: Callable[[str], Path]) -> None:
    out = run_cli("explain", str(example("seed") / "app.py"), "--format", "mermaid").out
    assert out.splitlines() == [
        "flowchart LR",
        '  subgraph svc0["Service my-service (NodePort)"]',
        '    np0["#lt;node-ip#gt;:30000"] --> sp0["my-service:8080 TCP"] --> tp0["targetPort 5000"] --> '
        'cp0["node-app:5000 (http)"]',
        '    np1["#lt;node-ip#gt;:31000"] --> sp1["my-service:8081 TCP"] --> tp1["targetPort 6000"] --> '
        'cp1["node-app:6000 (metrics)"]',
        "  end",
    ]


def test_svg_and_html(example: Callable[[str], Path]) -> None:
    app = str(example("webshop") / "app.py")
    svg = run_cli("explain", app, "--format", "svg").out
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<node-ip>:30080" in texts and "targetPort: metrics" in texts and "frontend:8080 (http)" in texts
    html = run_cli("explain", app, "--format", "html").out
    assert html.startswith("<!doctype html>") and "<svg" in html and "flowchart LR" in html


@pytest.mark.parametrize(("name", "fmt", "doc"), [
    ("webshop", "svg", "explain-webshop.svg"), ("seed", "svg", "explain-seed.svg"),
    ("seed", "mermaid", "explain-seed.mmd"), ("platform", "svg", "explain-platform.svg"),
    ("platform", "mermaid", "explain-platform.mmd"),
])
def test_the_committed_pictures_are_current(name: str, fmt: str, doc: str, example: Callable[[str], Path]) -> None:
    out = run_cli("explain", str(example(name) / "app.py"), "--format", fmt).out
    assert out == (ROOT / "docs" / doc).read_text()


def test_local_traffic_health_checks_and_aliases_appear_in_every_format(example: Callable[[str], Path]) -> None:
    app = str(example("webshop") / "app.py")
    text = run_cli("explain", app).out
    assert "only nodes running a ready pod answer on the nodePort, and the client's source IP is kept" in text
    mermaid = run_cli("explain", app, "--format", "mermaid").out
    assert "health check #lt;node-ip#gt;:30002" in mermaid and "(Local: nodes with a ready pod)" in mermaid
    assert 'ext' in mermaid and "api.payments.example.com" in mermaid
    svg = run_cli("explain", app, "--format", "svg").out
    texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "DNS alias (CNAME) → api.payments.example.com" in texts
    assert any("health checks probe <node-ip>:30002" in t for t in texts)


def test_the_html_page_is_self_contained(example: Callable[[str], Path]) -> None:
    page = run_cli("explain", str(example("webshop") / "app.py"), "--format", "html").out
    assert page.startswith("<!doctype html>") and "<svg" in page and "<script" not in page
    assert re.findall(r'(?:src|href)="', page) == []
    assert "<link" not in page and "@import" not in page and "url(http" not in page  # nothing is fetched
    assert "<textarea readonly" in page and "flowchart LR" in page


def test_the_whole_chain_from_host_and_path_to_the_container(example: Callable[[str], Path]) -> None:
    """Ingress rule or route → Service port → targetPort → container, and what else uses each port."""
    app = str(example("platform") / "app.py")
    text = run_cli("explain", app).out
    assert "    https://api.example.com/ → Ingress platform/api → api:80\n" in text
    assert "    api.example.com/v2 → HTTPRoute platform/api via Gateway gateways/edge → api:80\n" in text
    assert "    ServiceMonitor platform/api scrapes /metrics every 30s\n" in text
    assert ("container port http is also used by: liveness probe (GET /livez); readiness probe (GET /readyz); "
            "NetworkPolicy platform/api-from-ingress (admits namespaces kubernetes.io/metadata.name=ingress-nginx)"
            in text)
    assert "startup probe (gRPC health check)" in text
    mermaid = run_cli("explain", app, "--format", "mermaid").out
    assert 'in0x0["https://api.example.com/ · Ingress platform/api"] --> sp0' in mermaid
