"""nodePorts already in use elsewhere: read from Service manifests or ``kubectl get services -o yaml|json``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from svcgen.errors import SvcgenError
from svcgen.nodeports import Reservation
from svcgen.yamldoc import load_documents

__all__ = ["ReserveError", "reservations_from_text"]


class ReserveError(SvcgenError):
    """A --reserve file cannot be read as YAML or JSON."""


def _documents(text: str, origin: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return [json.loads(text)]
        except ValueError:
            pass  # YAML flow style also starts with { or [
    values = []
    for document in load_documents(text):
        if document.error is not None:
            where = f":{document.error.position[0]}" if document.error.position else ""
            raise ReserveError(f"{origin}{where}: error: not valid YAML or JSON: {document.error.message}")
        values.append(document.value)
    return values


def _objects(doc: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(doc, dict):
        return
    items = doc.get("items")
    if isinstance(items, list) and str(doc.get("kind", "")).endswith("List"):
        for item in items:
            yield from _objects(item)
    else:
        yield doc


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def reservations_from_text(text: str, origin: str) -> list[Reservation]:
    """Every nodePort and healthCheckNodePort of the Services in a YAML/JSON stream.

    Other kinds are ignored. ``origin`` (the file name) is kept to name the owner in messages.
    """
    found: list[Reservation] = []
    for doc in _documents(text, origin):
        for obj in _objects(doc):
            if obj.get("kind") != "Service":
                continue
            meta = _mapping(obj.get("metadata"))
            spec = _mapping(obj.get("spec"))
            namespace = str(meta.get("namespace") or "")
            name = str(meta.get("name") or "?")
            ports = spec.get("ports")
            ports = ports if isinstance(ports, list) else []
            numbers = [_port(p.get("nodePort")) for p in ports if isinstance(p, dict)]
            numbers.append(_port(spec.get("healthCheckNodePort")))
            for number in dict.fromkeys(n for n in numbers if n is not None):
                found.append(Reservation(number, namespace, name, origin))
    return found
