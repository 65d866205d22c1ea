"""``svcgen import``: write ``app.py`` for existing manifests and record their nodePorts in the lock."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from svcgen.cli.common import settings_from_args, write
from svcgen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, UsageError
from svcgen.files import exclusive_lock, read_sources, read_text_if_exists
from svcgen.importer import Imported, import_manifests
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.lockfile import format_lock, parse_lock
from svcgen.settings import Settings, display

__all__ = ["cmd_import"]


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Import the manifests: write ``DIR/app.py`` and merge their nodePorts into the project's lock."""
    sources = read_sources(args.paths, stdin)
    if sources.problems:
        for problem in sources.problems:
            print(problem, file=err)
        return EXIT_USAGE if sources.unreadable else EXIT_INVALID
    imported = import_manifests([(s.name, s.text) for s in sources.texts])
    target = Path(args.dir) / "app.py"
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists; nothing was written. Fix: choose another --dir, or --force")
    settings = settings_from_args(args, args.dir)
    _write(imported, target, settings)
    for warning in imported.warnings:
        print(warning, file=err)
    print(f"wrote {target}", file=out)
    if len(imported.lock):
        print(f"recorded {len(imported.lock)} nodePort(s) in {display(settings.lock)}", file=out)
    return EXIT_OK


def _write(imported: Imported, target: Path, settings: Settings) -> None:
    """Write ``app.py`` and the merged lock under the OS lock; leave no ``app.py`` whose ports were not recorded."""
    lock_path = settings.lock
    with exclusive_lock(lock_path):
        old = read_text_if_exists(lock_path)
        current = parse_lock(old or "", display(lock_path), settings.node_port_range)
        conflicts = [f"{key}: {current.get(key)} in {display(lock_path)}, {port} in the manifests"
                     for key, port in imported.lock.entries.items() if current.get(key) not in (None, port)]
        if conflicts:
            raise InputError(f"{display(lock_path)}: error: the lock file already holds other nodePorts for: "
                             f"{'; '.join(conflicts)}")
        merged = Lock({**current.entries, **imported.lock.entries})
        text = format_lock(merged)
        parse_lock(text, display(lock_path), settings.node_port_range)  # range and sharing rules, before writing
        existed = target.exists()
        write(target, imported.source)
        if len(merged) and text != old:
            try:
                write(lock_path, text)
            except UsageError:
                if not existed:
                    target.unlink(missing_ok=True)
                raise
