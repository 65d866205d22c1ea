"""examples/boutique renders Online Boutique's upstream release manifest, object by object.

The upstream file (tests/data/realworld/microservices-demo--release-kubernetes-manifests.yaml,
GoogleCloudPlatform/microservices-demo at the commit in tests/data/realworld/SOURCES.md) and
the example's render plus its ``serviceaccounts.yaml`` hold the same objects (by kind and
name). Each pair is compared after the API server's defaulting, applied to both sides alike:
:func:`svcgen.kube.apiserver.canonical_service` for Services, :func:`_default_workload` (the
``SetDefaults_*`` functions of apps/v1 and core/v1 that concern what the example declares)
for Deployments. So a field one side leaves to Kubernetes and the other sets to Kubernetes'
default is equal; every other field must be equal in value on both sides: none may be missing,
added or changed. There is no difference left: the container ports that upstream leaves without
a name are declared without one (``Port(number=9555)``), so any difference fails the test.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from conftest import DATA, EXAMPLES, run_cli
from ruamel.yaml import YAML

from svcgen.kube.apiserver import canonical_service

UPSTREAM = DATA / "realworld" / "microservices-demo--release-kubernetes-manifests.yaml"
EXAMPLE = EXAMPLES / "boutique"


def _load(text: str) -> dict[tuple[str, str], dict[str, Any]]:
    docs = [doc for doc in YAML(typ="safe").load_all(text) if doc]
    objects = {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}
    assert len(objects) == len(docs), "an object is declared twice"
    return objects


def _render() -> dict[tuple[str, str], dict[str, Any]]:
    result = run_cli("render", "--with-workloads", str(EXAMPLE / "app.py"))
    assert result.code == 0, result.err
    assert result.err == ""  # not a single warning
    assert (
        result.out == (EXAMPLE / "expected.yaml").read_text()
    )  # every App emits its Deployment anyway
    return {**_load(result.out), **_load((EXAMPLE / "serviceaccounts.yaml").read_text())}


def _set(obj: dict[str, Any], key: str, value: Any) -> None:
    if obj.get(key) is None:
        obj[key] = value


def _default_probe(probe: dict[str, Any] | None) -> None:
    """SetDefaults_Probe, SetDefaults_HTTPGetAction and the GRPCAction's ``service`` default."""
    if probe is None:
        return
    for key, value in (
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ):
        _set(probe, key, value)
    if "httpGet" in probe:
        _set(probe["httpGet"], "path", "/")
        _set(probe["httpGet"], "scheme", "HTTP")
    if "grpc" in probe:
        _set(probe["grpc"], "service", "")


def _default_container(container: dict[str, Any]) -> None:
    """SetDefaults_Container, SetDefaults_ContainerPort and SetDefaults_ResourceList's
    requests-from-limits."""
    _set(container, "terminationMessagePath", "/dev/termination-log")
    _set(container, "terminationMessagePolicy", "File")
    image = container["image"].split("@")[0]
    tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"
    _set(
        container,
        "imagePullPolicy",
        "Always" if tag == "latest" and "@" not in container["image"] else "IfNotPresent",
    )
    for port in container.get("ports", []):
        _set(port, "protocol", "TCP")
    resources = container.get("resources") or {}
    for name, limit in (resources.get("limits") or {}).items():
        resources.setdefault("requests", {}).setdefault(name, limit)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe))


def _default_workload(deployment: dict[str, Any]) -> dict[str, Any]:
    """SetDefaults_Deployment (apps/v1) and SetDefaults_PodSpec with its containers (core/v1), on a
    copy."""
    obj = copy.deepcopy(deployment)
    spec = obj["spec"]
    _set(spec, "replicas", 1)
    _set(spec, "strategy", {"type": "RollingUpdate"})
    if spec["strategy"]["type"] == "RollingUpdate":
        _set(spec["strategy"], "rollingUpdate", {})
        _set(spec["strategy"]["rollingUpdate"], "maxUnavailable", "25%")
        _set(spec["strategy"]["rollingUpdate"], "maxSurge", "25%")
    _set(spec, "revisionHistoryLimit", 10)
    _set(spec, "progressDeadlineSeconds", 600)
    pod = spec["template"]["spec"]
    for key, value in (
        ("restartPolicy", "Always"),
        ("terminationGracePeriodSeconds", 30),
        ("dnsPolicy", "ClusterFirst"),
        ("securityContext", {}),
        ("schedulerName", "default-scheduler"),
        ("enableServiceLinks", True),
    ):
        _set(pod, key, value)
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        _default_container(container)
    return obj


def _canonical(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "Service":
        return canonical_service(obj)
    if obj["kind"] == "Deployment":
        return _default_workload(obj)
    return obj


def _differences(where: str, upstream: Any, render: Any) -> list[str]:
    """Every leaf where the two differ, as ``where: path: what``."""
    if isinstance(upstream, dict) and isinstance(render, dict):
        found = []
        for key in [*upstream, *(k for k in render if k not in upstream)]:
            path = f"{where} {key}" if where.endswith(":") else f"{where}.{key}"
            if key not in render:
                found.append(f"{path}: only upstream: {upstream[key]!r}")
            elif key not in upstream:
                found.append(f"{path}: only in the render: {render[key]!r}")
            else:
                found.extend(_differences(path, upstream[key], render[key]))
        return found
    if isinstance(upstream, list) and isinstance(render, list) and len(upstream) == len(render):
        return [
            d
            for i, (u, r) in enumerate(zip(upstream, render, strict=True))
            for d in _differences(f"{where}[{i}]", u, r)
        ]
    if upstream == render and type(upstream) is type(render):
        return []
    return [f"{where}: upstream {upstream!r}, render {render!r}"]


def test_the_render_holds_every_upstream_object_and_no_other() -> None:
    upstream = _load(UPSTREAM.read_text())
    assert sorted(_render()) == sorted(upstream)
    assert Counter(kind for kind, _ in upstream) == {
        "Deployment": 12,
        "Service": 12,
        "ServiceAccount": 11,
    }


def test_every_object_equals_upstream_after_defaulting() -> None:
    """No difference: container ports without a name are declared without one (docs/never.md names
    this)."""
    upstream, render = _load(UPSTREAM.read_text()), _render()
    found = sorted(
        d
        for key in upstream
        for d in _differences(
            f"{key[0]}/{key[1]}:", _canonical(upstream[key]), _canonical(render[key])
        )
    )
    assert found == []


def test_the_render_sets_no_node_port() -> None:
    """Upstream pins no nodePort, not even on its LoadBalancer: nor does the example, and it keeps
    no
    lock."""
    assert "nodePort" not in (EXAMPLE / "expected.yaml").read_text()
    assert not (EXAMPLE / "svcgen.lock").exists()


@pytest.mark.parametrize(
    ("field", "upstream", "render"),
    [
        ("a changed value", 5, 6),
        ("a dropped field", {"a": 1, "b": 2}, {"a": 1}),
        ("an added field", {"a": 1}, {"a": 1, "b": 2}),
        ("a type", "8080", 8080),
        ("a list", [1, 2], [1]),
    ],
)
def test_the_comparison_sees(field: str, upstream: Any, render: Any) -> None:
    assert _differences("x:", upstream, render)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda pod: pod.pop("terminationGracePeriodSeconds"),
            "Deployment/adservice: spec.template.spec.terminationGracePeriodSeconds: upstream 5, "
            "render 30",
        ),
        (
            lambda pod: pod["containers"][0].pop("resources"),
            "Deployment/adservice: spec.template.spec.containers[0].resources: only upstream: ",
        ),
        (
            lambda pod: pod["containers"][0]["env"].append({"name": "DEBUG", "value": "1"}),
            "Deployment/adservice: spec.template.spec.containers[0].env: upstream [{'name': "
            "'PORT', 'value': '9555'}], ",
        ),
        (
            lambda pod: pod["containers"][0]["readinessProbe"].update(timeoutSeconds=2),
            "Deployment/adservice: "
            "spec.template.spec.containers[0].readinessProbe.timeoutSeconds: upstream 1, render 2",
        ),
    ],
)
def test_a_changed_render_is_a_difference(
    change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    """What the example could get wrong is seen: a dropped, added or changed field of a
    Deployment."""
    upstream = _load(UPSTREAM.read_text())[("Deployment", "adservice")]
    render = copy.deepcopy(_render()[("Deployment", "adservice")])
    change(render["spec"]["template"]["spec"])
    found = _differences("Deployment/adservice:", _canonical(upstream), _canonical(render))
    assert len(found) == 1 and found[0].startswith(expected)


def test_defaulting_leaves_what_upstream_sets() -> None:
    """A default fills only what is absent: a value upstream sets is never overwritten."""
    deployment = _load(UPSTREAM.read_text())[("Deployment", "adservice")]
    defaulted = _default_workload(deployment)
    pod = defaulted["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 5
    assert pod["containers"][0]["readinessProbe"]["periodSeconds"] == 15
    assert pod["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert (
        deployment == _load(UPSTREAM.read_text())[("Deployment", "adservice")]
    )  # the original is untouched


def test_the_example_lines_against_upstream() -> None:
    """The point of the example: much less to write than the manifest it renders."""
    code = [line for line in (EXAMPLE / "app.py").read_text().splitlines() if line.strip()]
    yaml = [
        line
        for line in UPSTREAM.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(code) * 3 < len(yaml), (len(code), len(yaml))


def test_every_address_a_client_is_given_is_a_service_port_of_the_render() -> None:
    """The ``*_ADDR`` variables come from the Apps they name: each is a Service and one of its
    ports."""
    render = _render()
    ports = {
        (name, port["port"])
        for (kind, name), obj in render.items()
        if kind == "Service"
        for port in obj["spec"]["ports"]
    }
    addresses = [
        env["value"]
        for (kind, _), obj in render.items()
        if kind == "Deployment"
        for container in [
            *obj["spec"]["template"]["spec"].get("initContainers", []),
            *obj["spec"]["template"]["spec"]["containers"],
        ]
        for env in container.get("env", [])
        if env["name"].endswith("_ADDR")
    ]
    assert len(addresses) == 18
    outside = [a for a in addresses if (a.split(":")[0], int(a.split(":")[1])) not in ports]
    assert outside == ["shoppingassistantservice:80"]  # optional, not in the release manifest


def test_the_container_ports_and_probes_are_upstream_s_named_or_not() -> None:
    """Each container port is upstream's, with a name only where upstream has one; each probe names
    its
    number."""
    upstream, render = _load(UPSTREAM.read_text()), _render()
    for (kind, name), obj in upstream.items():
        if kind != "Deployment":
            continue
        (theirs,) = obj["spec"]["template"]["spec"]["containers"]
        (ours,) = render[kind, name]["spec"]["template"]["spec"]["containers"]
        assert ours.get("ports") == (
            [{**p, "protocol": "TCP"} for p in theirs.get("ports", [])] or None
        ), name
        for probe in ("livenessProbe", "readinessProbe"):
            for action in ("httpGet", "tcpSocket", "grpc"):
                if action in theirs.get(probe, {}):
                    assert ours[probe][action]["port"] == theirs[probe][action]["port"], (
                        name,
                        probe,
                    )
