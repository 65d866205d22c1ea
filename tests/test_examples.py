"""Every example renders to its committed output and lock, and that output is schema-valid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import kubernetes_validate
import pytest
from conftest import EXAMPLES, run_cli
from ruamel.yaml import YAML

EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if (p / "app.py").is_file())


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLE_DIRS} >= {"seed", "webshop", "dns"}


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_renders_to_expected_and_keeps_its_lock(name: str, example: Callable[[str], Path]) -> None:
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


@pytest.mark.parametrize("name", [p.name for p in EXAMPLE_DIRS])
def test_example_output_matches_the_kubernetes_schema(name: str) -> None:
    docs = list(YAML(typ="safe").load_all((EXAMPLES / name / "expected.yaml").read_text()))
    assert docs
    version = kubernetes_validate.utils.latest_version()
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_seed_is_exactly_the_documented_service() -> None:
    (doc,) = YAML(typ="safe").load_all((EXAMPLES / "seed" / "expected.yaml").read_text())
    assert doc == {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-service"},
        "spec": {"type": "NodePort", "selector": {"app": "MyApp"}, "ports": [
            {"name": "http", "protocol": "TCP", "port": 8080, "targetPort": 5000, "nodePort": 30000},
            {"name": "metrics", "protocol": "TCP", "port": 8081, "targetPort": 6000, "nodePort": 31000},
        ]},
    }
