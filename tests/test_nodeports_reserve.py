"""Reading nodePorts in use from manifests and kubectl output."""

from __future__ import annotations

import json
import re
from typing import Any

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
"""


def test_yaml_stream() -> None:
    assert reservations_from_text(MANIFESTS, "m.yaml") == [
        Reservation(30053, "shop", "web", "m.yaml", "", "UDP"),
        Reservation(30053, "shop", "web", "m.yaml", "", "TCP"),
        Reservation(32000, "shop", "web", "m.yaml", "healthCheck"),
    ]


def test_kubectl_list_as_yaml_and_json() -> None:
    listing: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "a", "namespace": "x"},
                "spec": {"ports": [{"nodePort": 31000}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "b", "namespace": "y"},
                "spec": {"type": "ClusterIP"},
            },
        ],
    }
    expected = [Reservation(31000, "x", "a", "dump", "", "TCP")]
    assert reservations_from_text(json.dumps(listing, indent=2), "dump") == expected
    # The API server's own ServiceList (GET /api/v1/services) leaves apiVersion and kind out of its
    # items.
    service_list = dict(
        listing,
        kind="ServiceList",
        items=[
            {k: v for k, v in item.items() if k not in ("apiVersion", "kind")}
            for item in listing["items"]
        ],
    )
    assert reservations_from_text(json.dumps(service_list), "dump") == expected


def test_a_service_list_nested_in_a_list_is_reserved() -> None:
    nested = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
            {
                "apiVersion": "v1",
                "kind": "ServiceList",
                "items": [
                    {
                        "metadata": {"name": "a", "namespace": "x"},
                        "spec": {"ports": [{"nodePort": 31000}]},
                    }
                ],
            },
        ],
    }
    assert reservations_from_text(json.dumps(nested), "dump") == [
        Reservation(31000, "x", "a", "dump", "", "TCP")
    ]


@pytest.mark.parametrize(
    ("item", "what"),
    [
        ('"junk"', "not a mapping"),
        ("{kind: Service, spec: {ports: [{nodePort: 31000}]}}", "no apiVersion"),
        ("{apiVersion: v1}", "no kind"),
        ("7", "not a mapping"),
    ],
)
def test_a_list_item_that_is_no_object_is_an_error_at_its_line(item: str, what: str) -> None:
    """Skipping it could leave a nodePort unreserved: kubectl refuses the List, and so does
    --reserve."""
    text = f"apiVersion: v1\nkind: List\nitems:\n- {{apiVersion: v1, kind: ConfigMap}}\n- {item}\n"
    with pytest.raises(ReserveError) as caught:
        reservations_from_text(text, "dump.yaml")
    assert str(caught.value) == (
        f"dump.yaml:5:3: error: List: items[1]: not a Kubernetes object ({what}): kubectl "
        "refuses the whole List. Fix: give the item its apiVersion and kind, or remove it"
    )


@pytest.mark.parametrize(
    "text",
    [
        "kind: List\nitems: []\n",
        "kind: Service\nspec: [1]\n",
        "kind: Service\nspec:\n  ports: 5\n",
        "kind: Service\nspec:\n  ports: [{nodePort: null}, {nodePort: 0}, 7]\n",
    ],
)
def test_odd_documents_are_tolerated(text: str) -> None:
    assert reservations_from_text(text, "x") == []


@pytest.mark.parametrize("value", ["abc", "true", "70000", "-1", "30000.5"])
def test_a_node_port_that_is_not_a_port_number_is_an_error(value: str) -> None:
    text = (
        "kind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80, nodePort: "
        f"{value}}}]\n"
    )
    expected = r"^x:4:\d+: error: Service/web: spec.ports\[0\].nodePort: not a port number"
    with pytest.raises(ReserveError, match=expected):
        reservations_from_text(text, "x")


def test_a_node_port_written_as_a_float_is_the_number_kubectl_sends() -> None:
    text = "kind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80, nodePort: 3.0e4}]\n"
    assert [r.node_port for r in reservations_from_text(text, "x")] == [30000]


def test_unreadable_yaml_is_an_error() -> None:
    with pytest.raises(ReserveError, match=r"x\.yaml:2: error: not valid YAML or JSON"):
        reservations_from_text("a: [\n", "x.yaml")


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
@pytest.mark.parametrize("field", ["nodePort", "healthCheckNodePort"])
def test_hostile_scalars_are_refused_with_their_line(field: str, scalar: str) -> None:
    port = f"nodePort: {scalar}" if field == "nodePort" else "nodePort: 30001"
    text = (
        f"kind: Service\nmetadata: {{name: web, namespace: shop}}\nspec:\n  healthCheckNodePort: "
        f"{scalar if field != 'nodePort' else 32000}\n  ports:\n  - {{port: 80, {port}}}\n"
    )
    try:
        found = reservations_from_text(text, "cluster.yaml")
    except ReserveError as exc:
        line = 6 if field == "nodePort" else 4
        assert str(exc).startswith(f"cluster.yaml:{line}:"), exc
    else:  # null, 0 and spellings of a valid port number
        assert all(1 <= r.node_port <= 65535 for r in found)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        "just a string\n",
        "name: build\non: [push]\n",
        "kind: Service\nmetadata: {name: a}\n---\n- a list\n",
    ],
)
def test_a_file_that_is_neither_manifests_nor_a_lock_is_an_error(text: str) -> None:
    with pytest.raises(ReserveError, match="neither Kubernetes objects nor a svcgen lock file"):
        reservations_from_text(text, "x.yaml")


def test_another_projects_lock_reserves_its_entries_and_names_them() -> None:
    lock = (
        "version: 1\nnodePorts:\n  -/web/http/TCP: 30000\n  shop/lb//healthCheck: 30001\n"
        "  shop/dns/dns/UDP: 31000\n"
    )
    found = reservations_from_text(lock, "other-team/svcgen.lock")
    assert [(r.node_port, r.namespace, r.service, r.port, r.protocol) for r in found] == [
        (30000, "", "web", "http", "TCP"),
        (30001, "shop", "lb", "healthCheck", ""),
        (31000, "shop", "dns", "dns", "UDP"),
    ]
    assert found[0].owner() == "other-team/svcgen.lock: -/web/http (project other-team)"
    registry = lock + "owners:\n  -/web/http/TCP: billing\n"
    assert reservations_from_text(registry, "prod.lock")[0].claimed_by == "billing"
    with pytest.raises(ReserveError, match="nodePort 30000 is given to both"):
        reservations_from_text(lock + "  -/api/http/TCP: 30000\n", "x.lock")


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ("  ports: {port: 80, nodePort: 30001}\n", "spec.ports is not a list"),
        ("  ports: [junk, [{port: 80, nodePort: 30001}]]\n", "spec.ports[1] is not a mapping"),
    ],
)
def test_a_service_whose_ports_cannot_be_read_is_an_error_not_skipped(
    spec: str, where: str
) -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  type: NodePort\n" + spec
    with pytest.raises(ReserveError, match=re.escape(where)):
        reservations_from_text(text, "r.yaml")


def test_a_nodeport_nested_where_no_port_can_be_read_is_an_error() -> None:
    text = "kind: Service\nmetadata: {name: x}\nspec:\n  ports: [[{port: 80, nodePort: 30001}]]\n"
    with pytest.raises(ReserveError, match=re.escape("spec.ports[0] is not a mapping")):
        reservations_from_text(text, "r.yaml")


def test_messages_reach_the_terminal_escaped_and_shortened() -> None:
    """A Service name, a value or a file name with an escape sequence is shown escaped, on one
    line."""
    text = (
        'kind: Service\nmetadata: {name: "\\e]0;owned\\a\\e[2J"}\nspec:\n  ports: '
        f'[{{nodePort: "{"9" * 500}"}}]\n'
    )
    with pytest.raises(ReserveError) as caught:
        reservations_from_text(text, "dump\x1b[31m.yaml")
    message = str(caught.value)
    assert message == (
        "dump\\x1b[31m.yaml:4:12: error: Service/\\x1b]0;owned\\x07\\x1b[2J: "
        "spec.ports[0].nodePort: "
        f"not a port number: '{'9' * 99}... (502 characters); the API server would refuse this "
        "Service"
    )
    with pytest.raises(ReserveError) as caught:
        reservations_from_text("a: [\x1b\n", "dump.yaml")
    assert "\x1b" not in str(caught.value) and "\n" not in str(caught.value)


def test_the_owner_named_in_messages_is_shortened() -> None:
    (found,) = reservations_from_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "s" * 300_000},
                "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30000}]},
            }
        ),
        "d.json",
    )
    assert found.owner() == f'Service "{"s" * 100}... (300,000 characters)" in d.json'
