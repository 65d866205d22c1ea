"""Output layouts: a directory for kustomize (checked with the real kubectl), JSON, --check on both."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from ruamel.yaml import YAML

from svcgen.kube.layout import file_name, output_kind


def _docs(text: str) -> list[dict[str, object]]:
    return [d for d in YAML(typ="safe").load_all(text) if d]


def _key(doc: dict[str, object]) -> tuple[str, str, str]:
    meta = doc["metadata"]
    assert isinstance(meta, dict)
    return (str(doc["kind"]), str(meta.get("namespace", "")), str(meta["name"]))


def test_file_names_and_directory_detection() -> None:
    assert file_name({"kind": "Service", "metadata": {"name": "web"}}) == "service_web.yaml"
    assert file_name({"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}) == \
        "shop_deployment_web.yaml"
    assert output_kind("out", False) == output_kind("out/", False) == output_kind("x.yaml", True) == "directory"
    assert output_kind("x.yaml", False) == output_kind("deploy/x.YML", False) == "yaml"
    assert output_kind("x.JSON", False) == "json"
    assert output_kind(".hidden", False) == "directory"


@pytest.mark.parametrize(("path", "message"), [
    ("yaml", "-o takes a path, not a format"), ("json", "--format json"), ("wide", "-o takes a path"),
    ("name", "-o takes a path"), ("jsonpath={.items}", "-o takes a path"),
    ("out.txt", "svcgen writes .yaml, .yml or .json files; for a directory named \"out.txt\", write -o out.txt/"),
])
def test_outputs_svcgen_cannot_write_are_refused_with_a_hint(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        output_kind(path, False)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("name", ["webshop", "workloads"])
def test_kubectl_kustomize_gives_the_same_objects_as_the_stream(
        name: str, example: Callable[[str], Path], tmp_path: Path) -> None:
    app = example(name) / "app.py"
    stream = run_cli("render", str(app))
    assert run_cli("render", str(app), "-o", "out").code == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "kustomization.yaml" in files and len(files) == len(_docs(stream.out)) + 1
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path / "out")], capture_output=True, text=True,
                           check=True).stdout
    assert sorted(_docs(built), key=_key) == sorted(_docs(stream.out), key=_key)


def test_directory_render_is_stable_checked_and_removes_stale_files(
        write_app: Callable[..., Path], tmp_path: Path) -> None:
    write_app("""
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()]),
            Service("admin", ports=[api.port("admin").expose()])])
    """)
    assert run_cli("render", "app.py", "-o", "out").code == 0
    (tmp_path / "out" / "notes.txt").write_text("mine\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "kustomization.yaml", "notes.txt", "service_admin.yaml", "service_web.yaml"]
    assert run_cli("render", "--check", "app.py", "-o", "out").code == 0
    write_app("""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose(80)])])
    """)
    check = run_cli("render", "--check", "app.py", "-o", "out")
    assert check.code == 1 and "service_admin.yaml" in check.out and "+    port: 80" in check.out
    assert (tmp_path / "out" / "service_admin.yaml").exists()  # --check writes nothing
    assert run_cli("render", "app.py", "-o", "out").code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "kustomization.yaml", "notes.txt", "service_web.yaml"]


def test_failed_render_leaves_the_directory_untouched(write_app: Callable[..., Path], tmp_path: Path) -> None:
    write_app("""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()])])
    """)
    run_cli("render", "app.py", "-o", "out")
    before = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    write_app("""
        api = Container("api", ports=[Port("http", 8080)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("Web", ports=[api.port("http").expose()])])
    """)
    assert run_cli("render", "app.py", "-o", "out").code == 1
    assert {p.name: p.read_text() for p in (tmp_path / "out").iterdir()} == before


def test_json_format(example: Callable[[str], Path], tmp_path: Path) -> None:
    app = example("dns") / "app.py"
    stream = run_cli("render", str(app))
    as_json = run_cli("render", str(app), "--format", "json")
    listing = json.loads(as_json.out)
    assert listing["kind"] == "List" and listing["items"] == _docs(stream.out)
    assert run_cli("render", str(app), "--format", "json", "-o", "out.json").code == 0
    assert (tmp_path / "out.json").read_text() == as_json.out
    assert run_cli("render", str(app), "--format", "json", "-o", "dir").code == 2


def test_dash_is_not_a_directory_name_for_o() -> None:
    with pytest.raises(ValueError, match="drop -o"):
        output_kind("-", False)
