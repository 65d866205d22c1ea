"""``svcgen krm``: svcgen as a kustomize generator (a KRM function, exec mode).

kustomize runs the function in the kustomization's folder with a ``ResourceList`` on standard
input (KRM Functions Specification): ``functionConfig`` is the generator's config, ``items`` what
came before. The output is the same ``ResourceList`` (read and written as kubectl reads YAML:
every item keeps its values; comments are not kept) with the rendered manifests appended and
``results`` saying every problem (severity, message, file, field; line and rule as tags); an
error also exits non-zero and is said on standard error, which is what kustomize shows.

``svcgen krm CONFIG`` reads the config from a file instead and prints only the manifests, as a
YAML stream: kustomize's exec plugins (which ``kubectl kustomize`` runs; it has no
``--enable-exec``) and Argo CD's config management plugin call it so.

The config (``apiVersion: svcgen.dev/v1alpha1``, ``kind: Svcgen``)::

    spec:
      paths: [app.py]            # required: files or folders, relative to the kustomization
      lock: svcgen.lock          # the rest as the flags of svcgen render, each optional
      withWorkloads: true
      nodePortRange: 30000-32767
      kubernetesVersion: "1.32"

A generator writes no file: it renders as ``svcgen render --locked`` does and refuses to allocate
a nodePort the lock file does not hold (run ``svcgen render`` once and commit the lock). It reads
files only: the declarations, the settings, the lock and the ``reserve`` files; never the live
cluster (``reserve-cluster``) nor a shared registry, which ``svcgen render`` and CI consult.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any, TextIO

from svcgen.cli.common import lock_changes, new_lock_text, print_problems
from svcgen.cli.project import load_project
from svcgen.errors import (
    EXIT_OK,
    DeclarationError,
    InputError,
    Problem,
    SvcgenError,
    UsageError,
    shorten,
)
from svcgen.files import display
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.releases import KubeVersion
from svcgen.kube.yamlread import load_documents
from svcgen.kube.yamlwrite import to_yaml
from svcgen.render import Rendered

__all__ = ["API_VERSION", "KIND", "cmd_krm"]

API_VERSION = "svcgen.dev/v1alpha1"
KIND = "Svcgen"
_RESOURCE_LIST_VERSIONS = ("config.kubernetes.io/v1", "config.kubernetes.io/v1beta1")
# spec key -> (the render flag's attribute, what it holds)
_SPEC = {
    "paths": ("paths", "a list of files or folders"),
    "lock": ("lock", "a path"),
    "withWorkloads": ("with_workloads", "true or false"),
    "nodePortRange": ("node_port_range", 'a range such as "30000-32767"'),
    "kubernetesVersion": ("kubernetes_version", 'a quoted version such as "1.32"'),
}
# spec key -> what a value of the right type but invalid is not (default: as _SPEC says)
_VALID = {"kubernetesVersion": "a Kubernetes version svcgen knows"}


class KrmError(InputError):
    """The function's input or its config cannot be used: said as a result at ``field``.

    ``where`` names what was read: ``svcgen krm`` (standard input) or the config file.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message, self.field, self.where = message, field, "svcgen krm"

    def __str__(self) -> str:
        return f"{self.where}: error: {self.message}"


def cmd_krm(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None) -> int:
    """Generate the project's manifests for kustomize, as a KRM function or an exec plugin.

    As a KRM function a ResourceList comes in and goes out; as an exec plugin (CONFIG given) the
    output is a YAML stream.
    """
    if args.config is not None:
        return _from_file(args.config, out, err)
    text = (stdin if stdin is not None else io.StringIO("")).read()
    resource_list: dict[str, Any] = {
        "apiVersion": _RESOURCE_LIST_VERSIONS[0],
        "kind": "ResourceList",
        "items": [],
    }
    results: list[dict[str, Any]] = []
    code = EXIT_OK
    try:
        resource_list = _resource_list(text)
        rendered = _generate(resource_list.get("functionConfig"))
        resource_list["items"].extend(rendered.manifests)
        print_problems(rendered.warnings, err)
        results = [_result(p) for p in rendered.warnings]
    except SvcgenError as exc:
        debug = bool(getattr(args, "debug", False))
        for line in exc.report(debug):
            print(line, file=err)
        if debug:
            import traceback

            traceback.print_exception(exc.debug_cause(), file=err)
        results = _results(exc)
        code = exc.exit_code
    if results:
        resource_list["results"] = results
    out.write(to_yaml([resource_list]))
    return code


def _from_file(path: str, out: TextIO, err: TextIO) -> int:
    """``svcgen krm CONFIG``: the manifests as a YAML stream, problems on stderr.

    This is an exec plugin's protocol.
    """
    from svcgen.files import FileRefusedError, read_file

    try:
        data = read_file(path)
    except FileRefusedError as exc:
        raise UsageError(
            f"{path}: error: cannot read the generator config: {exc.reason}. Fix: {exc.hint}"
        ) from None
    except OSError as exc:
        raise UsageError(
            f"{path}: error: cannot read the generator config: {exc.strerror or exc}"
        ) from None
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise KrmError("the generator config is not UTF-8 text") from None
        rendered = _generate(_one_document(text, "the generator config"))
    except KrmError as exc:
        exc.where = path
        raise
    print_problems(rendered.warnings, err)
    out.write(rendered.yaml)
    return EXIT_OK


def _one_document(text: str, what: str) -> Any:
    """The value of the one document of ``text``, read as kubectl reads YAML (None: there is none).

    Raises:
        KrmError: it is not valid YAML, or holds several documents.
    """
    documents = [d for d in load_documents(text) if d.value is not None or d.error is not None]
    for document in documents:
        if document.error is not None:
            line = f" (line {document.error.position[0]})" if document.error.position else ""
            raise KrmError(f"{what} is not valid YAML{line}: {document.error.message}")
    if len(documents) > 1:
        raise KrmError(f"{what} holds {len(documents)} YAML documents, not one")
    return documents[0].value if documents else None


def _resource_list(text: str) -> dict[str, Any]:
    """The input ResourceList, checked: a mapping of kind ResourceList whose ``items`` is a list."""
    resource_list = _one_document(text, "standard input")
    if not isinstance(resource_list, dict) or resource_list.get("kind") != "ResourceList":
        raise KrmError(
            "standard input is not a ResourceList (KRM Functions Specification). Fix: run it from "
            "kustomize (a generator whose config has the annotation "
            "config.kubernetes.io/function), or give the config file: svcgen krm CONFIG"
        )
    if resource_list.get("apiVersion") not in _RESOURCE_LIST_VERSIONS:
        raise KrmError(
            f"ResourceList apiVersion {resource_list.get('apiVersion')!r} is not one svcgen reads "
            f"({', '.join(_RESOURCE_LIST_VERSIONS)})",
            "apiVersion",
        )
    items = resource_list.setdefault("items", [])
    if items is None:
        resource_list["items"] = []
    elif not isinstance(items, list):
        raise KrmError("the ResourceList's items is not a list", "items")
    return resource_list


def _generate(config: Any) -> Rendered:
    """Render the project the config names, as ``svcgen render --locked``: nothing is written.

    Raises:
        KrmError: the config is not a valid one.
        SvcgenError: the project has problems, or needs nodePorts its lock file does not hold.
    """
    args = _arguments(config)
    project = load_project(args)
    # Files only: the live cluster and a shared registry are svcgen render's (and CI's) to consult.
    project.settings = project.settings._replace(reserve_cluster=None, registry=None)
    old, lock = project.read_lock()
    rendered = project.render(lock)
    new = new_lock_text(old, rendered.lock, lock)
    if new is not None and new != old:
        lock_name = display(project.lock_path)
        found = lock_changes(
            lock, rendered.lock, lock_name
        )  # a Problem is one line: the first few entries
        changes = found.one_line() if found else f"{lock_name}: not in the current format"
        paths = " ".join(args.paths)
        raise DeclarationError(
            Problem(
                "",
                "",
                f"{changes}; a generator writes no file, so it allocates no nodePort",
                f"run `svcgen render {paths}` once (it records them in the lock file) and commit "
                f"{lock_name}",
                rule="lock-not-current",
            )
        )
    return rendered


def _arguments(config: Any) -> argparse.Namespace:
    """The render flags that the generator config's ``spec`` gives.

    Each key is checked; unknown ones are refused.
    """
    if not isinstance(config, dict):
        raise KrmError(
            "no generator config (functionConfig). Fix: list a config of "
            f"apiVersion: {API_VERSION}, kind: {KIND} under the kustomization's generators",
            "functionConfig",
        )
    if config.get("apiVersion") != API_VERSION or config.get("kind") != KIND:
        raise KrmError(
            f"the generator config is apiVersion {config.get('apiVersion')!r}, kind "
            f"{config.get('kind')!r}. Fix: apiVersion: {API_VERSION}, kind: {KIND}",
            "kind",
        )
    spec = config.get("spec")
    if not isinstance(spec, dict):
        raise KrmError(
            "the generator config has no spec mapping. Fix: spec: {paths: [app.py]}", "spec"
        )
    args = argparse.Namespace(
        command="krm",
        paths=[],
        lock=None,
        with_workloads=False,
        node_port_range=None,
        kubernetes_version=None,
        reserve=[],
        reserve_cluster=None,
        allocate_from=None,
        registry=None,
        owner=None,
    )
    for key, value in spec.items():
        if key not in _SPEC:
            raise KrmError(
                f"spec.{key}: not a setting of the generator; it has {', '.join(_SPEC)}",
                f"spec.{key}",
            )
        attribute, expected = _SPEC[key]
        try:
            setattr(args, attribute, _value(key, value))
        except (TypeError, ValueError) as exc:
            detail = f" ({exc})" if str(exc) else ""
            if isinstance(
                exc, ValueError
            ):  # the right type: "a quoted version" would say the wrong fix
                expected = _VALID.get(key, expected)
            raise KrmError(
                f"spec.{key}: {shorten(repr(value))} is not {expected}{detail}", f"spec.{key}"
            ) from None
    if not args.paths:
        raise KrmError(
            "spec.paths: missing. Fix: name the declaration files or folders, "
            "relative to the kustomization, e.g. paths: [app.py]",
            "spec.paths",
        )
    return args


def _value(key: str, value: Any) -> Any:
    """``spec.key``'s value as the render flag holds it.

    Raises:
        TypeError: not the type the key takes; ValueError: not a valid value of it.
    """
    if key == "withWorkloads":
        if not isinstance(value, bool):
            raise TypeError()
        return value
    if key == "paths":
        if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
            raise TypeError()
        return [str(p) for p in value]
    if not isinstance(value, str) or not value:
        raise TypeError()
    if key == "nodePortRange":
        return NodePortRange.parse(value)
    if key == "kubernetesVersion":
        return KubeVersion.parse(value)
    return str(value)


def _results(exc: SvcgenError) -> list[dict[str, Any]]:
    """The ResourceList results that say ``exc``: one per problem."""
    if isinstance(exc, DeclarationError):
        return [_result(p) for p in exc.problems]
    result: dict[str, Any] = {"message": str(exc), "severity": "error"}
    field = getattr(exc, "field", "")
    if field:
        result["field"] = {"path": field}
    return [result]


def _result(problem: Problem) -> dict[str, Any]:
    """A problem as a KRM result: message, severity, file (path, document index), field.

    Its line, column and rule go in as tags.
    """
    result: dict[str, Any] = {"message": str(problem), "severity": problem.severity}
    if problem.file:
        result["file"] = {
            "path": Path(problem.file).as_posix(),
            **({"index": problem.document} if problem.document is not None else {}),
        }
    if problem.field:
        result["field"] = {"path": problem.field}
    tags = {
        "rule": problem.rule,
        "line": str(problem.line or ""),
        "column": str(problem.column or ""),
    }
    tags = {k: v for k, v in tags.items() if v}
    if tags:
        result["tags"] = tags
    return result
