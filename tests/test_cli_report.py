"""Findings as text, JSON, SARIF 2.1.0 (checked against the official schema) and GitHub
annotations."""

from __future__ import annotations

import json

import jsonschema
from conftest import ROOT

from svcgen.cli.report import render_problems, sorted_problems
from svcgen.errors import ObjectRef, Problem, SourceLocation

REF = ObjectRef("Service", "shop", "web")
PROBLEMS = [
    Problem(
        "Service/shop/web",
        "spec.ports[0].nodePort",
        "Invalid value: 80: not in range, 100%",
        "use 30000",
        SourceLocation("deploy/b.yaml", 9, 5),
        "error",
        "node-port-range",
        REF,
        0,
    ),
    Problem(
        "", "", "no such file or directory", location=SourceLocation("missing.yaml"), rule="read"
    ),
    Problem(
        "Service/shop/web",
        "spec.selector",
        "selects nothing,\nat all",
        "",
        SourceLocation("deploy/a.yaml", 3, 3),
        "warning",
        "selector",
        REF,
        0,
    ),
]


def test_sorted_by_file_line_column() -> None:
    assert [p.file for p in sorted_problems(PROBLEMS)] == [
        "deploy/a.yaml",
        "deploy/b.yaml",
        "missing.yaml",
    ]


def test_sarif_follows_the_official_schema() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text())
    log = json.loads(render_problems(PROBLEMS, "sarif"))
    jsonschema.validate(log, schema)
    (run,) = log["runs"]
    first = run["results"][0]
    assert first["ruleId"] == "selector" and first["level"] == "warning"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/a.yaml"},
        "region": {"startLine": 3, "startColumn": 3},
    }
    assert (
        "region" not in run["results"][2]["locations"][0]["physicalLocation"]
    )  # no line: no region
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "node-port-range",
        "read",
        "selector",
    ]
    empty = json.loads(render_problems([], "sarif"))
    jsonschema.validate(empty, schema)


def test_github_annotations_escape_their_data() -> None:
    lines = render_problems(PROBLEMS, "github").splitlines()
    assert lines[0] == (
        "::warning file=deploy/a.yaml,line=3,col=3,title=svcgen selector::Service/shop/web: "
        "spec.selector: selects nothing,%0Aat all."
    )
    assert lines[1].startswith(
        "::error file=deploy/b.yaml,line=9,col=5,title=svcgen node-port-range::"
    )
    assert "not in range, 100%25. Fix: use 30000" in lines[1]
    assert lines[2] == "::error file=missing.yaml,title=svcgen read::no such file or directory."


def test_fix_follows_a_full_stop_in_every_format() -> None:
    said = (
        "Service/shop/web: spec.ports[0].nodePort: Invalid value: 80: not in range, 100%. "
        "Fix: use 30000"
    )
    github = render_problems(PROBLEMS, "github").splitlines()[1]
    assert github.endswith("::" + said.replace("%", "%25"))
    sarif = json.loads(render_problems(PROBLEMS, "sarif"))["runs"][0]["results"]
    assert [r["message"]["text"] for r in sarif] == [
        "Service/shop/web: spec.selector: selects nothing,\nat all.",
        said,
        "no such file or directory.",
    ]
    assert render_problems(PROBLEMS, "text").splitlines()[1].endswith(" " + said.split(": ", 1)[1])
    ended = Problem("", "", "Already a sentence.", "do this")  # no second full stop
    assert (
        render_problems([ended], "github")
        == "::error title=svcgen lint::Already a sentence. Fix: do this\n"
    )


def test_text_and_json() -> None:
    text = render_problems(PROBLEMS, "text").splitlines()
    assert text[0].startswith(
        "deploy/a.yaml:3:3: warning: Service/shop/web: spec.selector: selects nothing"
    )
    assert [item["file"] for item in json.loads(render_problems(PROBLEMS, "json"))] == [
        "deploy/a.yaml",
        "deploy/b.yaml",
        "missing.yaml",
    ]
