"""Output layouts: a directory for kustomize (checked with the real kubectl), JSON, --check on
both."""

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
    assert (
        file_name({"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}})
        == "shop_deployment_web.yaml"
    )
    assert (
        output_kind("out", False)
        == output_kind("out/", False)
        == output_kind("x.yaml", True)
        == "directory"
    )
    assert output_kind("x.yaml", False) == output_kind("deploy/x.YML", False) == "yaml"
    assert output_kind("x.JSON", False) == "json"
    assert output_kind(".hidden", False) == "directory"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("yaml", "-o takes a path, not a format"),
        ("json", "--format json"),
        ("wide", "-o takes a path"),
        ("name", "-o takes a path"),
        ("jsonpath={.items}", "-o takes a path"),
        (
            "out.txt",
            'svcgen writes .yaml, .yml or .json files; for a directory named "out.txt", write -o '
            "out.txt/",
        ),
    ],
)
def test_outputs_svcgen_cannot_write_are_refused_with_a_hint(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        output_kind(path, False)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("name", ["webshop", "workloads"])
def test_kubectl_kustomize_gives_the_same_objects_as_the_stream(
    name: str, example: Callable[[str], Path], tmp_path: Path
) -> None:
    app = example(name) / "app.py"
    stream = run_cli("render", str(app))
    assert run_cli("render", str(app), "-o", "out").code == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "kustomization.yaml" in files and len(files) == len(_docs(stream.out)) + 1
    built = subprocess.run(
        ["kubectl", "kustomize", str(tmp_path / "out")], capture_output=True, text=True, check=True
    ).stdout
    assert sorted(_docs(built), key=_key) == sorted(_docs(stream.out), key=_key)


def test_directory_render_is_stable_checked_and_removes_stale_files(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app("""
        api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
        app = App("web", labels={"app": "web"}, containers=[api], services=[
            Service("web", ports=[api.port("http").expose()]),
            Service("admin", ports=[api.port("admin").expose()])])
    """)
    assert run_cli("render", "app.py", "-o", "out").code == 0
    (tmp_path / "out" / "notes.txt").write_text("mine\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "kustomization.yaml",
        "notes.txt",
        "service_admin.yaml",
        "service_web.yaml",
    ]
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
        "kustomization.yaml",
        "notes.txt",
        "service_web.yaml",
    ]


def test_failed_render_leaves_the_directory_untouched(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
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


TWO_SERVICES = """
    api = Container("api", ports=[Port("http", 8080), Port("admin", 9000)])
    app = App("web", labels={"app": "web"}, containers=[api], services=[
        Service("web", ports=[api.port("http").expose()]),
        Service("admin", ports=[api.port("admin").expose()])])
"""
ONE_SERVICE = """
    api = Container("api", ports=[Port("http", 8080)])
    app = App("web", labels={"app": "web"}, containers=[api], services=[
        Service("web", ports=[api.port("http").expose()])])
"""
HEADER_LINE = (
    "# Written by svcgen render (project lock: ../svcgen.lock): do not edit; render "
    "again instead.\n"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_hand_written_kustomization_and_its_files_are_never_replaced_or_removed_without_force(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES)
    out = tmp_path / "out"
    out.mkdir()
    (out / "kustomization.yaml").write_text("resources:\n- mine.yaml\n- service_web.yaml\n")
    (out / "mine.yaml").write_text("kind: ConfigMap\n")
    before = _files(out)
    for extra in ([], ["--check"]):
        result = run_cli("render", "app.py", "-o", "out", *extra)
        assert result.code == 2 and result.out == ""
        assert result.err == (
            'out/kustomization.yaml: error: svcgen did not write this file (it has no "# Written '
            'by svcgen" header); '
            "svcgen replaces only the files it wrote for this project, so nothing was written. "
            "Fix: move it away, choose another -o path, or pass --force to replace it\n"
        )
        assert _files(out) == before and not (tmp_path / "svcgen.lock").exists()
    forced = run_cli("render", "app.py", "-o", "out", "--force")
    assert forced.code == 0 and forced.err == (
        "svcgen: replaced out/kustomization.yaml (--force: svcgen did not write this file (it has "
        'no "# Written by svcgen" header))\n'
    )
    assert (out / "kustomization.yaml").read_text().startswith(HEADER_LINE)
    assert sorted(_files(out)) == [
        "kustomization.yaml",
        "mine.yaml",
        "service_admin.yaml",
        "service_web.yaml",
    ]
    assert (out / "mine.yaml").read_bytes() == before["mine.yaml"]


def test_files_listed_in_svcgens_kustomization_that_svcgen_did_not_write_are_kept(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES)
    assert run_cli("render", "app.py", "-o", "out").code == 0
    out = tmp_path / "out"
    kustomization = out / "kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text() + "- notes.yaml\n"
    )  # the user lists a file of theirs
    (out / "notes.yaml").write_text("kind: ConfigMap\n")
    adopted = (out / "service_admin.yaml").read_text().replace(HEADER_LINE, "# mine now\n")
    (out / "service_admin.yaml").write_text(
        adopted
    )  # and takes svcgen's file over (its header is gone)
    write_app(ONE_SERVICE)
    result = run_cli("render", "app.py", "-o", "out")
    assert result.code == 0 and result.err == ""
    assert sorted(_files(out)) == [
        "kustomization.yaml",
        "notes.yaml",
        "service_admin.yaml",
        "service_web.yaml",
    ]
    assert (out / "notes.yaml").read_text() == "kind: ConfigMap\n"
    assert (out / "service_admin.yaml").read_text() == adopted


def test_a_second_project_does_not_take_over_the_first_ones_folder(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES, "p1/app.py")
    write_app(ONE_SERVICE.replace('"web"', '"other"'), "p2/app.py")
    assert run_cli("render", "p1/app.py", "-o", "out").code == 0
    before = _files(tmp_path / "out")
    result = run_cli("render", "p2/app.py", "-o", "out")
    assert result.code == 2
    assert result.err == (
        "out/kustomization.yaml: error: svcgen wrote this file for another project (its header "
        "names the lock ../p1/svcgen.lock; this project's is ../p2/svcgen.lock, both from the "
        "file's folder); svcgen replaces only the files it wrote for this project, so nothing was "
        "written. Fix: move it away, choose another -o path, or pass --force to replace it\n"
    )
    assert _files(tmp_path / "out") == before
    forced = run_cli("render", "p2/app.py", "-o", "out", "--force")
    assert (
        forced.code == 0
        and forced.err
        == (  # the first project's other files stay: they are not this one's
            "svcgen: replaced out/kustomization.yaml (--force: svcgen wrote this file for another "
            "project (its header names the lock ../p1/svcgen.lock; this project's is "
            "../p2/svcgen.lock, both from the file's folder))\n"
        )
    )
    assert sorted(_files(tmp_path / "out")) == [
        "kustomization.yaml",
        "service_admin.yaml",
        "service_other.yaml",
        "service_web.yaml",
    ]


def test_the_leftovers_of_a_killed_render_are_removed_by_the_next_and_said(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES)
    assert run_cli("render", "app.py", "-o", "out").code == 0
    out = tmp_path / "out"
    # A render killed after renaming some files, before the kustomization: a manifest no
    # kustomization
    # lists, and the temporary files of the rest (one not yet written at all).
    (out / "service_gone.yaml").write_text(HEADER_LINE + "kind: Service\n")
    (out / ".service_gone2.yaml.abcd1234.tmp").write_text(HEADER_LINE + "kind: Serv")
    (out / ".kustomization.yaml.zz_zz_zz.tmp").write_text("")
    (tmp_path / ".svcgen.lock.q1w2e3r4.tmp").write_text(
        "# svcgen.lock - nodePorts managed by svcgen. Com"
    )
    mine = {
        "notes.yaml": "kind: ConfigMap\n",
        ".notes.yaml.abcd1234.tmp": "my editor's\n",
        "other.yaml": HEADER_LINE.replace("../svcgen.lock", "../elsewhere/svcgen.lock"),
    }
    for name, text in mine.items():
        (out / name).write_text(text)
    expected = _files(out)
    result = run_cli("render", "app.py", "-o", "out")
    assert result.code == 0
    assert result.err == (
        "svcgen: removed out/service_gone.yaml (written by an earlier render, no longer rendered)\n"
        "svcgen: removed .svcgen.lock.q1w2e3r4.tmp (left by an interrupted render)\n"
        "svcgen: removed out/.kustomization.yaml.zz_zz_zz.tmp (left by an interrupted render)\n"
        "svcgen: removed out/.service_gone2.yaml.abcd1234.tmp (left by an interrupted render)\n"
    )
    for name in (
        "service_gone.yaml",
        ".service_gone2.yaml.abcd1234.tmp",
        ".kustomization.yaml.zz_zz_zz.tmp",
    ):
        del expected[name]
    assert _files(out) == expected and not (tmp_path / ".svcgen.lock.q1w2e3r4.tmp").exists()
    assert run_cli("render", "app.py", "-o", "out").err == ""


def test_a_failed_render_into_a_new_folder_leaves_no_folder(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES)
    (tmp_path / "locks" / "svcgen.lock").mkdir(parents=True)  # the lock cannot be read: a folder
    result = run_cli("render", "app.py", "-o", "new/out", "--lock", "locks/svcgen.lock")
    assert result.code == 2 and "the lock file is a directory" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "locks"]


@pytest.mark.slow
def test_renders_killed_midway_leave_nothing_the_next_render_keeps(tmp_path: Path) -> None:
    import os
    import signal
    import sys
    import time

    from conftest import HEADER, ROOT

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    services = "\n".join(f'    Service("s{i}", ports=[c.port("a").expose()]),' for i in range(600))
    big = (
        HEADER + 'c = Container("c", ports=[Port("a", 8000)])\n'
        'app = App("big", labels={"app": "big"}, containers=[c], services=[\n' + services + "\n])\n"
    )
    (tmp_path / "app.py").write_text(big)
    for delay in (0.4, 0.7, 1.0, 1.3, 1.6, 1.9):
        proc = subprocess.Popen(
            [sys.executable, "-m", "svcgen", "render", "app.py", "-o", "out"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        (tmp_path / "app.py").write_text(
            big.replace('Service("s', 'Service("t', 1 + int(delay * 10) % 7)
        )
    (tmp_path / "app.py").write_text(
        HEADER + 'c = Container("c", ports=[Port("a", 8000)])\n'
        'app = App("small", labels={"app": "s"}, containers=[c], services=[\n'
        '    Service("only", ports=[c.port("a").expose()])])\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py", "-o", "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "kustomization.yaml",
        "service_only.yaml",
    ]


@pytest.mark.parametrize(
    "first_line",
    [
        "# Written by svcgen, then edited by hand: keeps my patches",
        "# Written by svcgen render (project lock: ../svcgen.lock), my copy with patches",
        "# Written by svcgenerator",
    ],
)
def test_a_file_that_only_starts_like_svcgens_header_is_the_users(
    write_app: Callable[..., Path], tmp_path: Path, first_line: str
) -> None:
    write_app(TWO_SERVICES)
    out = tmp_path / "out"
    out.mkdir()
    mine = f"{first_line}\nresources:\n- service_web.yaml\npatches:\n- path: mine.yaml\n"
    (out / "kustomization.yaml").write_text(mine)
    (out / "service_gone.yaml").write_text(f"{first_line}\nkind: Service\n")
    result = run_cli("render", "app.py", "-o", "out")
    assert result.code == 2 and result.err == (
        "out/kustomization.yaml: error: svcgen did not write this file (its first line is not the "
        "header svcgen writes); svcgen replaces only the files it wrote for this project, so "
        "nothing was written. Fix: move it away, choose another -o path, or pass --force to "
        "replace it\n"
    )
    assert (out / "kustomization.yaml").read_text() == mine
    forced = run_cli("render", "app.py", "-o", "out", "--force")
    assert (
        forced.code == 0
        and forced.err
        == (  # replaced when asked, and said; the other file is not svcgen's
            "svcgen: replaced out/kustomization.yaml (--force: svcgen did not write this file "
            "(its first line is not the header svcgen writes))\n"
        )
    )
    assert (out / "service_gone.yaml").read_text() == f"{first_line}\nkind: Service\n"


def test_the_header_of_svcgen_0x_still_marks_its_files(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES)
    out = tmp_path / "out"
    out.mkdir()
    legacy = "# Written by svcgen (svcgen render -o DIR): do not edit; render again instead.\n"
    (out / "kustomization.yaml").write_text(legacy + "resources:\n- service_gone.yaml\n")
    (out / "service_gone.yaml").write_text(legacy + "kind: Service\n")
    result = run_cli("render", "app.py", "-o", "out")
    assert result.code == 0
    assert (
        result.err
        == "svcgen: removed out/service_gone.yaml (written by an earlier render, no longer "
        "rendered)\n"
    )
    assert sorted(_files(out)) == ["kustomization.yaml", "service_admin.yaml", "service_web.yaml"]


def test_a_project_whose_path_has_a_control_character_still_owns_its_files(
    write_app: Callable[..., Path], tmp_path: Path
) -> None:
    write_app(TWO_SERVICES, "my\tproject/app.py")  # the header escapes the tab: \t
    assert run_cli("render", "my\tproject/app.py", "-o", "deploy").code == 0
    assert (
        (tmp_path / "deploy" / "kustomization.yaml")
        .read_text()
        .startswith(HEADER_LINE.replace("../svcgen.lock", "../my\\tproject/svcgen.lock"))
    )
    write_app(ONE_SERVICE, "my\tproject/app.py")
    result = run_cli("render", "my\tproject/app.py", "-o", "deploy")
    assert result.code == 0, result.err
    assert result.err == (
        "svcgen: removed deploy/service_admin.yaml (written by an earlier render, no longer "
        "rendered)\n"
    )
    assert sorted(_files(tmp_path / "deploy")) == ["kustomization.yaml", "service_web.yaml"]
