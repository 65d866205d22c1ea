"""``svcgen lock prune``: release the nodePorts of Service ports the project no longer declares."""

from __future__ import annotations

import argparse
from typing import TextIO

from svcgen.cli.common import locked, write
from svcgen.cli.project import load_project
from svcgen.dsl.requests import node_port_requests
from svcgen.errors import EXIT_INVALID, EXIT_OK
from svcgen.nodeports.lockfile import format_lock
from svcgen.registry import claim
from svcgen.settings import display

__all__ = ["cmd_lock_prune"]


def cmd_lock_prune(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Remove the lock entries of ports that the given files no longer declare (``--check``: list them)."""
    project = load_project(args, stdin)
    live = {key for request in node_port_requests(project.apps) for key in request.keys}
    with locked(project.lock_path, args.check):
        lock = project.read_lock()[1]
        gone = {key for key in lock if key not in live}
        for key in sorted(gone):
            print(f"{'would release' if args.check else 'released'} {key}: {lock.get(key)}", file=out)
        if not gone:
            print(f"svcgen: {display(project.lock_path)}: nothing to prune.", file=err)
            return EXIT_OK
        if args.check:
            return EXIT_INVALID
        pruned = lock.without(gone)
        registry = project.registry()
        if registry is not None:  # release the entries in the shared registry too, first
            claim(registry, project.settings.owner, project.settings.node_port_range, lambda shared: pruned)
        write(project.lock_path, format_lock(pruned))
    return EXIT_OK
