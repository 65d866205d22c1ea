"""Property test: whatever the declarations, render either refuses them with DeclarationError or
writes manifests that the official schemas accept and that `svcgen lint` (the API server's
rules) finds no error in."""

from __future__ import annotations

from typing import Any, Literal

import kubernetes_validate
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from svcgen import App, Container, DeclarationError, NodePortRange, Port, Service, render
from svcgen.lint import lint_texts
from svcgen.render import RenderOptions

VALID_NAMES = ["web", "api", "a", "x-1", "http", "metrics", "dns", "grpc", "h2c", "admin"]
INVALID_NAMES = ["Bad", "1st", "a--b", "-x", "", "longer-than-fifteen", "a" * 64, "a.b"]
# Mostly valid values (about one in twenty-five is not), so that many examples get as far as
# rendering, while every kind of mistake still turns up.
names = st.sampled_from(VALID_NAMES * 20 + INVALID_NAMES)
numbers = st.sampled_from([1, 53, 80, 443, 8080, 65535, 30000, 30080, 32767] * 12 + [0, 65536])
protocols: st.SearchStrategy[Literal["TCP", "UDP", "SCTP"]] = st.sampled_from(
    ["TCP", "UDP", "SCTP"]
)
node_ports: st.SearchStrategy[int | Literal["auto"] | None] = st.sampled_from(
    ["auto"] * 20 + [None] * 4 + [30000, 30001, 30080, 32767, 29999, 0]
)
VERSION = kubernetes_validate.utils.latest_version()


def rarely(draw: st.DrawFn) -> bool:
    """True about once in ten draws: the place for a mistake."""
    return draw(st.integers(0, 9)) == 5  # not 0: hypothesis favours its simplest values


@st.composite
def apps(draw: st.DrawFn) -> list[App]:
    result = []
    for a in range(draw(st.integers(1, 2))):
        count = draw(st.integers(1, 3))
        port_names = draw(st.lists(names, min_size=count, max_size=count, unique=not rarely(draw)))
        port_numbers = draw(
            st.lists(numbers, min_size=count, max_size=count, unique=not rarely(draw))
        )
        ports = [
            Port(n, number, draw(protocols))
            for n, number in zip(port_names, port_numbers, strict=True)
        ]
        container = Container(draw(names) or "c", image="img", ports=ports)
        services = []
        for s in range(draw(st.integers(1, 2))):
            kind = draw(
                st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"] * 3 + ["ExternalName"])
            )
            external = kind in ("NodePort", "LoadBalancer")
            chosen = draw(
                st.lists(st.sampled_from(range(len(ports))), min_size=1, max_size=3, unique=True)
            )
            sps = [
                container.port(ports[i].name or ports[i].number).expose(
                    draw(st.sampled_from([None] * 3) | numbers),
                    node_port=draw(node_ports) if external or rarely(draw) else "auto",
                    name=draw(st.sampled_from([None] * 6 + ["web", "alt"])),
                    target_by=draw(st.sampled_from([None, "name", "number"])),
                )
                for i in chosen
                if sum(1 for p in ports if p.name == ports[i].name) == 1
            ]
            options: dict[str, Any] = {}
            if (kind == "ClusterIP" and draw(st.integers(0, 3)) == 2) or rarely(draw):
                options["headless"] = True
            if kind == "ExternalName" or rarely(draw):
                options["external_name"] = draw(
                    st.sampled_from(["db.example.com", "db.example.com."] * 5 + ["Bad_Name"])
                )
            if (external and draw(st.integers(0, 1)) == 1) or rarely(draw):
                options["external_traffic_policy"] = draw(st.sampled_from(["Local", "Cluster"]))
            if kind == "LoadBalancer" and draw(st.booleans()):
                options["allocate_load_balancer_node_ports"] = draw(st.booleans())
            name = draw(names) if rarely(draw) else f"svc{a}-{s}"
            services.append(Service(name, type=kind, ports=sps, **options))  # type: ignore[arg-type]
        result.append(
            App(
                f"app{a}",
                namespace=draw(st.sampled_from([None, "ns"] * 10 + ["Bad NS"])),
                labels=draw(st.sampled_from([{"app": f"a{a}"}] * 10 + [{}, {"bad key!": "x"}])),
                workload=draw(st.sampled_from([None, "Deployment"])),
                containers=[container],
                services=services,
            )
        )
    return result


def _refused_or_accepted(declared: list[App]) -> None:
    try:
        rendered = render(declared, RenderOptions(node_port_range=NodePortRange()))
    except DeclarationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        first = next(p for p in exc.problems if p.severity == "error")
        event(f"refused: {first.field.split('[')[0]} {first.message[:40]}")
        return
    event("rendered")
    errors = [p for p in lint_texts([("out.yaml", rendered.yaml)]) if p.severity == "error"]
    assert errors == [], "\n".join(map(str, errors)) + "\n---\n" + rendered.yaml
    for manifest in rendered.manifests:
        kubernetes_validate.validate(manifest, VERSION, strict=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(apps())
def test_render_refuses_or_writes_what_the_api_server_accepts(declared: list[App]) -> None:
    _refused_or_accepted(declared)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(apps())
def test_render_refuses_or_writes_what_the_api_server_accepts_at_length(
    declared: list[App],
) -> None:
    _refused_or_accepted(declared)
