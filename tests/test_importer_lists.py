"""svcgen import reads Lists through the one walker (kube.objects): nothing in a List is skipped
silently."""

from __future__ import annotations

import pytest

from svcgen.importer import ImportRefusedError, import_manifests

ITEM = (
    "- apiVersion: v1\n  kind: Service\n  metadata: {name: web}\n  spec:\n    type: NodePort\n"
    "    selector: {app: web}\n    ports: [{port: 80, targetPort: 8080, nodePort: 30123}]\n"
)


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("- junk\n", 11, "List: items[1]: not a Kubernetes object (not a mapping)"),
        (
            "- {kind: Service, metadata: {name: api}}\n",
            11,
            "List: items[1]: not a Kubernetes object (no apiVersion)",
        ),
        (
            "- apiVersion: v1\n  kind: ServiceList\n  items: []\n",
            11,
            "ServiceList: a ServiceList inside a List",
        ),
    ],
)
def test_what_kubectl_refuses_in_a_list_is_refused_at_its_line(
    extra: str, line: int, message: str
) -> None:
    with pytest.raises(ImportRefusedError) as caught:
        import_manifests([("in.yaml", "apiVersion: v1\nkind: List\nitems:\n" + ITEM + extra)])
    errors = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith(f"in.yaml:{line}:3: error: {message}")


def test_the_items_of_a_typed_list_are_imported() -> None:
    """The API server's ServiceList leaves kind and apiVersion out of its items: they are its."""
    listing = "apiVersion: v1\nkind: ServiceList\nitems:\n" + ITEM.replace(
        "- apiVersion: v1\n  kind: Service\n  metadata", "- metadata"
    )
    imported = import_manifests([("in.yaml", listing)])
    assert [(str(key), port) for key, port in imported.lock.entries.items()] == [
        ("-/web//TCP", 30123)
    ]
