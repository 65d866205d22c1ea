"""``svcgen explain``: the port chain of every Service port, as text, a Mermaid flowchart or an SVG picture.

``<node-ip>:nodePort → service:port (DNS name) → targetPort → container:containerPort (name)``, the
picture people draw by hand to tell port, targetPort and nodePort apart. Pure: apps and their
nodePorts in, text out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from svcgen.dsl.model import App
from svcgen.dsl.policy import emits_workload, health_check_key, port_key, target_port
from svcgen.nodeports.lock import PortKey

__all__ = ["Chain", "chains", "to_mermaid", "to_svg", "to_text"]


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

    @property
    def dns(self) -> str:
        return f"{self.service}.{self.namespace or '<namespace>'}.svc.cluster.local"

    @property
    def title(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"Service {ns}{self.service} ({'headless ' if self.headless else ''}{self.type})"


def chains(apps: Sequence[App], node_ports: Mapping[PortKey, int], *,
           with_workloads: bool = False) -> list[Chain]:
    """Every Service port of ``apps`` with its nodePort (``node_ports`` by lock key)."""
    found = []
    for app in apps:
        named = emits_workload(app, with_workloads)
        for service in app.services:
            health_check = node_ports.get(health_check_key(app, service))
            for sp in service.ports:
                found.append(Chain(
                    app.namespace, service.name, service.type, service.headless, service.external_name,
                    sp.port_name, sp.protocol, sp.service_port, str(target_port(sp, named)),
                    sp.container.name, sp.target.number, sp.target.name, node_ports.get(port_key(app, service, sp)),
                    sp.app_protocol, health_check))
            if not service.ports and service.type == "ExternalName":
                found.append(Chain(app.namespace, service.name, service.type, False, service.external_name,
                                   "", "", 0, "", "", 0, "", None, None))
    return found


def _inside(chain: Chain) -> str:
    scheme = f"{chain.app_protocol}://" if chain.app_protocol in ("http", "https") else ""
    if chain.headless:
        return (f"{chain.dns} resolves to each pod's IP: connect to {chain.container_port}/{chain.protocol} "
                "on the pods directly (no virtual IP, port is not translated)")
    return (f"{scheme}{chain.dns}:{chain.port} ({chain.protocol}), or {chain.service}:{chain.port} "
            "from the same namespace")


def _outside(chain: Chain) -> str:
    ns = f" -n {chain.namespace}" if chain.namespace else ""
    if chain.type == "NodePort":
        return f"<any-node-ip>:{chain.node_port if chain.node_port else '<nodePort chosen by the cluster>'}"
    if chain.type == "LoadBalancer":
        via_node = f", or <any-node-ip>:{chain.node_port}" if chain.node_port else ""
        return f"<load-balancer-address>:{chain.port} (kubectl get service {chain.service}{ns}){via_node}"
    return (f"not exposed (ClusterIP); for a test: kubectl port-forward{ns} service/{chain.service} "
            f"{chain.port}:{chain.port}")


def to_text(items: Sequence[Chain]) -> str:
    """One block per Service, one chain per port, and how to reach it from inside and outside."""
    lines: list[str] = []
    title = None
    for chain in items:
        if chain.title != title:
            title = chain.title
            lines.append(("\n" if lines else "") + title)
            if chain.health_check:
                lines.append(f"  health checks: the load balancer probes <node-ip>:{chain.health_check} "
                             "(healthCheckNodePort) to find the nodes that run a pod")
        if chain.type == "ExternalName":
            lines.append(f"  {chain.dns} → DNS alias (CNAME) for {chain.external_name}; no ports are translated")
            continue
        node = f"<node-ip>:{chain.node_port} → " if chain.node_port else ""
        lines.append(
            f"  {chain.port_name or '(unnamed)'} {chain.protocol}: {node}{chain.service}:{chain.port} "
            f"({chain.dns}) → targetPort {chain.target} → container {chain.container}:{chain.container_port} "
            f"({chain.container_port_name})")
        lines.append(f"    inside the cluster: {_inside(chain)}")
        lines.append(f"    from outside: {_outside(chain)}")
    return "\n".join(lines) + "\n" if lines else ""


def _mermaid_label(text: str) -> str:
    return '"' + text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def to_mermaid(items: Sequence[Chain]) -> str:
    """A Mermaid flowchart: a subgraph per Service, one left-to-right chain per port."""
    out = ["flowchart LR"]
    by_service: dict[str, list[tuple[int, Chain]]] = {}
    for i, chain in enumerate(items):
        by_service.setdefault(chain.title, []).append((i, chain))
    for s, (title, group) in enumerate(by_service.items()):
        out.append(f"  subgraph svc{s}[{_mermaid_label(title)}]")
        for i, chain in group:
            if chain.type == "ExternalName":
                target = _mermaid_label(str(chain.external_name))
                out.append(f"    dns{i}[{_mermaid_label(chain.dns)}] --> ext{i}[{target}]")
                continue
            steps = []
            if chain.node_port:
                steps.append(f"np{i}[{_mermaid_label(f'<node-ip>:{chain.node_port}')}]")
            steps.append(f"sp{i}[{_mermaid_label(f'{chain.service}:{chain.port} {chain.protocol}')}]")
            steps.append(f"tp{i}[{_mermaid_label(f'targetPort {chain.target}')}]")
            container = f"{chain.container}:{chain.container_port} ({chain.container_port_name})"
            steps.append(f"cp{i}[{_mermaid_label(container)}]")
            out.append("    " + " --> ".join(steps))
        out.append("  end")
    return "\n".join(out) + "\n"


_BOX_W, _BOX_H, _GAP, _ROW, _LEFT, _TOP = 210, 44, 46, 70, 20, 20
_COLUMNS = ("nodePort (every node)", "Service port", "targetPort", "container port")
_COLORS = ("#fde2c8", "#cfe3fb", "#e3d7f7", "#d4f0d6")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; attribute names use ``_`` for ``-`` (``text_anchor`` → ``text-anchor``)."""
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    element.text = text
    return element


def to_svg(items: Sequence[Chain]) -> str:
    """An SVG picture: four columns (nodePort, Service port, targetPort, container port), a row per port."""
    rows = [c for c in items if c.type != "ExternalName"]
    titles = list(dict.fromkeys(c.title for c in rows))
    height = _TOP + 40 + len(rows) * _ROW + len(titles) * 30 + 10
    width = _LEFT * 2 + 4 * _BOX_W + 3 * _GAP
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
                             "viewBox": f"0 0 {width} {height}", "font-family": "sans-serif", "font-size": "13"})
    marker = _el(_el(svg, "defs"), "marker", id="arrow", markerWidth=10, markerHeight=8, refX=9, refY=4,
                 orient="auto")
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
        cells = [
            f"<node-ip>:{chain.node_port}" if chain.node_port else "—",
            f"{chain.service}:{chain.port}/{chain.protocol}",
            f"targetPort: {chain.target}",
            f"{chain.container}:{chain.container_port} ({chain.container_port_name})",
        ]
        for col, cell in enumerate(cells):
            x = _LEFT + col * (_BOX_W + _GAP)
            _el(svg, "rect", x=x, y=y, width=_BOX_W, height=_BOX_H, rx=8,
                fill=_COLORS[col] if cell != "—" else "#f2f2f2", stroke="#777")
            _el(svg, "text", cell, x=x + _BOX_W / 2, y=y + _BOX_H / 2 + 5, text_anchor="middle")
            if col < 3 and (col > 0 or chain.node_port):
                _el(svg, "line", x1=x + _BOX_W, y1=y + _BOX_H / 2, x2=x + _BOX_W + _GAP - 2, y2=y + _BOX_H / 2,
                    stroke="#555", stroke_width=2, marker_end="url(#arrow)")
        y += _ROW
    ET.indent(svg)
    return ET.tostring(svg, encoding="unicode") + "\n"
