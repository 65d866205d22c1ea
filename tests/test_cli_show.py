"""svcgen ports and svcgen explain: what a project's Service ports are, writing nothing."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from test_cli_render import TWO

Writer = Callable[..., Path]


def test_ports_table_and_json(write_app: Writer) -> None:
    write_app(TWO)
    run_cli("render", "app.py")
    table = run_cli("ports", "app.py")
    assert table.code == 0
    assert table.out.splitlines() == [
        "NAMESPACE  SERVICE  PORT   PROTOCOL  PORT->TARGET  NODEPORT  SOURCE",
        "-          shop     http   TCP       80->8080      30001     lock",
        "-          shop     admin  TCP       9000->9000    30000     lock",
        "be         api      grpc   TCP       443->50051    30002     lock",
    ]
    rows = json.loads(run_cli("ports", "app.py", "--format", "json").out)
    assert rows[0] == {
        "namespace": None,
        "service": "shop",
        "port_name": "http",
        "protocol": "TCP",
        "port": 80,
        "target_port": 8080,
        "node_port": 30001,
        "source": "lock",
    }


def test_ports_shows_new_and_pinned_without_writing(write_app: Writer, tmp_path: Path) -> None:
    write_app(
        TWO.replace('web.port("http").expose(80)', 'web.port("http").expose(80, node_port=30080)')
    )
    rows = json.loads(run_cli("ports", "app.py", "--format", "json").out)
    assert [r["source"] for r in rows] == ["pinned", "new", "new"]
    assert not (tmp_path / "svcgen.lock").exists()


def test_ports_json_writes_null_for_what_is_missing_and_reserved_rows_keep_their_names(
    write_app: Writer, tmp_path: Path
) -> None:
    write_app(TWO)
    (tmp_path / "cluster.yaml").write_text(
        "kind: Service\nmetadata: {name: dns, namespace: kube-system}\nspec:\n  type: NodePort\n"
        "  ports: [{name: dns, port: 53, protocol: UDP, nodePort: 30053}]\n"
    )
    rows = json.loads(
        run_cli("ports", "app.py", "--reserve", "cluster.yaml", "--format", "json").out
    )
    reserved = rows[-1]
    assert reserved == {
        "namespace": "kube-system",
        "service": "dns",
        "port_name": "dns",
        "protocol": "UDP",
        "port": None,
        "target_port": None,
        "node_port": 30053,
        "source": "reserved (cluster.yaml)",
    }
    assert all("" not in row.values() for row in rows)
    table = run_cli("ports", "app.py", "--reserve", "cluster.yaml").out.splitlines()
    assert table[-1].split() == [
        "kube-system",
        "dns",
        "dns",
        "UDP",
        "-",
        "30053",
        "reserved",
        "(cluster.yaml)",
    ]


def test_ports_table_shows_a_reserved_files_and_services_control_characters_escaped(
    write_app: Writer, tmp_path: Path
) -> None:
    """A reserve file (or a Service in it) named with a terminal escape sequence: the table shows it
    escaped."""
    write_app(TWO)
    (tmp_path / "r\x1b[2J.yaml").write_text(
        'kind: Service\nmetadata: {name: "w\\e[31m", namespace: x}\n'
        "spec:\n  ports: [{port: 80, nodePort: 31000}]\n"
    )
    table = run_cli("ports", "app.py", "--reserve", "r\x1b[2J.yaml")
    assert table.code == 0 and "\x1b" not in table.out
    assert table.out.splitlines()[-1].split() == [
        "x",
        "w\\x1b[31m",
        "-",
        "TCP",
        "-",
        "31000",
        "reserved",
        "(r\\x1b[2J.yaml)",
    ]


def test_explain_writes_no_yaml_it_does_not_show(
    write_app: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """explain shows the chains: the manifests' YAML text (half of its time on 2,000 Services) is
    never
    made."""
    write_app(TWO)
    expected = {fmt: run_cli("explain", "app.py", "--format", fmt) for fmt in ("text", "svg")}

    def no_yaml(*args: object, **kwargs: object) -> str:
        raise AssertionError("explain wrote the manifests' YAML")

    monkeypatch.setattr(
        importlib.import_module("svcgen.render"), "to_yaml", no_yaml
    )  # svcgen.render: a function
    for fmt, before in expected.items():
        assert before.code == 0 and "30001" in before.out
        assert run_cli("explain", "app.py", "--format", fmt) == before
