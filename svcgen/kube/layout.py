"""How rendered manifests are laid out: one YAML or JSON stream, or a directory for kustomize.

Every YAML file ``render -o`` writes starts with svcgen's header, which names the project (its
lock file, relative to the file's folder): svcgen replaces or removes only files that carry it
(:func:`written_by`). JSON has no comments: a ``.json`` file is svcgen's when it is a ``List``
laid out exactly as :func:`json_list` lays it out (:func:`json_written_by_svcgen`).

Pure: returns file names and texts; the CLI compares or writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from svcgen.errors import one_line
from svcgen.kube.yamlwrite import to_yaml

__all__ = [
    "KUSTOMIZATION",
    "directory_files",
    "file_name",
    "header",
    "json_list",
    "json_written_by_svcgen",
    "kustomization_resources",
    "output_kind",
    "written_by",
]

KUSTOMIZATION = "kustomization.yaml"
MARK = "# Written by svcgen"
"""How every YAML file ``render -o`` writes starts (earlier versions' headers too)."""
_PROJECT = " (project lock: "
_END = "): do not edit; render again instead."
_LEGACY_HEADER = "# Written by svcgen (svcgen render -o DIR): do not edit; render again instead."
"""svcgen 0.x's header: it named no project."""
_FILE_SUFFIXES = (".yaml", ".yml", ".json")


# kubectl's -o words: "-o yaml" is a habit, but here -o takes a path.
_FORMAT_WORDS = {"yaml", "yml", "json", "wide", "name", "jsonpath", "go-template", "custom-columns"}


def output_kind(path: str, is_dir: bool) -> str:
    """What ``-o PATH`` writes: ``"directory"``, ``"yaml"`` or ``"json"``.

    A directory is a path that exists as one, ends with a slash, or has no extension; a file's
    extension (.yaml, .yml, .json) says its format.

    Raises:
        ValueError: a bare kubectl format word (``-o yaml``), or an extension svcgen cannot write.
    """
    if path == "-":
        raise ValueError(
            "-o - is standard output, which is where svcgen writes without -o: drop -o"
        )
    if is_dir or path.endswith(("/", "\\")):
        return "directory"
    if path in _FORMAT_WORDS or path.split("=", 1)[0] in _FORMAT_WORDS:
        fmt = "json" if path.startswith("json") else "yaml"
        raise ValueError(
            f'-o takes a path, not a format ("{path}" is kubectl\'s habit); write to standard '
            f"output with --format {fmt}, or give a file name such as out.{fmt}"
        )
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = name[name.rindex(".") :].lower() if "." in name.lstrip(".") else ""
    if not suffix:
        return "directory"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    raise ValueError(
        f'-o {path}: svcgen writes .yaml, .yml or .json files; for a directory named "{name}", '
        f"write -o {path}/"
    )


def file_name(manifest: dict[str, Any]) -> str:
    """A stable, unique file name: ``[NAMESPACE_]KIND_NAME.yaml``.

    It is unique because ``_`` never occurs in those names.
    """
    meta = manifest.get("metadata", {})
    parts = [meta.get("namespace"), str(manifest.get("kind", "object")).lower(), meta.get("name")]
    return "_".join(str(p) for p in parts if p) + ".yaml"


def header(project: str) -> str:
    """The first line of a YAML file ``render -o`` writes: svcgen's mark and ``project``.

    ``project``: the project's lock file, relative to the folder of the file written (control
    characters escaped, so that the header stays one comment line).
    """
    return f"{MARK} render{_PROJECT}{one_line(project)}{_END}\n"


def written_by(text: str | None) -> str | None:
    """Who wrote ``text``: None if not svcgen (no header), else the project its header names.

    "" for the header of svcgen 0.x's ``render -o DIR``, which names no project. Only a first line
    that is one of these two headers counts: a file that merely starts with "# Written by svcgen"
    (a hand-edited copy that says so) is the user's.
    """
    if not text or not text.startswith(MARK):
        return None
    first = text.split("\n", 1)[0].removesuffix("\r")
    if first == _LEGACY_HEADER:
        return ""
    start = f"{MARK} render{_PROJECT}"
    if first.startswith(start) and first.endswith(_END) and len(first) >= len(start) + len(_END):
        return first[len(start) : len(first) - len(_END)]
    return None


def directory_files(manifests: Sequence[dict[str, Any]], project: str) -> dict[str, str]:
    """One file per object plus a ``kustomization.yaml`` listing them in render order.

    Every file, the kustomization too, starts with :func:`header`.
    """
    mark = header(project)
    files = {file_name(m): mark + to_yaml([m]) for m in manifests}
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files[KUSTOMIZATION] = mark + to_yaml([kustomization])
    return files


def kustomization_resources(text: str | None) -> list[str]:
    """The files an earlier svcgen-written ``kustomization.yaml`` lists (to remove stale ones)."""
    if written_by(text) is None or text is None:
        return []
    from svcgen.kube.yamlread import load_documents

    documents = load_documents(text)
    value = documents[0].value if documents else None
    resources = value.get("resources") if isinstance(value, dict) else None
    return (
        [r for r in resources if isinstance(r, str) and "/" not in r and r.endswith(".yaml")]
        if isinstance(resources, list)
        else []
    )


def json_list(manifests: Sequence[dict[str, Any]]) -> str:
    """The manifests as one ``List`` object in JSON (what ``kubectl get -o json`` prints)."""
    import json  # -o *.json only

    return (
        json.dumps({"apiVersion": "v1", "kind": "List", "items": list(manifests)}, indent=2) + "\n"
    )


def json_written_by_svcgen(text: str | None) -> bool:
    """Whether ``text`` is a JSON ``List`` exactly as :func:`json_list` writes it.

    It must have those three keys, in that layout. JSON has no comments to carry a header, so the
    layout is the mark: a file written by hand or by another tool (kubectl indents by four, adds
    ``metadata``) is not taken as svcgen's.
    """
    import json

    try:
        value = json.loads(text or "")
    except ValueError:
        return False
    return (
        isinstance(value, dict)
        and list(value) == ["apiVersion", "kind", "items"]
        and value["apiVersion"] == "v1"
        and value["kind"] == "List"
        and isinstance(value["items"], list)
        and json_list(value["items"]) == text
    )
