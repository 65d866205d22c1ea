"""``svcgen render`` and ``svcgen lock check``: render a project, update the lock, write outputs.

With ``--check``, the outputs are compared instead of written.
"""

from __future__ import annotations

import argparse
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from svcgen.cli.common import (
    diff,
    lock_changes,
    locked,
    new_lock_text,
    print_problems,
    rewrite_note,
    say_file,
    write_all,
)
from svcgen.cli.project import load_project
from svcgen.errors import EXIT_INVALID, EXIT_OK, UsageError, one_line
from svcgen.files import (
    FileRefusedError,
    Text,
    check_writable,
    display,
    joined,
    read_text_if_exists,
    same_text,
    temporaries,
)
from svcgen.kube.layout import (
    KUSTOMIZATION,
    MARK,
    directory_files,
    header,
    json_list,
    json_written_by_svcgen,
    kustomization_resources,
    output_kind,
    written_by,
)
from svcgen.render import Rendered, selector_warnings

__all__ = ["cmd_lock_check", "cmd_render", "planned_outputs"]


def output_format(args: argparse.Namespace) -> str:
    """``yaml``, ``json`` or ``directory``: what ``-o`` and ``--format`` ask for, agreed.

    ``-o`` asks by its extension.

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
        raise UsageError(
            f"svcgen render: error: -o {args.output} is a directory (one YAML file per object); "
            "--format json writes one List: give -o a .json file name"
        )
    if kind != "directory" and args.format and args.format != kind:
        raise UsageError(
            f"svcgen render: error: -o {args.output} is a {kind.upper()} file, but --format says "
            f"{args.format}; drop --format (the extension chooses) or rename the file"
        )
    return kind


def output_project(lock_path: Path, folder: Path) -> str:
    """How an output's header names its project: the lock file, relative to the output's folder.

    Relative, so a checkout anywhere (CI's too) writes the same header; control characters
    escaped as the header writes them, so that it compares with what :func:`written_by` reads back.
    """
    lock, where = os.path.realpath(lock_path), os.path.realpath(folder)
    try:
        return one_line(Path(os.path.relpath(lock, where)).as_posix())
    except ValueError:  # pragma: no cover - another drive (Windows)
        return one_line(Path(lock).as_posix())


def _refusal(path: Path, text: Text, project: str) -> str | None:
    """Why ``path`` may not be replaced by ``text`` without --force (None: it may).

    svcgen replaces a file it wrote for this project (its header), a file that holds what it
    would write anyway, or nothing: never a file in another's hands. A file of this project is
    not compared (it is replaced whatever it holds): a render's text given in parts is made
    again only for another's file.

    Raises:
        UsageError: not a regular file (a link, a pipe, a device...): --force does not change that.
    """
    try:
        check_writable(path)
        current = read_text_if_exists(path, errors="replace")
    except FileRefusedError as exc:
        raise UsageError(
            f"{display(path)}: error: cannot write: {exc.reason}; nothing was written. "
            f"Fix: {exc.hint}"
        ) from None
    if current is None:
        return None
    if path.suffix.lower() == ".json":
        return (
            None
            if same_text(current, text) or json_written_by_svcgen(current)
            else "svcgen did not write this file (it is not a List laid out as svcgen writes one)"
        )
    owner = written_by(current)
    if owner in ("", project) or same_text(current, text):
        return None
    if owner is None:
        if same_text(current, _without_first_line(text)):
            return None
        return (
            "svcgen did not write this file (its first line is not the header svcgen writes)"
            if current.startswith(MARK)
            else f'svcgen did not write this file (it has no "{MARK}" header)'
        )
    return (
        f"svcgen wrote this file for another project (its header names the lock {owner}; this "
        "project's is "
        f"{project}, both from the file's folder)"
    )


def _without_first_line(text: Text) -> Text:
    """``text`` from its second line (all of it when it has one line)."""
    if isinstance(text, str):
        return text.split("\n", 1)[-1]

    def parts() -> Iterator[str]:
        held: list[str] | None = []  # the first line's parts, until its end is found
        for part in text():
            if held is not None:
                _, newline, rest = part.partition("\n")
                if not newline:
                    held.append(part)
                    continue
                held, part = None, rest
            yield part
        if held is not None:  # one line: all of it, as str.split gives
            yield from held

    return parts


def _real(path: Path) -> str:
    """Where a rename onto ``path`` lands: its folder with links resolved, and its name."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _stale(folder: Path, files: dict[Path, Text], project: str) -> list[Path]:
    """The files an earlier render of this project wrote in ``folder`` that this one does not write.

    A file whose header names this project, or that an earlier svcgen (whose header named no
    project) wrote and listed in the folder's ``kustomization.yaml``: nothing else is removed.
    """
    try:
        kustomization = read_text_if_exists(folder / KUSTOMIZATION, errors="replace")
    except OSError:
        kustomization = None
    listed = (
        set(kustomization_resources(kustomization))
        if written_by(kustomization) in ("", project)
        else set()
    )
    try:
        with os.scandir(folder) as scan:
            names = sorted(
                e.name
                for e in scan
                if e.name.endswith(".yaml") and e.is_file(follow_symlinks=False)
            )
    except OSError:
        return []
    stale = []
    for name in names:
        path = folder / name
        if path in files:
            continue
        try:
            owner = written_by(read_text_if_exists(path, errors="replace"))
        except OSError:
            continue
        if owner == project or (owner == "" and name in listed):
            stale.append(path)
    return stale


def planned_outputs(
    args: argparse.Namespace, rendered: Rendered, kind: str, lock_path: Path
) -> tuple[dict[Path, Text], list[Path], list[tuple[Path, str]]]:
    """The files ``-o`` asks for, the stale files of an earlier render, and what --force replaces.

    The first maps path -> text. The last: each file that is not this project's, with why (said
    on stderr when replaced).

    ``kind``: what :func:`output_format` said ``-o`` is; ``lock_path``: the project's lock file,
    which the files' headers name.

    Raises:
        UsageError: a file to replace is not svcgen's (or another project's) and there is no
            ``--force``, or it is not a regular file.
    """
    target = Path(args.output)
    folder = target if kind == "directory" else target.parent
    project = output_project(lock_path, folder)
    files: dict[Path, Text]
    if kind == "json":
        files = {target: json_list(rendered.manifests)}
    elif kind == "yaml":  # in parts, made as they are written: the text is never held whole
        files = {target: lambda: itertools.chain((header(project),), rendered.yaml_parts())}
    else:
        files = {
            target / name: text
            for name, text in directory_files(rendered.manifests, project).items()
        }
    lock = _real(lock_path)
    if any(_real(path) == lock for path in files):
        raise UsageError(
            f"{display(target)}: error: -o would write over the project's lock file "
            f"{display(lock_path)}; "
            "nothing was written (--force does not change that). Fix: choose another -o path, or "
            "another --lock"
        )
    refused = [
        (path, why) for path, text in files.items() if (why := _refusal(path, text, project))
    ]
    if refused and not getattr(args, "force", False):
        them = "them" if len(refused) > 1 else "it"
        raise UsageError(
            "\n".join(
                f"{display(path)}: error: {why}; svcgen replaces only the files it wrote for this "
                f"project, so nothing was written. Fix: move {them} away, choose another -o path, "
                f"or pass --force to replace {them}"
                for path, why in refused
            )
        )
    return files, _stale(target, files, project) if kind == "directory" else [], refused


def _leftovers(args: argparse.Namespace, kind: str, lock_path: Path) -> list[Path]:
    """Temporary files that an interrupted render left beside the lock file and the outputs."""
    from svcgen.nodeports.lockfile import HEADER

    found = temporaries(lock_path.parent, [HEADER.split("\n", 1)[0]], lock_path.name.__eq__)
    if args.output:
        target = Path(args.output)
        if kind == "directory":
            found += temporaries(target, [MARK], lambda name: name.endswith(".yaml"))
        else:
            found += temporaries(target.parent, [MARK, json_list([])[:20]], target.name.__eq__)
    return found


def _check(
    old: str | None,
    new: str | None,
    lock_name: str,
    outputs: dict[Path, Text],
    stale: list[Path],
    out: TextIO,
    err: TextIO,
) -> int:
    """``--check``: print a diff of every file that would change; exit 1 if any would."""
    diffs = []
    if new is not None and new != old:
        diffs.append(diff(old, new, lock_name))
    for path, text in outputs.items():
        current = read_text_if_exists(path, errors="replace")
        if not same_text(current, text):
            diffs.append(diff(current, joined(text), display(path)))
    for path in stale:
        diffs.append(diff(read_text_if_exists(path, errors="replace"), "", display(path)))
    if not diffs:
        return EXIT_OK
    out.write("".join(diffs))
    print(
        "svcgen: --check: the files above are not up to date; run svcgen render to update them.",
        file=err,
    )
    return EXIT_INVALID


def cmd_render(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """Render the project: update the lock file, then print or write the manifests.

    ``--check`` compares instead of writing; ``--locked`` refuses to change the lock file. A
    change to the lock file is said on stderr: a summary line, then one line per entry.
    """
    fmt = output_format(args)
    project = load_project(args, stdin)
    lock_name = display(project.lock_path)
    with locked(
        project.lock_path, args.check
    ):  # --locked too: it writes outputs and removes leftovers
        old, lock = project.read_lock()
        planned: list[tuple[dict[Path, Text], list[Path], list[tuple[Path, str]]]] = [({}, [], [])]

        def plan(
            rendered: Rendered,
        ) -> None:  # before a registry push: what cannot be written is not claimed
            if args.output:
                planned[0] = planned_outputs(args, rendered, fmt, project.lock_path)

        rendered = project.render_shared(
            lock, push=not (args.check or args.locked), err=err, check=plan
        )
        new = new_lock_text(old, rendered.lock, lock)
        print_problems(rendered.warnings, err)
        changes = lock_changes(lock, rendered.lock, lock_name)
        if args.locked and new is not None and new != old:
            print("svcgen: --locked: the lock file would change; nothing was written.", file=err)
            for line in (
                changes.lines() if changes else [f"{lock_name}: rewritten in the current format"]
            ):
                print(line, file=err)
            return EXIT_INVALID
        outputs, stale, forced = planned[0]
        if outputs:  # the workloads rendered there before: their selectors cannot change
            previous = (
                text
                for path in [*outputs, *stale]
                if (text := read_text_if_exists(path, errors="replace"))
            )
            print_problems(
                selector_warnings(rendered, previous), err
            )  # read only when a workload is rendered
        if args.check:
            return _check(old, new, lock_name, outputs, stale, out, err)
        leftovers = _leftovers(args, fmt, project.lock_path)
        # Standard output gets the whole text, made before the lock is written: a render that
        # failed making it would otherwise leave the lock changed and half a stream in a pipe.
        # (With -o the text is written a document at a time into a temporary file instead.)
        printed = (
            "" if args.output else json_list(rendered.manifests) if fmt == "json" else rendered.yaml
        )
        # The lock and the outputs are replaced in one step: an output that cannot be written
        # leaves the lock (and every other file) as it was. The lock first: outputs are derived from
        # it.
        texts: dict[Path, Text] = {project.lock_path: new} if new is not None and new != old else {}
        texts.update(
            (path, text)
            for path, text in outputs.items()  # parts: write_files compares them
            if not isinstance(text, str)
            or not same_text(read_text_if_exists(path, errors="replace"), text)
        )
        try:
            write_all(texts, [*stale, *leftovers])
        except UsageError as exc:
            if project.pushed is None:
                raise
            raise UsageError(
                f"{exc}. The registry {project.pushed} already records this project's new "
                "nodePorts (pushed before the write): they stay this project's, and the next "
                "render takes the same ones. Fix the problem above and render again"
            ) from exc
        if changes and project.lock_path in texts:
            for line in changes.lines(rewrite_note(old, lock)):
                print(line, file=err)
        for path, why in forced:
            say_file(err, "replaced", path, f"--force: {why}")
        for path in stale:
            say_file(err, "removed", path, "written by an earlier render, no longer rendered")
        for path in leftovers:
            say_file(err, "removed", path, "left by an interrupted render")
    out.write(printed)
    return EXIT_OK


def cmd_lock_check(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    """``svcgen lock check``: fail when the lock file is not current.

    It is ``render --check`` without ``-o``.
    """
    args.check, args.output, args.format, args.locked = True, None, None, False
    return cmd_render(args, out, err, stdin)
