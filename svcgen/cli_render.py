"""The commands that work on a project's declarations: render, ports, explain, lock prune."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TextIO

from svcgen.cli_common import (
    EXIT_INVALID,
    EXIT_OK,
    UsageError,
    diff,
    display,
    load_project,
    locked,
    new_lock_text,
    print_problems,
    read_lock,
    render_project,
    write,
)
from svcgen.files import read_text_if_exists
from svcgen.lockfile import format_lock
from svcgen.model import emits_workload, target_by_name
from svcgen.nodeports import HEALTH_CHECK_INDEX, node_port_requests
from svcgen.render import Rendered

__all__ = ["cmd_explain", "cmd_lock_prune", "cmd_ports", "cmd_render"]

def planned_outputs(args: argparse.Namespace, rendered: Rendered) -> tuple[dict[Path, str], list[Path]]:
    """The files ``-o`` asks for (path -> text) and the stale files of an earlier directory render."""
    from svcgen.outputs import KUSTOMIZATION, directory_files, is_directory_output, json_list, kustomization_resources

    target = Path(args.output)
    if not is_directory_output(args.output, target.is_dir()):
        text = json_list(rendered.manifests) if args.format == "json" else rendered.yaml
        return {target: text}, []
    if args.format == "json":
        raise UsageError(f"{args.output}: error: --format json writes one List; give -o a .json file name")
    files = {target / name: text for name, text in directory_files(rendered.manifests).items()}
    try:
        previous = kustomization_resources(read_text_if_exists(target / KUSTOMIZATION))
    except (OSError, UnicodeDecodeError):
        previous = []
    stale = [target / name for name in previous if target / name not in files and (target / name).is_file()]
    return files, stale


def cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    project = load_project(args)
    lock_name = display(project.lock_path)
    with locked(project, args.check):
        old, lock = read_lock(project)
        rendered = render_project(project, lock)
        new = new_lock_text(old, rendered.lock)
        print_problems(rendered.warnings, err)
        outputs, stale = planned_outputs(args, rendered) if args.output else ({}, [])
        if args.check:
            diffs = []
            if new is not None and new != old:
                diffs.append(diff(old, new, lock_name))
            for path, text in outputs.items():
                current = read_text_if_exists(path)
                if current != text:
                    diffs.append(diff(current, text, str(path)))
            for path in stale:
                diffs.append(diff(read_text_if_exists(path), "", str(path)))
            if diffs:
                out.write("".join(diffs))
                print("svcgen: --check: the files above are not up to date; run svcgen render to update them.",
                      file=err)
                return EXIT_INVALID
            return EXIT_OK
        if new is not None and new != old:
            write(project.lock_path, new)
    if not args.output:
        from svcgen.outputs import json_list

        out.write(json_list(rendered.manifests) if args.format == "json" else rendered.yaml)
        return EXIT_OK
    for path, text in outputs.items():
        if read_text_if_exists(path) != text:
            write(path, text)
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return EXIT_OK


def cmd_ports(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    project = load_project(args)
    lock = read_lock(project)[1]
    rendered = render_project(project, lock)
    print_problems(rendered.warnings, err)
    sources = {index: item.source for item in rendered.allocated for index in item.request.indexes}
    node_ports = {index: item.node_port for item in rendered.allocated for index in item.request.indexes}
    rows: list[dict[str, object]] = []
    for a, app in enumerate(project.apps):
        for s, service in enumerate(app.services):
            for p, sp in enumerate(service.ports):
                index = (a, s, p)
                rows.append({
                    "namespace": app.namespace or "", "service": service.name, "port_name": sp.port_name,
                    "protocol": sp.protocol, "port": sp.service_port,
                    "target_port": sp.target.name if target_by_name(sp, emits_workload(app, project.with_workloads))
                    else sp.target.number,
                    "node_port": node_ports.get(index), "source": sources.get(index, ""),
                })
            health_check = node_ports.get((a, s, HEALTH_CHECK_INDEX))
            if health_check is not None:
                rows.append({"namespace": app.namespace or "", "service": service.name, "port_name": "",
                             "protocol": "healthCheck", "port": None, "target_port": None, "node_port": health_check,
                             "source": sources.get((a, s, HEALTH_CHECK_INDEX), "")})
    for reservation in sorted(project.reservations, key=lambda r: (r.node_port, r.namespace, r.service)):
        rows.append({"namespace": reservation.namespace, "service": reservation.service, "port_name": "",
                     "protocol": "", "port": None, "target_port": None, "node_port": reservation.node_port,
                     "source": f"reserved ({reservation.origin})"})
    if args.format == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    header = ["NAMESPACE", "SERVICE", "PORT", "PROTOCOL", "PORT->TARGET", "NODEPORT", "SOURCE"]
    table = [header] + [[
        str(r["namespace"] or "-"), str(r["service"]), str(r["port_name"] or "-"), str(r["protocol"] or "-"),
        "-" if r["port"] is None else f"{r['port']}->{r['target_port']}",
        "-" if r["node_port"] is None else str(r["node_port"]), str(r["source"] or "-"),
    ] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from svcgen.explain import chains, to_mermaid, to_svg, to_text

    project = load_project(args)
    rendered = render_project(project, read_lock(project)[1])
    print_problems(rendered.warnings, err)
    node_ports = {index: item.node_port for item in rendered.allocated for index in item.request.indexes}
    items = chains(project.apps, node_ports, with_workloads=project.with_workloads)
    if args.format == "text":
        out.write(to_text(items))
    elif args.format == "mermaid":
        out.write(to_mermaid(items))
    elif args.format == "svg":
        out.write(to_svg(items))
    else:
        import html

        out.write("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>svcgen explain</title></head><body>\n"
                  f"{to_svg(items)}<pre>{html.escape(to_text(items))}</pre>\n"
                  f"<pre class=\"mermaid\">{html.escape(to_mermaid(items))}</pre>\n</body></html>\n")
    return EXIT_OK


def cmd_lock_prune(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    project = load_project(args)
    live = {key for request in node_port_requests(project.apps) for key in request.keys}
    with locked(project, args.check):
        lock = read_lock(project)[1]
        gone = {key for key in lock if key not in live}
        for key in sorted(gone):
            print(f"{'would release' if args.check else 'released'} {key}: {lock.get(key)}", file=out)
        if not gone:
            print(f"svcgen: {display(project.lock_path)}: nothing to prune.", file=err)
            return EXIT_OK
        if args.check:
            return EXIT_INVALID
        write(project.lock_path, format_lock(lock.without(gone)))
    return EXIT_OK
