"""Regenerate svcgen/kube/workload_schema.json from the official Kubernetes OpenAPI schemas.

The source: the JSON schemas that ``kubernetes-validate`` ships (generated from each release's
``api/openapi-spec``), one directory per minor version. Kept: every definition reachable from
the Deployment, StatefulSet and DaemonSet specs, without descriptions, in a compact form that
svcgen.kube.schema reads:

    {"versions": [25, 37], "roots": {...}, "defs": {NAME: {"p": {FIELD: [TYPE, SINCE?]}, "r":
    [REQUIRED]}}}

TYPE is "s" (string), "i" (integer), "n" (number), "b" (boolean), "q" (a quantity: string or
number), "x" (an int or a string), "*" (anything), "@NAME" (a definition), ["a", TYPE] (a list)
or ["m", TYPE] (a map of strings to TYPE). SINCE is the first minor version whose schema has the
field, when later than the oldest version read. A field's type is the newest version's.

Run: ``.venv/bin/python scripts/update_workload_schema.py`` (needs the test extra installed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate

ROOTS = {
    "Deployment": "io.k8s.api.apps.v1.DeploymentSpec",
    "StatefulSet": "io.k8s.api.apps.v1.StatefulSetSpec",
    "DaemonSet": "io.k8s.api.apps.v1.DaemonSetSpec",
}
OUT = Path(__file__).resolve().parent.parent / "svcgen" / "kube" / "workload_schema.json"
NEWEST: dict[str, Any] = {}  # the newest version's definitions, by full name
PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg.")


def short(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def load(version: str) -> dict[str, Any]:
    root = (
        Path(kubernetes_validate.__file__).parent
        / "kubernetes-json-schema"
        / f"v{version}-local-strict"
    )
    defs: dict[str, Any] = json.loads((root / "_definitions.json").read_text())["$defs"]
    return defs


def type_of(prop: dict[str, Any]) -> Any:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        if name.endswith("resource.Quantity"):
            return "q"
        if name.endswith("intstr.IntOrString"):
            return "x"
        target = NEWEST[name]
        if "properties" not in target:  # a string in disguise (Time), or free-form JSON (FieldsV1)
            return type_of(target)
        return "@" + short(name)
    types = [
        t
        for t in ([prop["type"]] if isinstance(prop.get("type"), str) else prop.get("type", []))
        if t != "null"
    ]
    if not types:
        return "*"
    kind = types[0]
    if kind == "array":
        return ["a", type_of(prop.get("items", {}))]
    if kind == "object":
        extra = prop.get("additionalProperties")
        return ["m", type_of(extra)] if isinstance(extra, dict) else ["m", "*"]
    return {"string": "s", "integer": "i", "number": "n", "boolean": "b"}[kind]


def refs(kind: Any) -> list[str]:
    if isinstance(kind, list):
        return refs(kind[1])
    return [kind[1:]] if isinstance(kind, str) and kind.startswith("@") else []


def main(path: Path = OUT) -> None:
    versions = sorted(
        kubernetes_validate.utils.all_versions(), key=lambda v: tuple(map(int, v.split(".")))
    )
    versions = [v for v in versions if re.fullmatch(r"1\.\d+\.0", v)]
    per_version = {int(v.split(".")[1]): load(v) for v in versions}
    newest = per_version[max(per_version)]
    NEWEST.update(newest)
    full = {short(name): name for name in newest}
    out: dict[str, Any] = {}
    todo = [short(name) for name in ROOTS.values()]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        definition = newest[full[name]]
        props: dict[str, Any] = {}
        for field, prop in sorted(definition.get("properties", {}).items()):
            kind = type_of(prop)
            since = min(
                minor
                for minor, defs in per_version.items()
                if field in defs.get(full[name], {}).get("properties", {})
            )
            props[field] = [kind] if since == min(per_version) else [kind, since]
            todo.extend(refs(kind))
        out[name] = {
            "p": props,
            **({"r": sorted(definition["required"])} if definition.get("required") else {}),
        }
    data = {
        "source": "kubernetes-validate " + kubernetes_validate.__version__
        if hasattr(kubernetes_validate, "__version__")
        else "kubernetes-validate",
        "versions": [min(per_version), max(per_version)],
        "roots": {kind: short(name) for kind, name in ROOTS.items()},
        "defs": dict(sorted(out.items())),
    }
    path.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")
    print(
        f"{path}: {len(out)} definitions, Kubernetes 1.{min(per_version)} to 1.{max(per_version)}"
    )


if __name__ == "__main__":
    main()
