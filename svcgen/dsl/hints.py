"""How to fix what the API server's checks found in a declaration, in the DSL's words.

The fixes live in one table with the manifest's words, :data:`svcgen.kube.hints.FIXES`; this
module is the DSL's way in. A rule can be broken in several ways (a port name that is missing,
malformed or repeated), and each way has its own fix.
"""

from __future__ import annotations

from svcgen.kube.apiserver import FieldError
from svcgen.kube.hints import fix
from svcgen.kube.portrange import NodePortRange

__all__ = ["container_port_hint", "service_hint"]


def service_hint(error: FieldError, node_port_range: NodePortRange) -> str:
    """The fix for one of the API server's findings on a Service the DSL declared."""
    return fix(error, node_port_range, "dsl")


def container_port_hint(error: FieldError) -> str:
    """The fix for an API server finding on a container port (no nodePort is involved)."""
    return fix(error, NodePortRange(), "dsl")
