"""``svcgen ports`` and ``svcgen explain``: show a project's Service ports, writing nothing.

explain renders without the manifests' YAML text (``Project.render(text=False)``): it shows the
chains only, and writing that text was half of its time.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from svcgen.cli.common import print_problems
from svcgen.cli.project import Project, load_project
from svcgen.dsl.policy import emits_workload, health_check_key, port_key, target_port
from svcgen.errors import EXIT_OK, one_line
from svcgen.render import Rendered

__all__ = ["cmd_explain", "cmd_ports"]

Row = dict[str, object]


def _rows(project: Project, rendered: Rendered) -> list[Row]:
    """One row per Service port, healthCheckNodePort and reserved nodePort.

    A column that does not apply to a row is None.
    """
    sources = {key: item.source for item in rendered.allocated for key in item.request.keys}
    node_ports = {key: item.node_port for item in rendered.allocated for key in item.request.keys}
    rows: list[Row] = []
    for app in project.apps:
        named = emits_workload(app, project.settings.with_workloads)
        for service in app.services:
            for sp in service.ports:
                key = port_key(app, service, sp)
                rows.append(
                    _row(
                        app.namespace,
                        service.name,
                        sp.port_name or None,
                        sp.protocol,
                        sp.service_port,
                        target_port(sp, named),
                        node_ports.get(key),
                        sources.get(key),
                    )
                )
            key = health_check_key(app, service)
            if key in node_ports:
                rows.append(
                    _row(
                        app.namespace,
                        service.name,
                        None,
                        "healthCheck",
                        None,
                        None,
                        node_ports[key],
                        sources.get(key),
                    )
                )
    for r in sorted(
        project.reservations, key=lambda r: (r.node_port, r.namespace, r.service, r.port)
    ):
        rows.append(
            _row(
                r.namespace or None,
                r.service,
                r.port or None,
                r.protocol or None,
                None,
                None,
                r.node_port,
                f"reserved ({r.origin})",
            )
        )
    return rows


def _registry_rows(project: Project) -> list[Row]:
    """The whole shared registry, with the project that claimed each entry."""
    registry = project.registry()
    if registry is None:
        return []
    shared = registry.read(project.settings.node_port_range)
    rows = []
    for key, node_port in sorted(shared.entries.items(), key=lambda item: (item[1], item[0])):
        health = key.protocol == "healthCheck"
        rows.append(
            _row(
                key.namespace or None,
                key.service,
                None if health else key.port or None,
                key.protocol,
                None,
                None,
                node_port,
                f"registry ({shared.owners.get(key, '?')})",
            )
        )
    return rows


def _row(
    namespace: str | None,
    service: str,
    port_name: str | None,
    protocol: str | None,
    port: int | None,
    target: str | int | None,
    node_port: int | None,
    source: str | None,
) -> Row:
    return {
        "namespace": namespace,
        "service": service,
        "port_name": port_name,
        "protocol": protocol,
        "port": port,
        "target_port": target,
        "node_port": node_port,
        "source": source,
    }


def _table(rows: list[Row]) -> str:
    header = ["NAMESPACE", "SERVICE", "PORT", "PROTOCOL", "PORT->TARGET", "NODEPORT", "SOURCE"]
    table = [header] + [
        [
            one_line(cell)
            for cell in (  # a reserved file's or Service's name may hold anything
                str(r["namespace"] or "-"),
                str(r["service"]),
                str(r["port_name"] or "-"),
                str(r["protocol"] or "-"),
                "-" if r["port"] is None else f"{r['port']}->{r['target_port']}",
                "-" if r["node_port"] is None else str(r["node_port"]),
                str(r["source"] or "-"),
            )
        ]
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in table
    )


def cmd_ports(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Print every Service port with its nodePort and where that comes from (a table, or JSON)."""
    project = load_project(args, stdin)
    rendered = project.render(project.read_lock()[1])
    print_problems(rendered.warnings, err)
    rows = _rows(project, rendered) + _registry_rows(project)
    out.write(json.dumps(rows, indent=2) + "\n" if args.format == "json" else _table(rows))
    return EXIT_OK


def cmd_explain(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Print each Service port's chain as text, Mermaid, SVG or HTML.

    The chain is nodePort → port → targetPort → container.
    """
    from svcgen.explain import chains, to_html, to_mermaid, to_svg, to_text

    project = load_project(args, stdin)
    rendered = project.render(project.read_lock()[1], text=False)  # the chains need no YAML
    print_problems(rendered.warnings, err)
    node_ports = {key: item.node_port for item in rendered.allocated for key in item.request.keys}
    items = chains(project.apps, node_ports, with_workloads=project.settings.with_workloads)
    if args.format == "text":
        out.write(to_text(items))
    elif args.format == "mermaid":
        out.write(to_mermaid(items))
    elif args.format == "svg":
        out.write(to_svg(items))
    else:
        out.write(to_html(items))
    return EXIT_OK
