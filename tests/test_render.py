"""The library pipeline: objects in, manifests and YAML out, no files touched."""

from __future__ import annotations

import pytest

from svcgen import App, Container, DeclarationError, Port, Service, render
from svcgen.nodeports.lock import PortKey
from svcgen.render import RenderOptions, render_manifests

api = Container("node-app", image="node:20", ports=[Port("http", 5000), Port("metrics", 6000)])


def _app(name: str = "my-service", **kw: object) -> App:
    return App(
        name,
        labels={"app": "MyApp"},
        containers=[api],
        services=[
            Service(
                name,
                type="NodePort",
                ports=[
                    api.port("http").expose(8080, node_port=30000),
                    api.port("metrics").expose(8081, node_port=31000),
                ],
            ),
        ],
        **kw,  # type: ignore[arg-type]
    )


def test_render_returns_yaml_and_plain_dicts() -> None:
    rendered = render(_app())
    assert rendered.yaml.startswith(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: my-service\n"
    )
    assert rendered.manifests[0]["spec"]["ports"][1]["nodePort"] == 31000
    assert rendered.warnings == []


def test_render_is_deterministic() -> None:
    assert render(_app()).yaml == render(_app()).yaml


def test_several_apps_share_one_node_port_space() -> None:
    with pytest.raises(DeclarationError) as info:
        render([_app("a"), _app("b")])
    assert {p.message.split(":")[0] for p in info.value.problems} == {"Invalid value"}
    assert all("already allocated" in p.message for p in info.value.problems)


def test_errors_list_every_problem() -> None:
    bad = App(
        "web",
        labels={"app": "x"},
        containers=[api],
        services=[Service("Web", type="NodePort", ports=[api.port("http").expose(node_port=1)])],
    )
    with pytest.raises(DeclarationError) as info:
        render(bad)
    assert [p.field for p in info.value.problems] == ["metadata.name", "spec.ports[0].nodePort"]


def test_auto_node_ports_are_allocated_and_locked() -> None:
    app = App(
        "web",
        labels={"app": "x"},
        containers=[api],
        services=[Service("web", type="NodePort", ports=[api.port("http").expose()])],
    )
    rendered = render_manifests(app)
    assert rendered.manifests[0]["spec"]["ports"][0]["nodePort"] == 30000
    assert rendered.yaml == ""
    assert dict(rendered.lock.entries) == {PortKey("", "web", "http", "TCP"): 30000}
    again = render(app, RenderOptions(lock=rendered.lock))
    assert again.lock == rendered.lock and [a.source for a in again.allocated] == ["lock"]


def test_warnings_are_returned_not_raised() -> None:
    twin = Container("twin", ports=[Port("alt", 5000)])
    app = App(
        "web",
        labels={"app": "x"},
        containers=[api, twin],
        services=[Service("web", ports=[api.port("http").expose()])],
    )
    rendered = render(app)
    assert [w.severity for w in rendered.warnings] == ["warning"]


def test_render_restores_the_garbage_collector() -> None:
    import gc

    assert gc.isenabled()
    render(_app())
    assert gc.isenabled()
    gc.disable()
    try:
        render(_app())
        assert not gc.isenabled()
    finally:
        gc.enable()
    bad = App(
        "web",
        labels={"app": "x"},
        containers=[api],
        services=[Service("Web", ports=[api.port("http").expose()])],
    )
    with pytest.raises(DeclarationError):
        render(bad)
    assert gc.isenabled()


def test_selector_warnings_read_an_earlier_render_and_pass_over_what_is_not_yaml() -> None:
    from svcgen.render import selector_warnings

    app = App(
        "web", labels={"app": "web"}, containers=[Container("web", image="x")], workload="DaemonSet"
    )
    rendered = render(app)
    earlier = rendered.yaml.replace("app: web", "app: old")
    assert [p.subject for p in selector_warnings(rendered, ["{not: [yaml", earlier])] == [
        'DaemonSet "web"'
    ]
    assert selector_warnings(rendered, [rendered.yaml, ""]) == []


def test_a_first_render_with_workloads_makes_no_copy_of_its_text_for_the_selector_check() -> None:
    """With no earlier output (or none holding a workload) this render's YAML is not cut into
    documents."""
    import tracemalloc

    from svcgen import Deployment
    from svcgen.render import selector_warnings

    apps = [
        App(
            f"a{i}",
            labels={"app": f"a{i}"},
            workload=Deployment(replicas=1),
            containers=[Container("app", image="app:1", ports=[Port("http", 80)])],
        )
        for i in range(300)
    ]
    rendered = render(apps)
    tracemalloc.start()
    try:
        assert selector_warnings(rendered, []) == []
        assert (
            selector_warnings(rendered, ["apiVersion: v1\nkind: Service\nmetadata:\n  name: a0\n"])
            == []
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(rendered.yaml) // 4, (peak, len(rendered.yaml))


def test_a_streaming_render_keeps_no_allocation_records_a_listing_render_does() -> None:
    """``svcgen render`` writes; it lists no ports, so the records of where each came from go."""
    from svcgen.render import render_stream

    web = Container("web", ports=[Port("http", 8080)])
    app = App(
        "web",
        labels={"app": "web"},
        containers=[web],
        services=[Service("web", type="NodePort", ports=[web.port("http").expose(80)])],
    )
    listed, streamed = render(app, RenderOptions()), render_stream(app, RenderOptions())
    assert [(a.node_port, a.source) for a in listed.allocated] == [(30000, "new")]
    assert (
        streamed.allocated == [] and streamed.lock == listed.lock and streamed.yaml == listed.yaml
    )
