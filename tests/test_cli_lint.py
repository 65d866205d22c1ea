"""svcgen lint on the command line: files, folders, stdin, output formats, exit codes, project
settings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lint import DEPLOYMENT, SERVICE

from svcgen.cli import main
from svcgen.cli.lint import _holds_nothing, _lines
from svcgen.kube.yamlwrite import to_yaml


def test_text_output_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SERVICE.replace("name: http", "name: HTTP"))
    result = run_cli("lint", str(tmp_path / "s.yaml"))
    assert result.code == 1
    assert result.out.splitlines()[0].startswith(
        f"{tmp_path / 's.yaml'}:11:5: error: Service/shop/web: spec.ports[0].name: Invalid value: "
        '"HTTP":'
    )
    assert result.err == "svcgen lint: 1 error, 0 warnings in 1 file.\n"
    (tmp_path / "s.yaml").write_text(SERVICE)
    assert run_cli("lint", str(tmp_path)).code == 0


def test_json_output(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("---\n" + SERVICE.replace("nodePort: 30080", "nodePort: 80"))
    result = run_cli("lint", "--format", "json", str(tmp_path / "s.yaml"))
    (item,) = json.loads(result.out)
    assert item == {
        "file": str(tmp_path / "s.yaml"),
        "line": 15,
        "column": 5,
        "document": 0,
        "kind": "Service",
        "namespace": "shop",
        "name": "web",
        "field": "spec.ports[0].nodePort",
        "severity": "error",
        "rule": "node-port-range",
        "message": "Invalid value: 80: provided port is not in the valid "
        "range. The range of valid ports is 30000-32767",
        "subject": "Service/shop/web",
        "hint": "use a port in 30000-32767 (the cluster's --service-node-port-range), or leave "
        "it unset",
    }
    assert run_cli("lint", "--node-port-range", "1-1000", str(tmp_path / "s.yaml")).code == 0


def test_stdin_and_unreadable_paths(tmp_path: Path) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    assert main(["lint", "-"], out=out, err=err, stdin=io.StringIO(SERVICE)) == 0
    (tmp_path / "s.yaml").write_text(SERVICE)
    result = run_cli("lint", str(tmp_path / "s.yaml"), str(tmp_path / "missing.yaml"))
    assert result.code == 2 and "missing.yaml: error: no such file or directory." in result.out


@pytest.mark.parametrize("text", ["", "\n\n", "---\n# nothing yet\n...\n"])
def test_empty_input_says_there_was_nothing_to_check(tmp_path: Path, text: str) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    assert main(["lint", "-"], out=out, err=err, stdin=io.StringIO(text)) == 0
    assert out.getvalue() == ""
    assert err.getvalue() == "svcgen lint: nothing to check: <stdin> is empty (no YAML document).\n"
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yml").write_text("")
    result = run_cli("lint", str(tmp_path / "a.yaml"), str(tmp_path / "b.yml"))
    assert result.code == 0 and result.err == (
        f"svcgen lint: nothing to check: {tmp_path / 'a.yaml'}, "
        f"{tmp_path / 'b.yml'} are empty (no YAML document).\n"
    )
    (tmp_path / "b.yml").write_text(SERVICE)  # one file with something in it: the usual summary
    assert run_cli("lint", str(tmp_path / "a.yaml"), str(tmp_path / "b.yml")).err == (
        "svcgen lint: 0 errors, 0 warnings in 2 files.\n"
    )


@pytest.mark.parametrize("name", ["app.py", "deploy/services.py"])
def test_a_python_file_is_said_once_not_to_be_a_manifest(tmp_path: Path, name: str) -> None:
    (tmp_path / "app.py").write_text("from svcgen import App\n")
    result = run_cli("lint", name, "x.yaml")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines()[-1] == (
        f"svcgen lint: error: argument PATH: {name} is Python, not a manifest; "
        f"lint what it renders: svcgen render {name} | svcgen lint -"
    )
    assert result.err.count("error") == 1 and "warning" not in result.err


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        SERVICE.replace("app: web", "app: gone") + "---\n" + DEPLOYMENT
    )
    result = run_cli("lint", str(tmp_path))
    assert result.code == 0 and "warning" in result.out


def test_a_folder_without_yaml_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("lint", str(tmp_path))
    assert result.code == 2 and "no YAML or JSON files" in result.err and result.out == ""


def test_lint_honours_the_projects_node_port_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render -o with [tool.svcgen] node-port-range, then lint of the output: the same range
    applies."""

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen]\nnode-port-range = "20000-22767"\n')
    (tmp_path / "app.py").write_text(
        "from svcgen import App, Container, Port, Service\n"
        'api = Container("api", ports=[Port("http", 80), Port("admin", 9000)])\napp = App("web", '
        'labels={"app": "web"}, containers=[api], services=[Service("web", type="NodePort", '
        'ports=[api.port("http").expose(), api.port("admin").expose(node_port=21000)])])\n'
    )
    assert run_cli("render", "app.py", "-o", "out.yaml").code == 0
    assert "nodePort: 20000" in (tmp_path / "out.yaml").read_text()
    result = run_cli("lint", "out.yaml")
    assert result.code == 0, result.out
    (tmp_path / "deploy").mkdir()
    (tmp_path / "out.yaml").rename(tmp_path / "deploy" / "out.yaml")
    assert run_cli("lint", "deploy").code == 0  # a folder of the project: the same settings
    assert (
        run_cli("lint", "--node-port-range", "30000-32767", "deploy").code == 1
    )  # the flag still wins


def test_files_that_are_not_kubernetes_are_skipped_quietly_when_walked(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(SERVICE + "---\n" + DEPLOYMENT)
    workflows = tmp_path / "k8s" / "ci"
    workflows.mkdir()
    (workflows / "build.yaml").write_text(
        "name: build\non: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n"
    )
    (workflows / "hooks.yaml").write_text("- id: svcgen-lint\n  entry: svcgen lint\n")
    walked = run_cli("lint", str(tmp_path / "k8s"))
    assert walked.code == 0 and walked.out == "" and "0 warnings in 3 files" in walked.err
    named = run_cli("lint", str(workflows / "build.yaml"), str(workflows / "hooks.yaml"))
    assert named.code == 0 and named.out.count("not a Kubernetes object") == 2


def test_findings_are_sorted_by_file_line_and_column(tmp_path: Path) -> None:
    bad = SERVICE.replace("name: http", "name: HTTP").replace("nodePort: 30080", "nodePort: 80")
    (tmp_path / "b.yaml").write_text(bad)
    (tmp_path / "a.yaml").write_text(bad.replace("name: web\n", "name: Web\n", 1))
    result = run_cli("lint", str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml"))
    positions = [
        (line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2]))
        for line in result.out.splitlines()
    ]
    assert positions == sorted(positions) and positions[0][0].endswith("a.yaml")
    assert all("Fix: " in line for line in result.out.splitlines())


@pytest.mark.parametrize("fmt", ["sarif", "github", "json"])
def test_other_formats_carry_the_same_findings(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "s.yaml").write_text(SERVICE.replace("nodePort: 30080", "nodePort: 80"))
    result = run_cli("lint", "--format", fmt, str(tmp_path / "s.yaml"))
    assert result.code == 1 and "provided port is not in the valid range" in result.out
    assert result.err == ""


HUGE = "q" * 1_000_000


@pytest.mark.parametrize(
    "text",
    [
        f"a: *{HUGE}\n",
        f"a: !{HUGE} x\n",
        f"a: !!{HUGE} x\n",
        f"a: !{HUGE} [1]\n",
        f"x: &k {HUGE}\nm:\n  ? *k\n  : 1\n  ? *k\n  : 2\n",
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_huge_alias_tag_or_key_is_quoted_short_in_every_format(
    tmp_path: Path, text: str, fmt: str
) -> None:
    """An alias name, a tag or a key an alias repeats, 1 MB long: the message quotes 100 characters
    and the length."""
    (tmp_path / "x.yaml").write_text(text)
    result = run_cli("lint", "--format", fmt, str(tmp_path / "x.yaml"))
    assert result.code == 1
    assert re.search(r"\.\.\. \(1,000,0\d\d characters\)", result.out) and len(result.out) < 3000


def test_a_file_given_twice_is_linted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``svcgen lint x.yaml ./x.yaml`` (or a folder and a file in it): no object defined again after
    itself."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(SERVICE)
    for paths in (["x.yaml", "./x.yaml"], [".", "x.yaml"], ["x.yaml", str(tmp_path / "x.yaml")]):
        assert run_cli("lint", *paths) == run_cli("lint", "x.yaml"), paths
    assert (
        run_cli("lint", "x.yaml", "x.yaml").err == "svcgen lint: 0 errors, 0 warnings in 1 file.\n"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab #-.\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t", max_size=30))
def test_lines_are_read_as_splitlines_reads_them(text: str) -> None:
    assert list(_lines(text)) == text.splitlines()
    assert _holds_nothing(text) == all(
        not s or s.startswith("#") or s in ("---", "...")
        for s in (line.strip() for line in text.splitlines())
    )


def _peak_rss_of_lint(path: Path) -> int:
    """Peak resident memory (bytes) of a fresh process linting ``path`` (VmHWM: not the parent's, as
    ru_maxrss)."""
    code = (
        "import sys\nfrom svcgen.cli import main\n"
        f"main(['lint', {str(path)!r}])\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(result.stderr.splitlines()[-1]) * 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_lint_holds_a_small_multiple_of_its_input(tmp_path: Path) -> None:
    """A 10 MB manifest (Deployments with their environment and resources, Services, ConfigMaps):
    lint held
    about 35 times it before (every value, and a position tuple for every key, to the end)."""
    docs: list[dict[str, Any]] = []
    for i in range(2600):
        meta = {
            "name": f"app-{i}",
            "namespace": f"team-{i % 9}",
            "labels": {"app": f"app-{i}", "part-of": "shop"},
        }
        container = {
            "name": "app",
            "image": f"registry.example/app-{i}:1",
            "env": [{"name": f"VAR_{j}", "value": f"value-{j}"} for j in range(15)],
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
            "ports": [{"name": "http", "containerPort": 8080}],
        }
        docs += [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": meta,
                "data": {f"k{j}": f"value {j} of app {i}" for j in range(60)},
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta,
                "spec": {
                    "selector": meta["labels"],
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                },
            },
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": meta,
                "spec": {
                    "selector": {"matchLabels": meta["labels"]},
                    "template": {
                        "metadata": {"labels": meta["labels"]},
                        "spec": {"containers": [container]},
                    },
                },
            },
        ]
    manifest = tmp_path / "all.yaml"
    manifest.write_text(to_yaml(docs))
    size = manifest.stat().st_size
    assert size > 8_000_000
    small = tmp_path / "small.yaml"
    small.write_text(SERVICE)
    baseline = _peak_rss_of_lint(small)  # the interpreter and svcgen's modules
    peak = _peak_rss_of_lint(manifest) - baseline
    assert peak <= 6 * size, f"{peak / size:.1f} times the input"
