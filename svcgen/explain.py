"""``svcgen explain``: each Service port's port chain, as text, a Mermaid flowchart or an SVG.

``<node-ip>:nodePort → service:port (DNS name) → targetPort → container:containerPort (name)``, the
picture people draw by hand to tell port, targetPort and nodePort apart, with what comes before
(``https://host/path → Ingress``, routes) and what else uses the ports (monitors, probes,
NetworkPolicies). Pure: apps and their nodePorts in, text out.

Every format takes time in proportion to the number of chains: :func:`to_svg` finds each
Service's first row (whose note it draws) in one pass over the rows, not by searching the rows
once per Service (which made 2x the Services take 2.7x the time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from svcgen.dsl.model import App
from svcgen.dsl.policy import emits_workload, health_check_key, port_key, target_port
from svcgen.dsl.usage import PortUses, Use
from svcgen.nodeports.lock import PortKey

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

__all__ = ["Chain", "chains", "local_port", "to_html", "to_mermaid", "to_svg", "to_text"]


@dataclass(frozen=True)
class Chain:
    """One Service port, from the outside in."""

    namespace: str | None
    service: str
    type: str
    headless: bool
    external_name: str | None
    port_name: str
    protocol: str
    port: int
    target: str
    container: str
    container_port: int
    container_port_name: str
    node_port: int | None
    app_protocol: str | None
    health_check: int | None = None
    local: bool = False
    """externalTrafficPolicy Local: only nodes with a ready pod answer, and the client's IP is
    kept."""
    reached_by: tuple[Use, ...] = ()
    """The Ingress rules and routes that send traffic to this Service port, and its
    ServiceMonitors."""
    used_by: tuple[Use, ...] = ()
    """What else uses the container port: probes, PodMonitors, NetworkPolicies."""

    @property
    def dns(self) -> str:
        return f"{self.service}.{self.namespace or '<namespace>'}.svc.cluster.local"

    @property
    def title(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"Service {ns}{self.service} ({'headless ' if self.headless else ''}{self.type})"


def chains(
    apps: Sequence[App], node_ports: Mapping[PortKey, int], *, with_workloads: bool = False
) -> list[Chain]:
    """Every Service port of ``apps`` with its nodePort (``node_ports`` by lock key)."""
    found = []
    uses = PortUses(apps)
    for app in apps:
        named = emits_workload(app, with_workloads)
        for service in app.services:
            health_check = node_ports.get(health_check_key(app, service))
            for sp in service.ports:
                found.append(
                    Chain(
                        app.namespace,
                        service.name,
                        service.type,
                        service.headless,
                        service.external_name,
                        sp.port_name,
                        sp.protocol,
                        sp.service_port,
                        str(target_port(sp, named)),
                        sp.container.name,
                        sp.target.number,
                        sp.target.name or "",
                        node_ports.get(port_key(app, service, sp)),
                        sp.app_protocol,
                        health_check,
                        service.external_traffic_policy == "Local",
                        tuple(uses.service_port(sp)),
                        tuple(uses.container_port(sp.container, sp.target)),
                    )
                )
            if not service.ports and service.type == "ExternalName":
                found.append(
                    Chain(
                        app.namespace,
                        service.name,
                        service.type,
                        False,
                        service.external_name,
                        "",
                        "",
                        0,
                        "",
                        "",
                        0,
                        "",
                        None,
                        None,
                    )
                )
    return found


def _inside(chain: Chain) -> str:
    scheme = f"{chain.app_protocol}://" if chain.app_protocol in ("http", "https") else ""
    if chain.headless:
        return (
            f"{chain.dns} resolves to each pod's IP: connect to "
            f"{chain.container_port}/{chain.protocol} "
            "on the pods directly (no virtual IP, port is not translated)"
        )
    return (
        f"{scheme}{chain.dns}:{chain.port} ({chain.protocol}), or {chain.service}:{chain.port} "
        "from the same namespace"
    )


_LOCAL = (
    "; externalTrafficPolicy Local: only nodes running a ready pod answer on the nodePort, and the "
    "client's source IP is kept"
)


def local_port(port: int) -> int:
    """The local end of a ``kubectl port-forward`` to ``port``: one a user may open without root.

    The port itself from 1024 up (9000 → 9000); below, 8000 + the port (80 → 8080, 443 → 8443,
    53 → 8053), so that the usual ports keep their usual local twins.
    """
    return port if port >= 1024 else 8000 + port


def _port_forward(chain: Chain) -> str:
    if chain.protocol != "TCP":  # kubectl port-forward forwards TCP only
        return (
            f"kubectl port-forward forwards TCP only: test {chain.protocol} from a pod in the "
            "cluster"
        )
    ns = f" -n {chain.namespace}" if chain.namespace else ""
    return (
        f"for a test: kubectl port-forward{ns} service/{chain.service} "
        f"{local_port(chain.port)}:{chain.port}"
    )


def _outside(chain: Chain) -> str:
    """How the port is reached from outside the cluster: nodePort, load balancer, Ingresses, routes.

    "not exposed" only when none of them exposes it.
    """
    ns = f" -n {chain.namespace}" if chain.namespace else ""
    local = _LOCAL if chain.local else ""
    through = ", ".join(f"{use.by} ({use.entry})" for use in chain.reached_by if use.outside)
    if chain.type == "NodePort":
        node_port = chain.node_port if chain.node_port else "<nodePort chosen by the cluster>"
        return f"<any-node-ip>:{node_port}{local}" + (
            f"; also through {through}" if through else ""
        )
    if chain.type == "LoadBalancer":
        via_node = f", or <any-node-ip>:{chain.node_port}" if chain.node_port else ""
        return (
            f"<load-balancer-address>:{chain.port} (kubectl get service "
            f"{chain.service}{ns}){via_node}{local}"
            + (f"; also through {through}" if through else "")
        )
    if through:
        return f"through {through}; {_port_forward(chain)}"
    return f"not exposed (ClusterIP); {_port_forward(chain)}"


def to_text(items: Sequence[Chain]) -> str:
    """One block per Service, one chain per port, and how to reach it from inside and outside."""
    lines: list[str] = []
    title = None
    for chain in items:
        if chain.title != title:
            title = chain.title
            lines.extend(["", title] if lines else [title])
            if chain.health_check:
                lines.append(
                    f"  health checks: the load balancer probes <node-ip>:{chain.health_check} "
                    "(healthCheckNodePort) to find the nodes that run a pod"
                )
        if chain.type == "ExternalName":
            lines.append(
                f"  {chain.dns} → DNS alias (CNAME) for {chain.external_name}; no ports are "
                "translated"
            )
            continue
        node = f"<node-ip>:{chain.node_port} → " if chain.node_port else ""
        lines.append(
            f"  {chain.port_name or '(unnamed)'} {chain.protocol}: "
            f"{node}{chain.service}:{chain.port} "
            f"({chain.dns}) → targetPort {chain.target} → container {_container_port(chain)}"
        )
        lines.extend(
            f"    {use.entry} → {use.by} → {chain.service}:{chain.port}"
            for use in chain.reached_by
            if use.kind != "ServiceMonitor"
        )
        lines.append(f"    inside the cluster: {_inside(chain)}")
        lines.append(f"    from outside: {_outside(chain)}")
        lines.extend(
            f"    {use.by} {use.entry}" for use in chain.reached_by if use.kind == "ServiceMonitor"
        )
        if chain.used_by:
            lines.append(
                f"    container port {chain.container_port_name or chain.container_port} is also "
                "used by: " + "; ".join(f"{use.by} ({use.entry})" for use in chain.used_by)
            )
    return "".join(_visible(line) + "\n" for line in lines)


def _container_port(chain: Chain) -> str:
    """``api:8080 (http)``, or ``api:8080`` for a container port without a name."""
    name = f" ({chain.container_port_name})" if chain.container_port_name else ""
    return f"{chain.container}:{chain.container_port}{name}"


def _visible(text: str) -> str:
    r"""``text`` with every character that is not printable written as its Python escape.

    Control characters, line and paragraph separators, lone surrogates, bidi overrides and
    noncharacters become ``\n``, ``\x1b``, ``\u2028``...: one line stays one line, a terminal
    runs no escape sequence, and the text is valid in XML 1.0.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


# Mermaid's entity codes (#quot;, #35;): a label holds no quote to end it, no line break or ";" to
# start a statement (a "click ... call" directive), no "%%" comment or directive, no "#" that would
# read as the start of an entity, no bracket, brace, backtick or pipe of Mermaid's shape syntax.
_MERMAID_NAMED = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}
_MERMAID_SYNTAX = frozenset("#;%`{}[]|\\")


def _mermaid_label(text: str) -> str:
    """``text`` as a quoted Mermaid label in which no character can end it or start a statement.

    Every character that could is written as an entity.
    """
    return (
        '"'
        + "".join(
            _MERMAID_NAMED.get(char)
            or (f"#{ord(char)};" if char in _MERMAID_SYNTAX or not char.isprintable() else char)
            for char in text
        )
        + '"'
    )


def to_mermaid(items: Sequence[Chain]) -> str:
    """A Mermaid flowchart: a subgraph per Service, one left-to-right chain per port."""
    out = ["flowchart LR"]
    by_service: dict[str, list[tuple[int, Chain]]] = {}
    for i, chain in enumerate(items):
        by_service.setdefault(chain.title, []).append((i, chain))
    for s, (title, group) in enumerate(by_service.items()):
        out.append(f"  subgraph svc{s}[{_mermaid_label(title)}]")
        first = group[0][1]
        if first.health_check:
            label = f"health check <node-ip>:{first.health_check}"
            out.append(f"    hc{s}[{_mermaid_label(label)}] -.- sp{group[0][0]}")
        for i, chain in group:
            if chain.type == "ExternalName":
                target = _mermaid_label(str(chain.external_name))
                out.append(f"    dns{i}[{_mermaid_label(chain.dns)}] --> ext{i}[{target}]")
                continue
            steps = []
            if chain.node_port:
                local = " (Local: nodes with a ready pod)" if chain.local else ""
                steps.append(f"np{i}[{_mermaid_label(f'<node-ip>:{chain.node_port}{local}')}]")
            steps.append(
                f"sp{i}[{_mermaid_label(f'{chain.service}:{chain.port} {chain.protocol}')}]"
            )
            steps.append(f"tp{i}[{_mermaid_label(f'targetPort {chain.target}')}]")
            container = _container_port(chain)
            steps.append(f"cp{i}[{_mermaid_label(container)}]")
            out.append("    " + " --> ".join(steps))
            out.extend(
                f"    in{i}x{k}[{_mermaid_label(f'{use.entry} · {use.by}')}] --> sp{i}"
                for k, use in enumerate(chain.reached_by)
            )
        out.append("  end")
    return "\n".join(out) + "\n"


_BOX_W, _BOX_H, _GAP, _ROW, _LEFT, _TOP = 210, 44, 46, 70, 20, 20
_COLUMNS = ("nodePort (every node)", "Service port", "targetPort", "container port")
_COLORS = ("#fde2c8", "#cfe3fb", "#e3d7f7", "#d4f0d6")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; attribute names use ``_`` for ``-`` (``text_anchor`` → ``text-anchor``)."""
    import xml.etree.ElementTree as ET  # only the picture formats need it

    element = ET.SubElement(
        parent, tag, {k.replace("_", "-"): _visible(str(v)) for k, v in attrs.items()}
    )
    element.text = (
        None if text is None else _visible(text)
    )  # XML 1.0 forbids most control characters
    return element


def _svg_note(chain: Chain) -> str:
    """A line under a Service's title: its health-check port, and what traffic policy Local does.

    The policy is externalTrafficPolicy.
    """
    parts = []
    if chain.health_check:
        parts.append(f"health checks probe <node-ip>:{chain.health_check}")
    if chain.local:
        parts.append("Local: only nodes with a ready pod answer; the client's IP is kept")
    return " · ".join(parts)


def to_svg(items: Sequence[Chain]) -> str:
    """The port chains as an SVG picture: a row per port, four columns from nodePort to container.

    The columns: nodePort, Service port, targetPort, container port.
    """
    import xml.etree.ElementTree as ET  # only the picture formats need it

    rows = list(items)
    firsts: dict[str, Chain] = {}  # each Service's first row (by title), whose note is drawn
    for chain in rows:
        firsts.setdefault(chain.title, chain)
    notes = sum(1 for chain in firsts.values() if _svg_note(chain))
    height = _TOP + 40 + len(rows) * _ROW + len(firsts) * 30 + notes * 22 + 10
    width = _LEFT * 2 + 4 * _BOX_W + 3 * _GAP
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "font-family": "sans-serif",
            "font-size": "13",
        },
    )
    marker = _el(
        _el(svg, "defs"),
        "marker",
        id="arrow",
        markerWidth=10,
        markerHeight=8,
        refX=9,
        refY=4,
        orient="auto",
    )
    _el(marker, "path", d="M0,0 L10,4 L0,8 z", fill="#555")
    _el(svg, "rect", x=0, y=0, width=width, height=height, fill="white")
    for col, name in enumerate(_COLUMNS):
        x = _LEFT + col * (_BOX_W + _GAP) + _BOX_W / 2
        _el(svg, "text", name, x=x, y=_TOP + 14, text_anchor="middle", font_weight="bold")
    y = _TOP + 40
    title = None
    for chain in rows:
        if chain.title != title:
            title = chain.title
            _el(svg, "text", f"{title}  ·  {chain.dns}", x=_LEFT, y=y + 16, font_weight="bold")
            y += 30
            note = _svg_note(chain)
            if note:
                _el(svg, "text", note, x=_LEFT, y=y + 10, font_style="italic")
                y += 22
        if chain.type == "ExternalName":
            _el(
                svg,
                "rect",
                x=_LEFT + _BOX_W + _GAP,
                y=y,
                width=3 * _BOX_W + 2 * _GAP,
                height=_BOX_H,
                rx=8,
                fill=_COLORS[1],
                stroke="#777",
            )
            _el(
                svg,
                "text",
                f"DNS alias (CNAME) → {chain.external_name}",
                x=_LEFT + _BOX_W + _GAP + (3 * _BOX_W + 2 * _GAP) / 2,
                y=y + _BOX_H / 2 + 5,
                text_anchor="middle",
            )
            y += _ROW
            continue
        cells = [
            f"<node-ip>:{chain.node_port}" if chain.node_port else "—",
            f"{chain.service}:{chain.port}/{chain.protocol}",
            f"targetPort: {chain.target}",
            _container_port(chain),
        ]
        for col, cell in enumerate(cells):
            x = _LEFT + col * (_BOX_W + _GAP)
            _el(
                svg,
                "rect",
                x=x,
                y=y,
                width=_BOX_W,
                height=_BOX_H,
                rx=8,
                fill=_COLORS[col] if cell != "—" else "#f2f2f2",
                stroke="#777",
            )
            _el(svg, "text", cell, x=x + _BOX_W / 2, y=y + _BOX_H / 2 + 5, text_anchor="middle")
            if col < 3 and (col > 0 or chain.node_port):
                _el(
                    svg,
                    "line",
                    x1=x + _BOX_W,
                    y1=y + _BOX_H / 2,
                    x2=x + _BOX_W + _GAP - 2,
                    y2=y + _BOX_H / 2,
                    stroke="#555",
                    stroke_width=2,
                    marker_end="url(#arrow)",
                )
        if chain.reached_by:
            entries = "; ".join(f"{use.entry} ({use.by})" for use in chain.reached_by)
            _el(svg, "text", f"reached by: {entries}", x=_LEFT, y=y + _BOX_H + 16, font_size=11)
        y += _ROW
    ET.indent(svg)
    return ET.tostring(svg, encoding="unicode") + "\n"


def to_html(items: Sequence[Chain]) -> str:
    """One self-contained page: the picture, the text, and the Mermaid source to copy.

    The picture is inline SVG: the page needs no network and loads no script. The page is
    well-formed XML too (XHTML-compatible HTML), whatever the names and paths hold.
    """
    import html

    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta '
        'charset="utf-8"/>'
        "<title>svcgen explain</title>\n<style>body{font-family:sans-serif;margin:1.5em} "
        "textarea{width:100%;font-family:monospace}</style></head><body>\n<h1>svcgen "
        "explain</h1>\n"
        f"{to_svg(items)}<h2>The chains</h2>\n<pre>{html.escape(to_text(items))}</pre>\n"
        "<h2>Mermaid source</h2>\n<p>Copy it into a Markdown file or any Mermaid editor.</p>\n"
        f'<textarea readonly="readonly" rows="12">{html.escape(to_mermaid(items))}</textarea>\n'
        "</body></html>\n"
    )
