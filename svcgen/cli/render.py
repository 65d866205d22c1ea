"""``svcgen render`` and ``svcgen lock check``: render a project, update the lock, write or compare outputs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from svcgen.cli.common import diff, lock_changes, locked, new_lock_text, print_problems, rewrite_note, write_all
from svcgen.cli.project import load_project
from svcgen.errors import EXIT_INVALID, EXIT_OK, UsageError
from svcgen.files import read_text_if_exists
from svcgen.kube.layout import KUSTOMIZATION, directory_files, json_list, kustomization_resources, output_kind
from svcgen.render import Rendered
from svcgen.settings import display

__all__ = ["cmd_lock_check", "cmd_render", "planned_outputs"]


def output_format(args: argparse.Namespace) -> str:
    """``yaml``, ``json`` or ``directory``: what ``-o`` (its extension) and ``--format`` ask for, agreed.

    Raises:
        UsageError: they disagree, or ``-o`` is not a path svcgen can write.
    """
    if not args.output:
        return str(args.format or "yaml")
    try:
        kind = output_kind(args.output, Path(args.output).is_dir())
    except ValueError as exc:
        raise UsageError(f"svcgen render: error: {exc}") from None
    if kind == "directory" and args.format == "json":
        raise UsageError(f"svcgen render: error: -o {args.output} is a directory (one YAML file per object); "
                         "--format json writes one List: give -o a .json file name")
    if kind != "directory" and args.format and args.format != kind:
        raise UsageError(f"svcgen render: error: -o {args.output} is a {kind.upper()} file, but --format says "
                         f"{args.format}; drop --format (the extension chooses) or rename the file")
    return kind


def planned_outputs(args: argparse.Namespace, rendered: Rendered, kind: str) -> tuple[dict[Path, str], list[Path]]:
    """The files ``-o`` asks for (path -> text) and the stale files of an earlier directory render.

    ``kind``: what :func:`output_format` said ``-o`` is.
    """
    target = Path(args.output)
    if kind != "directory":
        text = json_list(rendered.manifests) if kind == "json" else rendered.yaml
        return {target: text}, []
    files = {target / name: text for name, text in directory_files(rendered.manifests).items()}
    try:
        previous = kustomization_resources(read_text_if_exists(target / KUSTOMIZATION, errors="replace"))
    except OSError:
        previous = []
    stale = [target / name for name in previous if target / name not in files and (target / name).is_file()]
    return files, stale


def _check(old: str | None, new: str | None, lock_name: str, outputs: dict[Path, str], stale: list[Path],
           out: TextIO, err: TextIO) -> int:
    """``--check``: print a diff of every file that would change; exit 1 if any would."""
    diffs = []
    if new is not None and new != old:
        diffs.append(diff(old, new, lock_name))
    for path, text in outputs.items():
        current = read_text_if_exists(path, errors="replace")
        if current != text:
            diffs.append(diff(current, text, str(path)))
    for path in stale:
        diffs.append(diff(read_text_if_exists(path, errors="replace"), "", str(path)))
    if not diffs:
        return EXIT_OK
    out.write("".join(diffs))
    print("svcgen: --check: the files above are not up to date; run svcgen render to update them.", file=err)
    return EXIT_INVALID


def cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Render the project: update the lock file, then print or write the manifests.

    ``--check`` compares instead of writing; ``--locked`` refuses to change the lock file. A
    change to the lock file is said in one line on stderr.
    """
    fmt = output_format(args)
    project = load_project(args, stdin)
    lock_name = display(project.lock_path)
    with locked(project.lock_path, args.check or args.locked):
        old, lock = project.read_lock()
        rendered = project.render_shared(lock, push=not (args.check or args.locked), err=err)
        new = new_lock_text(old, rendered.lock, lock)
        print_problems(rendered.warnings, err)
        changes = lock_changes(lock, rendered.lock, lock_name)
        if args.locked and new is not None and new != old:
            print(f"svcgen: --locked: the lock file would change; nothing was written. "
                  f"{changes or lock_name + ': rewritten in the current format'}", file=err)
            return EXIT_INVALID
        outputs, stale = planned_outputs(args, rendered, fmt) if args.output else ({}, [])
        if args.check:
            return _check(old, new, lock_name, outputs, stale, out, err)
        # The lock and the outputs are replaced in one step: an output that cannot be written
        # leaves the lock (and every other file) as it was.
        texts = {path: text for path, text in outputs.items()
                 if read_text_if_exists(path, errors="replace") != text}
        if new is not None and new != old:
            texts[project.lock_path] = new
        write_all(texts, stale)
        if changes and project.lock_path in texts:
            print(changes + rewrite_note(old, lock), file=err)
    if not args.output:
        out.write(json_list(rendered.manifests) if fmt == "json" else rendered.yaml)
    return EXIT_OK


def cmd_lock_check(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """``svcgen lock check``: ``render --check`` without ``-o``: fail when the lock file is not current."""
    args.check, args.output, args.format, args.locked = True, None, None, False
    return cmd_render(args, out, err, stdin)
