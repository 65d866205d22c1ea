"""Every example renders to its committed output and lock, and that output is schema-valid."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from conftest import DATA, EXAMPLES, run_cli
from ruamel.yaml import YAML

EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if (p / "app.py").is_file())


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLE_DIRS} >= {"seed", "webshop", "dns"}


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_renders_to_expected_and_keeps_its_lock(
    name: str, example: Callable[[str], Path]
) -> None:
    copy = example(name)
    result = run_cli("render", str(copy / "app.py"))
    assert result.code == 0, result.err
    assert result.out == (EXAMPLES / name / "expected.yaml").read_text()
    committed = EXAMPLES / name / "svcgen.lock"
    if committed.exists():
        assert (copy / "svcgen.lock").read_text() == committed.read_text()
    else:
        assert not (copy / "svcgen.lock").exists()


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_lock_is_current(name: str) -> None:
    # --check writes nothing, so it can run on the committed example itself.
    result = run_cli("render", "--check", str(EXAMPLES / name / "app.py"))
    assert result.code == 0, result.out + result.err


CRD_SCHEMAS = {
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): "httproute-v1",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor-v1",
    ("monitoring.coreos.com/v1", "PodMonitor"): "podmonitor-v1",
}


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_output_matches_the_kubernetes_schema(name: str) -> None:
    """Built-in kinds against Kubernetes' schemas, custom resources against their CRDs'
    (tests/data/crds)."""
    docs = list(YAML(typ="safe").load_all((EXAMPLES / name / "expected.yaml").read_text()))
    assert docs
    version = kubernetes_validate.utils.latest_version()
    for doc in docs:
        crd = CRD_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        if crd is None:
            kubernetes_validate.validate(doc, version, strict=True)
        else:
            schema = _strict(json.loads((DATA / "crds" / f"{crd}.schema.json").read_text()))
            jsonschema.validate(doc, schema)
            assert set(doc["metadata"]) <= {"name", "namespace", "labels", "annotations"}


def _strict(schema: Any) -> Any:
    """The CRD schema with unknown fields refused (the API server prunes them; a typo must fail
    here)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [_strict(item) for item in schema]
    return schema


def test_the_strict_crd_schemas_refuse_a_typo() -> None:
    schema = _strict(json.loads((DATA / "crds" / "httproute-v1.schema.json").read_text()))
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {"rules": [{"backendRef": [{"name": "web", "port": 80}]}]},
    }
    with pytest.raises(jsonschema.ValidationError, match="backendRef"):
        jsonschema.validate(route, schema)


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_output_lints_clean(name: str) -> None:
    """What render checked in the DSL, lint finds in the YAML: the two agree on every example."""
    result = run_cli("lint", str(EXAMPLES / name / "expected.yaml"))
    assert result.code == 0, result.out + result.err
    assert "0 errors, 0 warnings" in result.err


def test_seed_is_exactly_the_documented_service() -> None:
    (doc,) = YAML(typ="safe").load_all((EXAMPLES / "seed" / "expected.yaml").read_text())
    assert doc == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "my-service"},
        "spec": {
            "type": "NodePort",
            "selector": {"app": "MyApp"},
            "ports": [
                {
                    "name": "http",
                    "protocol": "TCP",
                    "port": 8080,
                    "targetPort": 5000,
                    "nodePort": 30000,
                },
                {
                    "name": "metrics",
                    "protocol": "TCP",
                    "port": 8081,
                    "targetPort": 6000,
                    "nodePort": 31000,
                },
            ],
        },
    }


def _readme_apps() -> list[str]:
    text = (EXAMPLES.parent / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    return [b for b in blocks if "from svcgen import" in b and "App(" in b]


@pytest.mark.parametrize("block", _readme_apps())
def test_the_readmes_declarations_render(block: str, write_app: Callable[..., Path]) -> None:
    """What the README shows a newcomer renders without a single problem."""
    path = write_app(block)
    result = run_cli("render", str(path))
    assert result.code == 0, result.err
    assert "error" not in result.err and "warning" not in result.err, result.err
    assert result.out.startswith("apiVersion: v1\nkind: Service\n")
