"""svcgen: declare containers and their ports in Python, get correct Kubernetes Services."""

from __future__ import annotations

from svcgen.errors import DeclarationError, Problem, SourceLocation, SvcgenError
from svcgen.lock import Lock, PortKey
from svcgen.lockfile import LockFileError, format_lock, parse_lock
from svcgen.model import AUTO, App, Container, Port, PortRef, Service, ServicePort
from svcgen.nodeports import Reservation
from svcgen.portrange import NodePortRange
from svcgen.render import Rendered, render, render_manifests
from svcgen.validate import validate
from svcgen.version import __version__

__all__ = [
    "AUTO",
    "App",
    "Container",
    "DeclarationError",
    "Lock",
    "LockFileError",
    "NodePortRange",
    "Port",
    "PortKey",
    "PortRef",
    "Problem",
    "Rendered",
    "Reservation",
    "Service",
    "ServicePort",
    "SourceLocation",
    "SvcgenError",
    "__version__",
    "format_lock",
    "parse_lock",
    "render",
    "render_manifests",
    "validate",
]
