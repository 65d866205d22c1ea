"""The vendored Kubernetes schema: unknown fields with did-you-mean, newer fields, types, required
fields."""

from __future__ import annotations

import json
from pathlib import Path

import kubernetes_validate
import pytest

from svcgen.kube import schema
from svcgen.kube.releases import PORTABLE, KubeVersion

V136 = KubeVersion.parse("1.36")


def test_a_valid_container_has_no_errors() -> None:
    container = {
        "name": "web",
        "image": "x",
        "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
        "resources": {"limits": {"cpu": "1", "memory": 2}},
        "securityContext": {"runAsUser": 1000, "capabilities": {"drop": ["ALL"]}},
        "ports": [{"containerPort": 80}],
    }
    assert schema.check(container, "core.v1.Container", V136) == []


def test_an_unknown_field_names_the_nearest_one() -> None:
    (error,) = schema.check(
        {"name": "x", "securityContext": {"runAsNonRot": True}}, "core.v1.Container", V136
    )
    assert error == schema.SchemaError(
        ("securityContext", "runAsNonRot"),
        'unknown field "runAsNonRot"',
        'did you mean "runAsNonRoot"?',
    )


@pytest.mark.parametrize(
    ("value", "path", "message"),
    [
        (
            {"name": "x", "stdin": "yes"},
            ("stdin",),
            'Invalid type: expected true or false, got "yes"',
        ),
        ({"name": "x", "args": "--v"}, ("args",), 'Invalid type: expected a list, got "--v"'),
        ({"name": "x", "args": [1]}, ("args", 0), "Invalid type: expected a string, got 1"),
        (
            {"name": "x", "resources": {"limits": {"cpu": True}}},
            ("resources", "limits", "cpu"),
            "Invalid type: expected a quantity, got True",
        ),
        ({"name": "x", "env": [{"value": "1"}]}, ("env", 0, "name"), "Required value"),
        (
            {"name": "x", "lifecycle": []},
            ("lifecycle",),
            "Invalid type: expected an object, got []",
        ),
    ],
)
def test_types_and_required_fields(
    value: dict[str, object], path: tuple[str | int, ...], message: str
) -> None:
    (error,) = schema.check(value, "core.v1.Container", V136)
    assert (error.path, error.message) == (path, message)


def test_a_field_newer_than_the_target_version_is_refused_with_its_version() -> None:
    pod = {"hostnameOverride": "x", "containers": []}
    assert schema.check(pod, "core.v1.PodSpec", KubeVersion.parse("1.34")) == []
    (error,) = schema.check(pod, "core.v1.PodSpec", KubeVersion.parse("1.33"))
    assert error.message == 'unknown field "hostnameOverride" in Kubernetes 1.33: it is new in 1.34'
    assert schema.field_since("core.v1.PodSpec", "hostnameOverride") == 34
    assert schema.field_since("core.v1.PodSpec", "volumes") == schema.schema_versions()[0]
    assert schema.field_since("core.v1.PodSpec", "nope") is None


def test_by_default_a_field_is_allowed_only_when_every_supported_version_has_it() -> None:
    """Portable by default (1.35-1.37): a field new in 1.37 is refused as the oldest, 1.35,
    would."""
    pod: dict[str, list[object]] = {"evictionResponders": [], "containers": []}
    assert schema.field_since("core.v1.PodSpec", "evictionResponders") == 37
    assert schema.check(pod, "core.v1.PodSpec", KubeVersion.parse("1.37")) == []
    (error,) = schema.check(pod, "core.v1.PodSpec", PORTABLE)
    assert (
        error.message == 'unknown field "evictionResponders" in Kubernetes 1.35: it is new in 1.37'
    )
    assert error.hint == (
        'drop it, or, if every cluster runs 1.37 or later, set kubernetes-version = "1.37" in '
        "[tool.svcgen] (or --kubernetes-version 1.37)"
    )


@pytest.mark.slow
def test_the_vendored_schema_is_what_the_script_generates_from_the_official_schemas(
    tmp_path: Path,
) -> None:
    """Regenerating from the installed kubernetes-validate gives the committed file byte for
    byte."""
    import runpy

    script = Path(__file__).resolve().parent.parent / "scripts" / "update_workload_schema.py"
    namespace = runpy.run_path(str(script))
    namespace["main"](tmp_path / "schema.json")
    vendored = Path(schema.__file__).parent / "workload_schema.json"
    assert (tmp_path / "schema.json").read_bytes() == vendored.read_bytes()
    committed = json.loads(vendored.read_text())
    assert committed["versions"][1] == int(kubernetes_validate.utils.latest_version().split(".")[1])
    assert set(committed["roots"]) == {"Deployment", "StatefulSet", "DaemonSet"}
    assert namespace["short"]("io.k8s.api.core.v1.Container") == "core.v1.Container"


def test_each_workload_kind_names_its_spec() -> None:
    assert [schema.workload_spec(kind) for kind in ("Deployment", "StatefulSet", "DaemonSet")] == [
        "apps.v1.DeploymentSpec",
        "apps.v1.StatefulSetSpec",
        "apps.v1.DaemonSetSpec",
    ]
