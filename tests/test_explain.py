"""svcgen explain: the port chain as text, Mermaid, SVG and HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from svcgen.dsl.usage import Use
from svcgen.explain import Chain, to_html, to_mermaid, to_svg, to_text


def test_text_chain_for_the_seed(example: Callable[[str], Path]) -> None:
    result = run_cli("explain", str(example("seed") / "app.py"))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Service my-service (NodePort)"
    assert lines[1] == (
        "  http TCP: <node-ip>:30000 → my-service:8080 (my-service.<namespace>.svc.cluster.local) "
        "→ targetPort 5000 → container node-app:5000 (http)"
    )
    assert lines[2].startswith(
        "    inside the cluster: my-service.<namespace>.svc.cluster.local:8080 (TCP)"
    )
    assert lines[3] == "    from outside: <any-node-ip>:30000"


def test_every_kind_of_service_is_explained(example: Callable[[str], Path]) -> None:
    out = run_cli("explain", str(example("webshop") / "app.py")).out
    assert (
        "Service shop/orders-db (headless ClusterIP)" in out and "resolves to each pod's IP" in out
    )
    assert "DNS alias (CNAME) for api.payments.example.com" in out
    assert "kubectl port-forward -n shop service/catalog 9000:9000" in out
    assert (
        "<load-balancer-address>:80 (kubectl get service catalog-admin -n shop), or "
        "<any-node-ip>:30000" in out
    )
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
        '    np0["#lt;node-ip#gt;:30000"] --> sp0["my-service:8080 TCP"] --> tp0["targetPort '
        '5000"] --> cp0["node-app:5000 (http)"]',
        '    np1["#lt;node-ip#gt;:31000"] --> sp1["my-service:8081 TCP"] --> tp1["targetPort '
        '6000"] --> cp1["node-app:6000 (metrics)"]',
        "  end",
    ]


def test_svg_and_html(example: Callable[[str], Path]) -> None:
    app = str(example("webshop") / "app.py")
    svg = run_cli("explain", app, "--format", "svg").out
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert (
        "<node-ip>:30080" in texts
        and "targetPort: metrics" in texts
        and "frontend:8080 (http)" in texts
    )
    html = run_cli("explain", app, "--format", "html").out
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "flowchart LR" in html
    ET.fromstring(html)  # XHTML-compatible: well-formed XML


@pytest.mark.parametrize(
    ("name", "fmt", "doc"),
    [
        ("webshop", "svg", "explain-webshop.svg"),
        ("seed", "svg", "explain-seed.svg"),
        ("seed", "mermaid", "explain-seed.mmd"),
        ("platform", "svg", "explain-platform.svg"),
        ("platform", "mermaid", "explain-platform.mmd"),
    ],
)
def test_the_committed_pictures_are_current(
    name: str, fmt: str, doc: str, example: Callable[[str], Path]
) -> None:
    out = run_cli("explain", str(example(name) / "app.py"), "--format", fmt).out
    assert out == (ROOT / "docs" / doc).read_text()


def test_local_traffic_health_checks_and_aliases_appear_in_every_format(
    example: Callable[[str], Path],
) -> None:
    app = str(example("webshop") / "app.py")
    text = run_cli("explain", app).out
    assert (
        "only nodes running a ready pod answer on the nodePort, and the client's source IP is kept"
        in text
    )
    mermaid = run_cli("explain", app, "--format", "mermaid").out
    assert (
        "health check #lt;node-ip#gt;:30002" in mermaid
        and "(Local: nodes with a ready pod)" in mermaid
    )
    assert "ext" in mermaid and "api.payments.example.com" in mermaid
    svg = run_cli("explain", app, "--format", "svg").out
    texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "DNS alias (CNAME) → api.payments.example.com" in texts
    assert any("health checks probe <node-ip>:30002" in t for t in texts)


def test_the_html_page_is_self_contained(example: Callable[[str], Path]) -> None:
    page = run_cli("explain", str(example("webshop") / "app.py"), "--format", "html").out
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<script" not in page
    assert re.findall(r'(?:src|href)="', page) == []
    assert (
        "<link" not in page and "@import" not in page and "url(http" not in page
    )  # nothing is fetched
    assert "<textarea readonly" in page and "flowchart LR" in page


def test_the_whole_chain_from_host_and_path_to_the_container(
    example: Callable[[str], Path],
) -> None:
    """Ingress rule or route → Service port → targetPort → container, and what else uses each
    port."""
    app = str(example("platform") / "app.py")
    text = run_cli("explain", app).out
    assert "    https://api.example.com/ → Ingress platform/api → api:80\n" in text
    assert (
        "    api.example.com/v2 → HTTPRoute platform/api via Gateway gateways/edge → api:80\n"
        in text
    )
    assert "    ServiceMonitor platform/api scrapes /metrics every 30s\n" in text
    assert (
        "container port http is also used by: liveness probe (GET /livez); readiness "
        "probe (GET /readyz); NetworkPolicy platform/api-from-ingress (admits namespaces "
        "kubernetes.io/metadata.name=ingress-nginx)" in text
    )
    assert "startup probe (gRPC health check)" in text
    mermaid = run_cli("explain", app, "--format", "mermaid").out
    assert 'in0x0["https://api.example.com/ · Ingress platform/api"] --> sp0' in mermaid


def test_a_service_behind_an_ingress_or_a_route_is_said_to_be_reached_from_outside(
    example: Callable[[str], Path],
) -> None:
    text = run_cli("explain", str(example("platform") / "app.py")).out.splitlines()
    outside = [line for line in text if line.startswith("    from outside: ")]
    assert outside == [
        "    from outside: through Ingress platform/api (https://api.example.com/), HTTPRoute "
        "platform/api via Gateway gateways/edge (api.example.com/v2); for a test: kubectl "
        "port-forward -n platform service/api 8080:80",
        "    from outside: not exposed (ClusterIP); for a test: kubectl port-forward -n platform "
        "service/api 9000:9000",
        "    from outside: not exposed (ClusterIP); for a test: kubectl port-forward -n platform "
        "service/api-metrics 9090:9090",
    ]


def test_only_what_reaches_a_port_from_outside_exposes_it(write_app: Callable[..., Path]) -> None:
    write_app("""
        from svcgen import GatewayRef, HTTPRoute, Ingress, IngressRule, RouteRule
        api = Container("api", ports=[Port("http", 8080), Port("dns", 5353, protocol="UDP")])
        web = Service("web", ports=[api.port("http").expose(443)])
        node = Service("node", type="NodePort", ports=[api.port("http").expose(80)])
        inner = Service("inner", ports=[api.port("http").expose(80), api.port("dns").expose(53)])
        app = App("web", namespace="shop", labels={"app": "web"}, containers=[api],
                  services=[web, node, inner],
                  consumers=[Ingress("web",
                                     rules=[IngressRule(None, paths={"/": web.port("http")})]),
                             HTTPRoute("node", parents=[GatewayRef("edge")],
                                       rules=[RouteRule("/n", backends=[node.port("http")])]),
                             HTTPRoute("inner",
                                       rules=[RouteRule("/i", backends=[inner.port("http")])])])
    """)
    result = run_cli("explain", "app.py")
    assert result.code == 0, result.err
    assert [line for line in result.out.splitlines() if line.startswith("    from outside: ")] == [
        "    from outside: through Ingress shop/web (<any host>/); for a test: kubectl "
        "port-forward -n shop service/web 8443:443",
        "    from outside: <any-node-ip>:30000; also through HTTPRoute shop/node via Gateway edge "
        "(*/n)",
        # a route attached to no Gateway brings nothing from outside
        "    from outside: not exposed (ClusterIP); for a test: kubectl port-forward -n shop "
        "service/inner 8080:80",
        "    from outside: not exposed (ClusterIP); kubectl port-forward forwards TCP only: test "
        "UDP from a pod in the cluster",
    ]


@pytest.mark.parametrize(
    ("port", "local"),
    [
        (1, 8001),
        (53, 8053),
        (80, 8080),
        (443, 8443),
        (1023, 9023),
        (1024, 1024),
        (9000, 9000),
        (65535, 65535),
    ],
)
def test_the_port_forward_hint_takes_a_local_port_that_needs_no_root(port: int, local: int) -> None:
    from svcgen.explain import local_port

    assert local_port(port) == local and 1024 <= local <= 65535


# Hostile text: what an Ingress path, a route or a hand-made Chain may hold (names are validated,
# paths much less). Each must stay inside its label: no new Mermaid statement, no broken XML.
HOSTILE = [
    '/x"]\n  click sp0 call alert()\n%%{init: {}}%%',
    "a;b#c`d[e]{f}|g\\h",
    "\x00\x01\x1b[31m\x7f",
    "\r\u2028\u2029\x85\x0b\x0c",
    "\ud800\udfff\ufffe\uffff",
    "\u202e<&>'\"",
    "#quot;#35;",
    "",
]
_LABEL = r'"(?:[^"#;%`{}\[\]|\\<>&]|#(?:amp|quot|lt|gt|[0-9]+);)*"'
_NODE = rf"(?:np|sp|tp|cp|dns|ext|hc|in)[0-9]+(?:x[0-9]+)?\[{_LABEL}\]"
_MERMAID_LINE = re.compile(
    rf"flowchart LR|  subgraph svc[0-9]+\[{_LABEL}\]|  end"
    rf"|    {_NODE}(?: --> {_NODE})*(?: --> sp[0-9]+)?|    {_NODE} -\.- sp[0-9]+"
)


def _hostile_chains(text: str) -> list[Chain]:
    use = Use(text, "Ingress", text, text)
    return [
        Chain(
            text,
            text,
            "NodePort",
            False,
            None,
            text,
            text,
            80,
            text,
            text,
            8080,
            text,
            30000,
            text,
            30001,
            True,
            (use, Use(text, "ServiceMonitor", text)),
            (use,),
        ),
        Chain(text, text + "2", "ExternalName", False, text, "", "", 0, "", "", 0, "", None, None),
    ]


def _check_every_format(text: str) -> None:
    items = _hostile_chains(text)
    mermaid = to_mermaid(items)
    for line in mermaid.splitlines():
        assert _MERMAID_LINE.fullmatch(line), line
        assert line.isprintable(), line
    assert (
        mermaid.count("\n") == 10
    )  # flowchart; subgraph, health check, chain, 2 uses, end; subgraph, alias, end
    for picture in (to_svg(items), to_html(items)):
        picture.encode("utf-8")  # no lone surrogate
        ET.fromstring(picture)
    for line in to_text(items).splitlines():
        assert line.isprintable(), line


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_names_and_paths_stay_inside_their_labels(text: str) -> None:
    _check_every_format(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_starts_a_mermaid_statement_or_breaks_the_xml(text: str) -> None:
    _check_every_format(text)


def test_a_path_with_a_newline_injects_no_click_directive(write_app: Callable[..., Path]) -> None:
    write_app("""
        from svcgen.dsl.consumers import Ingress, IngressRule
        api = Container("api", ports=[Port("http", 8080)])
        svc = Service("api", type="NodePort", ports=[api.port("http").expose(80)])
        app = App("api", labels={"app": "api"}, containers=[api], services=[svc], consumers=[
            Ingress("api", rules=[IngressRule("a.example.com", paths={
                '/x"]\\n  click sp0 call alert()\\n%%': svc.port("http")})])])
    """)
    mermaid = run_cli("explain", "app.py", "--format", "mermaid")
    assert mermaid.code == 0, mermaid.err
    assert [line for line in mermaid.out.splitlines() if "click" in line] == [
        '    in0x0["http://a.example.com/x#quot;#93;#10;  click sp0 call alert()#10;#37;#37; · '
        'Ingress api"] --> sp0'
    ]
    text = run_cli("explain", "app.py").out
    assert (
        '    http://a.example.com/x"]\\n  click sp0 call alert()\\n%% → Ingress api → api:80\n'
        in text
    )
    for fmt in ("svg", "html"):
        ET.fromstring(run_cli("explain", "app.py", "--format", fmt).out)


def test_control_characters_in_the_svg_are_shown_escaped() -> None:
    svg = ET.fromstring(to_svg(_hostile_chains("a\x01b\nc")))
    texts = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "a\\x01b\\nc:80/a\\x01b\\nc" in texts


def _row(service: str, port: int, health_check: int | None = None, local: bool = False) -> Chain:
    return Chain(
        "ns",
        service,
        "LoadBalancer",
        False,
        None,
        f"p{port}",
        "TCP",
        port,
        str(port),
        "c",
        port,
        f"p{port}",
        30000 + port,
        None,
        health_check,
        local,
    )


def test_the_svg_is_as_high_as_its_rows_titles_and_the_notes_of_each_services_first_row() -> None:
    """A Service's title and note are drawn once, before its first row: the height counts each
    once."""
    rows = [
        _row("a", 1, health_check=31000),
        _row("a", 2, health_check=31000),
        _row("b", 3),
        _row("c", 4, local=True),
        _row("c", 5, local=True),
        _row("d", 6),
    ]
    svg = ET.fromstring(to_svg(rows))
    height = 20 + 40 + 6 * 70 + 4 * 30 + 2 * 22 + 10  # 6 rows, 4 titles, 2 notes (a and c)
    assert svg.get("height") == str(height) and svg.get("viewBox") == f"0 0 1018 {height}"
    ns = "{http://www.w3.org/2000/svg}"
    notes = [t.text for t in svg.iter(f"{ns}text") if t.get("font-style") == "italic"]
    assert notes == [
        "health checks probe <node-ip>:31000",
        "Local: only nodes with a ready pod answer; the client's IP is kept",
    ]
    bottom = max(
        float(r.get("y", 0)) + float(r.get("height", 0))
        for r in svg.iter(f"{ns}rect")
        if r.get("rx")
    )
    assert bottom + 70 - 44 + 10 == height  # the last row's box, its row's gap and the margin


def test_the_svg_reads_each_rows_service_title_a_few_times_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The picture of N Services takes time in proportion to N: no search of every row per Service.

    Counted, not timed: the title of each row is read a bounded number of times.
    """
    reads = []
    title = Chain.title

    def counted(chain: Chain) -> str:
        reads.append(chain)
        return title.fget(chain)  # type: ignore[attr-defined, no-any-return]

    rows = [_row(f"s{i}", 80 + i % 2) for i in range(400) for _ in range(2)]
    expected = to_svg(rows)
    monkeypatch.setattr(Chain, "title", property(counted))
    assert to_svg(rows) == expected
    assert len(reads) <= 3 * len(rows)
