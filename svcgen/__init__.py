"""svcgen: declare containers and their ports in Python, get correct Kubernetes Services."""

from __future__ import annotations

from svcgen.errors import DeclarationError, Problem, SourceLocation, SvcgenError
from svcgen.model import AUTO, App, Container, Port, PortRef, Service, ServicePort
from svcgen.portrange import NodePortRange
from svcgen.render import Rendered, render, render_manifests
from svcgen.validate import validate
from svcgen.version import __version__

__all__ = [
    "AUTO",
    "App",
    "Container",
    "DeclarationError",
    "NodePortRange",
    "Port",
    "PortRef",
    "Problem",
    "Rendered",
    "Service",
    "ServicePort",
    "SourceLocation",
    "SvcgenError",
    "__version__",
    "render",
    "render_manifests",
    "validate",
]
