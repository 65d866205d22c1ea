"""Reading nodePorts in use from manifests and kubectl output."""

from __future__ import annotations

import json

import pytest
from conftest import HOSTILE_SCALARS

from svcgen.nodeports.reserve import Reservation, ReserveError, reservations_from_text

MANIFESTS = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  healthCheckNodePort: 32000
  ports:
  - {port: 53, protocol: UDP, nodePort: 30053}
  - {port: 53, protocol: TCP, nodePort: 30053}
  - {port: 80}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
---
# an empty document
---
just a string
"""


def test_yaml_stream() -> None:
    assert reservations_from_text(MANIFESTS, "m.yaml") == [
        Reservation(30053, "shop", "web", "m.yaml", "", "UDP"), Reservation(30053, "shop", "web", "m.yaml", "", "TCP"),
        Reservation(32000, "shop", "web", "m.yaml", "healthCheck")]


def test_kubectl_list_as_yaml_and_json() -> None:
    listing = {"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Service", "metadata": {"name": "a", "namespace": "x"}, "spec": {"ports": [{"nodePort": 31000}]}},
        {"kind": "Service", "metadata": {"name": "b", "namespace": "y"}, "spec": {"type": "ClusterIP"}},
    ]}
    expected = [Reservation(31000, "x", "a", "dump", "", "TCP")]
    assert reservations_from_text(json.dumps(listing, indent=2), "dump") == expected
    service_list = dict(listing, kind="ServiceList")
    assert reservations_from_text(json.dumps(service_list), "dump") == expected


@pytest.mark.parametrize("text", ["", "---\n", "kind: Service\nspec: [1]\n", "kind: Service\nspec:\n  ports: 5\n",
                                  "kind: Service\nspec:\n  ports: [{nodePort: null}, {nodePort: 0}, 7]\n"])
def test_odd_documents_are_tolerated(text: str) -> None:
    assert reservations_from_text(text, "x") == []


@pytest.mark.parametrize("value", ["abc", "true", "70000", "-1", "3.0e4"])
def test_a_node_port_that_is_not_a_port_number_is_an_error(value: str) -> None:
    text = f"kind: Service\nmetadata: {{name: web}}\nspec:\n  ports: [{{port: 80, nodePort: {value}}}]\n"
    expected = r"^x:4:\d+: error: Service/web: spec.ports\[0\].nodePort: not a port number"
    with pytest.raises(ReserveError, match=expected):
        reservations_from_text(text, "x")


def test_unreadable_yaml_is_an_error() -> None:
    with pytest.raises(ReserveError, match=r"x\.yaml:2: error: not valid YAML or JSON"):
        reservations_from_text("a: [\n", "x.yaml")


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
@pytest.mark.parametrize("field", ["nodePort", "healthCheckNodePort"])
def test_hostile_scalars_are_refused_with_their_line(field: str, scalar: str) -> None:
    port = f"nodePort: {scalar}" if field == "nodePort" else "nodePort: 30001"
    text = (f"kind: Service\nmetadata: {{name: web, namespace: shop}}\nspec:\n  healthCheckNodePort: "
            f"{scalar if field != 'nodePort' else 32000}\n  ports:\n  - {{port: 80, {port}}}\n")
    try:
        found = reservations_from_text(text, "cluster.yaml")
    except ReserveError as exc:
        line = 6 if field == "nodePort" else 4
        assert str(exc).startswith(f"cluster.yaml:{line}:"), exc
    else:  # null, 0 and spellings of a valid port number
        assert all(1 <= r.node_port <= 65535 for r in found)
