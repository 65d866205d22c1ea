"""svcgen: declare containers and their ports in Python, get correct Kubernetes Services.

The public API is the names in ``__all__``; they are loaded on first use (PEP 562) from the
module :data:`_HOMES` names, so ``import svcgen`` is cheap and the commands that do not need the
DSL (lint, import) never load pydantic. The ``TYPE_CHECKING`` imports say the same to type
checkers. tests/test_init.py keeps ``__all__``, ``_HOMES``, the ``TYPE_CHECKING`` imports and
the reference documentation in step.
"""

import sys as _sys
from types import ModuleType as _ModuleType
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from svcgen.version import __version__

if _TYPE_CHECKING:
    from svcgen.dsl.consumers import GatewayRef as GatewayRef
    from svcgen.dsl.consumers import HTTPRoute as HTTPRoute
    from svcgen.dsl.consumers import Ingress as Ingress
    from svcgen.dsl.consumers import IngressRule as IngressRule
    from svcgen.dsl.consumers import IngressTLS as IngressTLS
    from svcgen.dsl.consumers import NetworkPolicy as NetworkPolicy
    from svcgen.dsl.consumers import Peer as Peer
    from svcgen.dsl.consumers import PodMonitor as PodMonitor
    from svcgen.dsl.consumers import PolicyRule as PolicyRule
    from svcgen.dsl.consumers import RouteRule as RouteRule
    from svcgen.dsl.consumers import ServiceMonitor as ServiceMonitor
    from svcgen.dsl.model import AUTO as AUTO
    from svcgen.dsl.model import App as App
    from svcgen.dsl.model import Container as Container
    from svcgen.dsl.model import DaemonSet as DaemonSet
    from svcgen.dsl.model import Deployment as Deployment
    from svcgen.dsl.model import Pod as Pod
    from svcgen.dsl.model import Port as Port
    from svcgen.dsl.model import Probe as Probe
    from svcgen.dsl.model import Service as Service
    from svcgen.dsl.model import StatefulSet as StatefulSet
    from svcgen.dsl.validate import validate as validate
    from svcgen.errors import DeclarationError as DeclarationError
    from svcgen.errors import Problem as Problem
    from svcgen.errors import SvcgenError as SvcgenError
    from svcgen.gcpause import gc_paused as gc_paused
    from svcgen.kube.portrange import NodePortRange as NodePortRange
    from svcgen.render import Rendered as Rendered
    from svcgen.render import RenderOptions as RenderOptions
    from svcgen.render import render as render
    from svcgen.settings import Settings as Settings

# The public API. A literal list, as type checkers read it (``from svcgen import *``).
__all__ = [
    "AUTO",
    "App",
    "Container",
    "DaemonSet",
    "DeclarationError",
    "Deployment",
    "GatewayRef",
    "HTTPRoute",
    "Ingress",
    "IngressRule",
    "IngressTLS",
    "NetworkPolicy",
    "NodePortRange",
    "Peer",
    "Pod",
    "PodMonitor",
    "PolicyRule",
    "Port",
    "Probe",
    "Problem",
    "RenderOptions",
    "Rendered",
    "RouteRule",
    "Service",
    "ServiceMonitor",
    "Settings",
    "StatefulSet",
    "SvcgenError",
    "__version__",
    "gc_paused",
    "render",
    "validate",
]

_HOMES = {
    "AUTO": "svcgen.dsl.model",
    "App": "svcgen.dsl.model",
    "Container": "svcgen.dsl.model",
    "DaemonSet": "svcgen.dsl.model",
    "Deployment": "svcgen.dsl.model",
    "Pod": "svcgen.dsl.model",
    "Port": "svcgen.dsl.model",
    "Probe": "svcgen.dsl.model",
    "Service": "svcgen.dsl.model",
    "StatefulSet": "svcgen.dsl.model",
    "GatewayRef": "svcgen.dsl.consumers",
    "HTTPRoute": "svcgen.dsl.consumers",
    "Ingress": "svcgen.dsl.consumers",
    "IngressRule": "svcgen.dsl.consumers",
    "IngressTLS": "svcgen.dsl.consumers",
    "NetworkPolicy": "svcgen.dsl.consumers",
    "Peer": "svcgen.dsl.consumers",
    "PodMonitor": "svcgen.dsl.consumers",
    "PolicyRule": "svcgen.dsl.consumers",
    "RouteRule": "svcgen.dsl.consumers",
    "ServiceMonitor": "svcgen.dsl.consumers",
    "validate": "svcgen.dsl.validate",
    "DeclarationError": "svcgen.errors",
    "Problem": "svcgen.errors",
    "SvcgenError": "svcgen.errors",
    "NodePortRange": "svcgen.kube.portrange",
    "RenderOptions": "svcgen.render",
    "Rendered": "svcgen.render",
    "render": "svcgen.render",
    "Settings": "svcgen.settings",
    "gc_paused": "svcgen.gcpause",
}
"""Where each name of ``__all__`` (but ``__version__``) lives: it is loaded from there on first
use."""


def __getattr__(name: str) -> _Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'svcgen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(_ModuleType):
    """This package, whose public names stay what ``__all__`` says they are.

    ``svcgen.render`` is the function, though ``svcgen/render.py`` is a module of the same name:
    importing that module (``from svcgen.render import render_manifests``, or svcgen's own code
    doing so) sets the package's attribute to the module; the function is kept instead.
    """

    def __setattr__(self, name: str, value: _Any) -> None:
        if (
            name in _HOMES
            and isinstance(value, _ModuleType)
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
