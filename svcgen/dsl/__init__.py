"""The DSL: what users write in Python, and everything that needs it.

Owns: the pydantic models (:mod:`.model`), where a declaration was made (:mod:`.callsite`), the
decisions made on the user's behalf (:mod:`.policy`: the targetPort name-or-number choice, lock
keys...), the nodePort requests of a set of Apps (:mod:`.requests`), building manifests
(:mod:`.manifests`, the only DSL module that knows Kubernetes wire names), the checks
(:mod:`.validate`) and running the user's files to find their Apps (:mod:`.loader`).

May import: :mod:`svcgen.errors`, :mod:`svcgen.files`, :mod:`svcgen.gcpause`,
:mod:`svcgen.kube`, :mod:`svcgen.nodeports` and pydantic. Nothing imports the DSL below
:mod:`svcgen.render`, so lint and import never load pydantic.
"""
