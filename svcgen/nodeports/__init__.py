"""nodePorts svcgen manages: the lock (data and file format), reservations, allocation.

Owns: :mod:`.lock` (what the lock holds: the nodePort of each Service port, by
:class:`~svcgen.nodeports.lock.PortKey`, the one identity of a Service port), :mod:`.lockfile`
(its text format), :mod:`.reserve` (nodePorts taken elsewhere) and :mod:`.allocate` (pins, the
lock, new ports from the static band). The cluster's range is :mod:`svcgen.kube.portrange`.

May import: :mod:`svcgen.errors` and :mod:`svcgen.kube`. Never the DSL or pydantic: requests
come in as plain data (:mod:`svcgen.dsl.nodeport_requests` makes them from declarations).
"""
