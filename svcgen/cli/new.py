"""``svcgen new``: write a scaffold, then render it once (undone if that fails)."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
from pathlib import Path
from typing import TextIO

from svcgen.cli.common import say_file, write_all
from svcgen.cli.render import cmd_render
from svcgen.errors import UsageError
from svcgen.files import display, make_folders, read_file, remove_folders
from svcgen.scaffold import ScaffoldError, parse_port_spec, scaffold_files

__all__ = ["cmd_new"]


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Write the scaffold of a new service (app.py, test_app.py, README.md), then render it once."""
    try:
        ports = [parse_port_spec(text) for text in args.port]
        files = scaffold_files(
            args.name, ports, service_type=args.type, image=args.image, namespace=args.namespace
        )
    except ScaffoldError as exc:
        raise UsageError(f"svcgen new: {exc}") from None
    target = Path(args.dir or args.name)
    paths = {target / name: text for name, text in files.items()}
    existing = [p for p in paths if p.exists()]
    if existing and not args.force:
        them = ", ".join(map(display, existing))
        raise UsageError(
            f"svcgen new: {them} already {'exists' if len(existing) == 1 else 'exist'}; nothing "
            "was written. Fix: choose another --dir, or pass --force to overwrite"
        )
    created = [p for p in paths if not os.path.lexists(p)]
    # --force: put them back if the render fails (a link or a pipe is refused by the write below)
    previous = {
        p: read_file(p, follow_links=False) for p in paths if p.is_file() and not p.is_symlink()
    }
    made = make_folders(target)  # and its parents: all removed again if the render fails
    # Render once, so the lock file gets the nodePorts; undo the scaffold if that fails (or its
    # write, which a failed rename may have left half done).
    render_args = argparse.Namespace(
        paths=[str(target / "app.py")],
        lock=None,
        node_port_range=None,
        reserve=[],
        with_workloads=False,
        check=False,
        output=None,
        format=None,
        locked=False,
        kubernetes_version=None,
    )
    said = io.StringIO()  # what the render says (the lock's new nodePorts), after what new wrote
    try:
        write_all(paths)
        code = cmd_render(render_args, io.StringIO(), said)
    except BaseException:
        err.write(said.getvalue())
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()
        for path, data in previous.items():
            with contextlib.suppress(OSError):
                if path.read_bytes() != data:
                    path.write_bytes(data)
        remove_folders(made)
        raise
    for path in paths:
        say_file(err, "wrote", path)
    err.write(said.getvalue())
    print(
        f"svcgen: {display(target / 'app.py')} renders; run `svcgen render {display(target)}` to "
        "print its Service.",
        file=err,
    )
    return code
