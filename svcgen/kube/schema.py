"""Check Kubernetes-shaped values against the official OpenAPI schema of a Kubernetes version.

The schema is vendored: ``workload_schema.json`` holds every definition reachable from the
Deployment, StatefulSet and DaemonSet specs, generated from the official per-release schemas
(those kubernetes-validate ships) by ``scripts/update_workload_schema.py``, which records the
versions read and, for each field, the first version that has it. Reading it costs ~1 ms and is
done on the first check only: an App that declares no Kubernetes-shaped field never loads it.

What is checked, as the API server's strict field validation does: unknown fields (with the
nearest known one), fields newer than the target version, types (string, integer, number,
boolean, object, list, quantity, int-or-string) and required fields. Not checked here: enums
(the schema does not list them) and the rules the API server applies after decoding (names,
ranges), which :mod:`svcgen.kube.rules` owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from svcgen.kube.releases import KubeVersion

__all__ = ["SchemaError", "check", "field_since", "schema_versions", "workload_spec"]


@dataclass(frozen=True)
class SchemaError:
    """One mismatch: where (keys and list indexes from the checked value), what, and the fix."""

    path: tuple[str | int, ...]
    message: str
    hint: str = ""


@cache
def _schema() -> dict[str, Any]:
    import json  # only when a Kubernetes-shaped value is checked
    from importlib.resources import files

    data: dict[str, Any] = json.loads(
        files("svcgen.kube").joinpath("workload_schema.json").read_text()
    )
    return data


def schema_versions() -> tuple[int, int]:
    """The oldest and newest minor versions the vendored schema was generated from."""
    low, high = _schema()["versions"]
    return low, high


def workload_spec(kind: str) -> str:
    """The schema's definition of a workload kind's spec.

    For example ``workload_spec("Deployment")`` is ``apps.v1.DeploymentSpec``.
    """
    spec: str = _schema()["roots"][kind]
    return spec


def field_since(definition: str, field: str) -> int | None:
    """The first minor version with ``definition.field`` (None: unknown to every version read)."""
    spec = _schema()["defs"][definition]["p"].get(field)
    if spec is None:
        return None
    return spec[1] if len(spec) > 1 else schema_versions()[0]


_NAMES = {
    "s": "a string",
    "i": "an integer",
    "n": "a number",
    "b": "true or false",
    "q": "a quantity",
    "x": "an integer or a string",
    "a": "a list",
    "m": "an object",
    "@": "an object",
}


def _fits(value: Any, kind: str) -> bool:
    if kind == "*":
        return True
    if kind == "s":
        return isinstance(value, str)
    if kind == "b":
        return isinstance(value, bool)
    if kind == "i":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("n", "q"):
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        return numeric or (kind == "q" and isinstance(value, str))
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)  # "x"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def check(value: Any, definition: str, version: KubeVersion) -> list[SchemaError]:
    """Every mismatch between ``value`` and the schema's ``definition`` in ``version``.

    ``definition`` is a name such as ``core.v1.Volume``.
    """
    errors: list[SchemaError] = []
    _check(value, "@" + definition, (), version.oldest, errors)  # every target version has it
    return errors


def _check(
    value: Any, kind: Any, path: tuple[str | int, ...], minor: int, errors: list[SchemaError]
) -> None:
    if type(kind) is str and kind[0] != "@":  # a scalar
        if not _fits(value, kind):
            errors.append(
                SchemaError(path, f"Invalid type: expected {_NAMES[kind]}, got {_shown(value)}")
            )
        return
    if isinstance(kind, list):
        container, item = kind
        if container == "a":
            if not isinstance(value, (list, tuple)):
                errors.append(
                    SchemaError(path, f"Invalid type: expected a list, got {_shown(value)}")
                )
                return
            for i, member in enumerate(value):
                _check(member, item, (*path, i), minor, errors)
        else:
            if not isinstance(value, Mapping):
                errors.append(
                    SchemaError(path, f"Invalid type: expected an object, got {_shown(value)}")
                )
                return
            for key, member in value.items():
                if not isinstance(key, str):
                    errors.append(
                        SchemaError(
                            (*path, str(key)), f"Invalid type: keys are strings, got {key!r}"
                        )
                    )
                elif not (
                    type(member) is str and item == "s"
                ):  # a label's value: the common case, checked here
                    _check(member, item, (*path, key), minor, errors)
        return
    if not isinstance(value, Mapping):
        errors.append(SchemaError(path, f"Invalid type: expected an object, got {_shown(value)}"))
        return
    definition = _schema()["defs"][kind[1:]]
    fields: dict[str, list[Any]] = definition["p"]
    for key, member in value.items():
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None or (len(spec) > 1 and spec[1] > minor):
            errors.append(_unknown(str(key), fields, minor, (*path, str(key)), spec))
        elif member is not None and not (
            type(member) is str and spec[0] == "s"
        ):  # a string field: checked here
            _check(member, spec[0], (*path, key), minor, errors)
    for key in definition.get("r", ()):
        if value.get(key) is None:
            errors.append(SchemaError((*path, key), "Required value"))


def _unknown(
    key: str,
    fields: Mapping[str, list[Any]],
    minor: int,
    path: tuple[str | int, ...],
    spec: list[Any] | None,
) -> SchemaError:
    if spec is not None:
        return SchemaError(
            path,
            f'unknown field "{key}" in Kubernetes 1.{minor}: it is new in 1.{spec[1]}',
            f"drop it, or, if every cluster runs 1.{spec[1]} or later, set kubernetes-version = "
            f'"1.{spec[1]}" in [tool.svcgen] (or --kubernetes-version 1.{spec[1]})',
        )
    import difflib  # only for a mistake's suggestion

    known = [name for name, s in fields.items() if len(s) == 1 or s[1] <= minor]
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f'did you mean "{near[0]}"?' if near else "known fields: " + ", ".join(sorted(known))
    return SchemaError(path, f'unknown field "{key}"', hint)
