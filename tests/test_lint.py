"""svcgen lint: across documents and files, output formats, exit codes, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, HOSTILE_SCALARS, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from svcgen.lint import lint_texts

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
"""


def lint(*texts: str) -> list[tuple[str, int, str, str, str]]:
    return [
        (p.file, p.line, p.severity, p.field, p.rule)
        for p in lint_texts([(f"f{i}.yaml", t) for i, t in enumerate(texts)])
    ]


def test_a_consistent_set_is_clean() -> None:
    assert lint(SERVICE, DEPLOYMENT) == []


def test_kubectl_list_output() -> None:
    items = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "a"},
                "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 31000}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "b"},
                "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 31000}]},
            },
        ],
    }
    found = lint_texts([("list.json", json.dumps(items, indent=2))])
    assert [(p.obj.name if p.obj else "", p.rule) for p in found] == [("b", "node-port-collision")]


def test_unknown_kinds_are_skipped() -> None:
    assert lint("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n") == []


def test_defaulting_happens_before_validation() -> None:
    assert lint("kind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 80}]\n") == []


@pytest.mark.parametrize("name", ["seed", "webshop", "dns", "workloads"])
def test_rendered_examples_lint_clean(name: str) -> None:
    text = (EXAMPLES / name / "expected.yaml").read_text()
    assert lint_texts([("expected.yaml", text)]) == []


HOSTILE: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("binary", b"\x00\x01\x02kind: Service"),
    ("latin-1", "name: caf\xe9\n".encode("latin-1")),
    ("scalar", b"just text\n"),
    ("list", b"- 1\n- 2\n"),
    ("python tag", b"kind: Service\nmetadata: !!python/object/apply:os.system ['true']\n"),
    (
        "bomb",
        b'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n".encode()
            for i in range(9)
        ),
    ),
    ("deep", b"[" * 50000 + b"]" * 50000),
    (
        "numbers for strings",
        b"kind: Service\nmetadata: {name: 5, labels: {a: 1}}\nspec: {ports: [{port: '80', "
        b"name: 1, protocol: 6, targetPort: 1.5, nodePort: x}], selector: [1]}\n",
    ),
    (
        "wrong shapes",
        b"kind: Service\nmetadata: []\nspec: 5\n---\nkind: Deployment\nspec: {template: {spec: "
        b"{containers: [1, {ports: {a: 1}}, {ports: [5, {containerPort: '1'}]}]}}}\n",
    ),
    ("syntax", b"kind: Service\nmetadata: {name: [\n"),
]


@pytest.mark.parametrize(("label", "data"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_give_clear_problems_and_the_rest_is_still_linted(
    label: str, data: bytes, tmp_path: Path
) -> None:
    (tmp_path / "a-bad.yaml").write_bytes(data)
    (tmp_path / "b-good.yaml").write_text(
        SERVICE.replace("app: web", "app: other").replace("nodePort: 30080", "nodePort: 1")
    )
    result = run_cli("lint", str(tmp_path))
    assert result.code in (0, 1)
    assert "Traceback" not in result.out + result.err
    assert "b-good.yaml:14:5: error: Service/shop/web: spec.ports[0].nodePort" in result.out


manifest_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 70000)
    | st.text(max_size=8)
    | st.sampled_from(
        ["Service", "NodePort", "TCP", "http", "None", "LoadBalancer", "ExternalName", "Local"]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "kind",
                    "metadata",
                    "name",
                    "spec",
                    "ports",
                    "port",
                    "nodePort",
                    "targetPort",
                    "type",
                    "selector",
                    "protocol",
                    "clusterIP",
                    "template",
                    "containers",
                    "containerPort",
                    "items",
                    "labels",
                    "externalName",
                    "healthCheckNodePort",
                    "sessionAffinity",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(manifest_values, min_size=1, max_size=3))
def test_lint_never_raises_on_random_manifests(documents: list[object]) -> None:
    texts = [(f"f{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    for problem in lint_texts(texts):
        assert problem.severity in ("error", "warning") and problem.message


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_lint_never_raises_on_random_bytes(data: bytes | str) -> None:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    lint_texts([("x.yaml", text), ("y.yaml", SERVICE + text)])


def test_control_characters_in_values_are_escaped() -> None:
    found = lint_texts(
        [("x.yaml", 'kind: Service\nmetadata: {name: "a\\nb"}\nspec: {ports: [{port: 80}]}\n')]
    )
    assert found and all("\n" not in str(p) for p in found) and '"a\\nb"' in str(found[0])


STATEFUL = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: shop}
spec:
  serviceName: redis
  selector: {matchLabels: {app: redis}}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers:
      - name: redis
        image: redis
        ports: [{name: redis, containerPort: 6379}]
"""


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
@pytest.mark.parametrize("field", ["nodePort", "port", "targetPort", "name", "protocol"])
def test_hostile_scalars_anywhere_give_problems_with_a_line(field: str, scalar: str) -> None:
    text = SERVICE.replace("    nodePort: 30080", "    nodePort: 30080").replace(
        {
            "nodePort": "nodePort: 30080",
            "port": "port: 80",
            "targetPort": "targetPort: http",
            "name": "- name: http",
            "protocol": "name: http",
        }[field],
        {
            "nodePort": f"nodePort: {scalar}",
            "port": f"port: {scalar}",
            "targetPort": f"targetPort: {scalar}",
            "name": f"- name: {scalar}",
            "protocol": f"name: http\n    protocol: {scalar}",
        }[field],
        1,
    )
    found = lint_texts([("s.yaml", text), ("d.yaml", DEPLOYMENT)])
    for problem in found:
        assert problem.file == "s.yaml" and problem.line >= 11, problem
        assert "\n" not in str(problem)


def _service(
    name: str, node_port: int, namespace: str | None = "shop", selector: str = "web"
) -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}{ns}}}\nspec:\n  type: NodePort\n"
        f"  selector: {{app: {selector}}}\n  ports: [{{port: 80, nodePort: {node_port}}}]\n"
    )


def test_a_collision_inside_a_nested_list_is_found() -> None:
    """A ServiceList inside a List: kubectl refuses the file, and the nodePort inside is still
    checked."""
    nested = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "v1",
                    "kind": "ServiceList",
                    "items": [
                        {
                            "metadata": {"name": "inner"},
                            "spec": {
                                "type": "NodePort",
                                "ports": [{"port": 80, "nodePort": 30123}],
                            },
                        }
                    ],
                },
                "junk",
            ],
        },
        indent=1,
    )
    found = lint_texts([("a.yaml", _service("outer", 30123, None)), ("list.json", nested)])
    assert [(p.file, p.line, p.rule, p.severity) for p in found] == [
        ("list.json", 5, "nested-list", "error"),
        ("list.json", 25, "list-item", "error"),
        ("list.json", 18, "node-port-collision", "error"),
    ]
    assert 'Service "outer" (a.yaml:7) uses it' in found[-1].message


def test_one_service_defined_twice_is_a_duplicate_not_a_collision_with_itself() -> None:
    found = lint_texts(
        [
            ("a.yaml", _service("web", 30123)),
            ("b.yaml", DEPLOYMENT),
            ("c.yaml", _service("web", 30123).replace("app: web", "app: gone")),
        ]
    )
    assert [str(p) for p in found] == [
        "c.yaml:3:12: warning: Service/shop/web: metadata.name: defined again, after a.yaml:3: "
        "kubectl apply applies both in turn, so this definition replaces that one. Fix: keep one "
        "definition, or give one of them another name or namespace",
        # only the later definition counts across objects: its selector, not the earlier one's
        "c.yaml:6:3: warning: Service/shop/web: spec.selector: selects no Pod or workload in "
        "these files: the Service will have no endpoints. Fix: check the selector against the "
        "pods' labels, or lint the workload's file too",
    ]


@pytest.mark.parametrize(
    ("first", "second", "rules"),
    [
        ("shop", "shop", ["duplicate-object"]),
        (None, None, ["duplicate-object"]),  # both in the namespace they are applied to
        ("shop", "other", ["node-port-collision"]),
        (
            None,
            "shop",
            ["node-port-collision"],
        ),  # one Service only if applied in shop: lint cannot know
    ],
)
def test_which_definitions_are_one_object(
    first: str | None, second: str | None, rules: list[str]
) -> None:
    found = lint_texts(
        [("a.yaml", _service("web", 30123, first)), ("b.yaml", _service("web", 30123, second))]
    )
    assert [p.rule for p in found if p.rule != "selector"] == rules
    if first != second and None in (first, second):
        assert (
            'if a.yaml is applied in namespace "shop", the two are one Service' in found[-1].message
        )


def test_objects_differ_by_api_group_kind_and_name() -> None:
    crd = (
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web, namespace: "
        "shop}\n"
    )
    api = SERVICE.replace("name: web\n", "name: api\n").replace("30080", "30081")
    assert (
        lint(
            SERVICE,
            crd,
            DEPLOYMENT,
            api,
            DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet"),
        )
        == []
    )
    # apps/v1 and apps/v1beta2: one group, so one object
    older = DEPLOYMENT.replace("apps/v1", "apps/v1beta2")
    assert [(f, rule) for f, _, _, _, rule in lint(SERVICE, DEPLOYMENT, older)] == [
        ("f2.yaml", "duplicate-object")
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_long_values_are_quoted_shortened_in_every_format(fmt: str, tmp_path: Path) -> None:
    """64 KB of port name repeated by aliases in 100 ports printed 13 MB; each quote now stops at
    100 characters."""
    big = "y" * 65536
    (tmp_path / "s.yaml").write_text(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {'n' * 300_000}}}\nspec:\n  x: &a "
        f'"{big}"\n'
        f"  ports: [{', '.join(['{name: *a, port: 80}'] * 100)}]\n"
    )
    result = run_cli("lint", str(tmp_path), "--format", fmt)
    assert result.code == 1
    assert (
        len(result.out) < 1_000_000
    )  # about 300 problems; before: 13 MB of port names, 90 MB of object names
    assert f'"{"y" * 100}... (65,536 characters)"' in result.out.replace('\\"', '"')
    assert big not in result.out and "n" * 254 not in result.out
    assert f"{'n' * 253}... (300,000 characters)" in result.out


def _run_strict(*argv: str) -> tuple[int, str, str]:
    """The command line writing to streams that refuse what UTF-8 cannot encode (a terminal's, in a
    UTF-8 locale)."""
    import io

    from svcgen.cli.main import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    code = main(list(argv), out=out, err=err)
    out.flush()
    err.flush()
    return code, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lone_surrogates_and_names_that_are_not_utf8_print_in_every_format(
    fmt: str, tmp_path: Path
) -> None:
    """json.loads reads "\\ud800" as a lone surrogate; os.fsdecode a name's byte 0xff as another.
    Both printed."""
    import os

    (tmp_path / "s.json").write_text(
        '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web\\ud800"}, '
        '"spec": {"ports": [{"port": 80, "name": "a\\udc00b"}]}}\n'
    )
    (tmp_path / os.fsdecode(b"bad\xff.yaml")).write_text(SERVICE.replace("name: http", "name: Bad"))
    (tmp_path / "y.yaml").write_text(
        'kind: Service\nmetadata: {name: "web\\ud800"}\n'
    )  # go-yaml refuses it too
    code, out, err = _run_strict("lint", str(tmp_path), "--format", fmt)
    assert "found invalid Unicode character escape code" in out
    assert code == 1, err
    assert "Traceback" not in out + err
    if fmt in ("json", "sarif"):  # JSON escapes both itself
        out = json.dumps(json.loads(out), ensure_ascii=False)
        assert os.fsdecode(b"bad\xff.yaml") in out
    else:
        assert "bad\\xff.yaml" in out  # the byte, shown escaped
    assert (
        "web\ufffd" in out
    )  # as kubectl reads it (Go's encoding/json): a lone surrogate is U+FFFD


def test_json_nested_deeper_than_yaml_allows_is_refused_with_a_problem() -> None:
    found = lint_texts([("deep.json", '{"a": ' * 500 + "1" + "}" * 500)])
    assert [(p.rule, p.message) for p in found] == [("yaml", "nested more than 200 levels deep")]
