"""``svcgen import``: write ``app.py`` for existing manifests; their nodePorts go in the lock."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from svcgen.cli.common import new_lock_text, print_problems, say_file, settings_from_args, write_all
from svcgen.cli.project import Project
from svcgen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, plural
from svcgen.files import display, read_sources, writer_mutex
from svcgen.importer import Imported, import_manifests
from svcgen.importer.workloads import KEPT_FILE
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.reserve import Reservation

__all__ = ["cmd_import"]


def cmd_import(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Import the manifests: write ``DIR/app.py`` and merge their nodePorts into the project's lock.

    Nothing is written unless every Service comes back exactly as it was (or ``--allow-changes``).
    """
    sources = read_sources(args.paths, stdin)
    if sources.problems:
        print_problems(sources.problems, err)
        return EXIT_USAGE if sources.unreadable else EXIT_INVALID
    target = Path(args.dir) / "app.py"
    beside = Path(args.dir) / KEPT_FILE
    for path in (target, beside):
        if path.exists() and not args.force:
            raise UsageError(
                f"{display(path)} already exists; nothing was written. Fix: choose another --dir, "
                "or --force"
            )
    settings = settings_from_args(args, args.dir)
    settings.check_reserve()
    project = Project(
        settings, [], stdin
    )  # the settings' reserved nodePorts and registry, as render has them
    with writer_mutex(settings.lock):
        old, lock = settings.read_lock_text()

        def run(_own: Lock, reserved: Sequence[Reservation]) -> Imported:
            return import_manifests(
                [(s.name, s.text) for s in sources.texts],
                lock=lock,
                node_port_range=settings.node_port_range,
                allow_changes=args.allow_changes,
                declare_missing_ports=args.declare_missing_ports,
                kubernetes_version=settings.kubernetes_version,
                reserved=[*project.reservations, *reserved],
            )

        # Checked against the registry (another project's nodePorts are refused), nothing pushed:
        # the next render claims the imported nodePorts.
        imported = project.against_registry(run, lambda result: result.lock, push=False, err=err)
        text = new_lock_text(old, imported.lock, lock)
        texts = {settings.lock: text} if text is not None and text != old else {}
        texts[target] = imported.source
        if imported.kept is not None:
            texts[beside] = imported.kept
        # app.py, its kept workloads and its nodePorts together, or none (the lock first). --force
        # replaces both files: a workloads.yaml of an earlier import must not be applied beside this
        # one.
        stale = [beside] if imported.kept is None and os.path.lexists(beside) else []
        write_all(texts, stale)
    print_problems(imported.warnings, err)
    for path in stale:
        say_file(
            err, "removed", path, "--force: an earlier import's workloads, which this one declares"
        )
    say_file(err, "wrote", target)
    if imported.kept is not None:
        say_file(
            err, "wrote", beside, "the workloads kept as YAML: apply it with what svcgen renders"
        )
    added = len(imported.lock) - len(lock)
    if added:
        say_file(err, f"recorded {plural(added, 'nodePort')} in", settings.lock)
    return EXIT_OK
