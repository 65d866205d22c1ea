"""Kubernetes knowledge that does not depend on the DSL.

Owns: the API server's field rules (:mod:`.rules`) and object checks and defaulting
(:mod:`.apiserver`), the cluster's nodePort range (:mod:`.portrange`), reading YAML with
positions (:mod:`.yamlread`), the one reader that turns documents into Kubernetes objects
(:mod:`.objects`: ``List`` unwrapping, pod specs, workloads and their ports), writing YAML
(:mod:`.yamlwrite`) and the output layouts (:mod:`.layout`).

May import: :mod:`svcgen.errors` and third-party ruamel.yaml. Never the DSL, pydantic, or the
nodePort allocation: lint and import use this package without paying for pydantic.
"""
