"""Objects indexed by label and namespace: the candidates of a label selector, found without a scan.

Why this exists (a fast path): lint's checks across objects match a selector against a set of
objects (a Service's selector against every workload's pods, a ServiceMonitor's against every
Service, a NetworkPolicy's against every pod). Scanning them all, or every object carrying any of
the selector's labels, makes lint quadratic in the common shape where every object of an
application carries one shared label (``app.kubernetes.io/part-of: shop``) beside its own: 4,000
Services took 67 s. Here each label (key and value) maps to the positions of the objects
carrying it, per namespace. A selector's candidates are the objects meeting its rarest
requirement (the shortest lists, merged); the caller then applies the full rule to those only,
so what is selected is exactly what a scan would select, in the files' order.

A requirement is a list of (key, value) alternatives: a matchLabels entry is one, an ``In``
expression one per value. :data:`ANY` as a value stands for "a label the object's controller adds,
with some value" (a Deployment's pods' ``pod-template-hash``): registered for such keys the
object's template does not set, so a selector on them still finds the object.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from typing import Any, TypeVar, cast

__all__ = ["ANY", "FEW", "LabelIndex", "hashable_label"]

_T = TypeVar("_T")

FEW = 16
"""A selection looking at this many objects or fewer is not remembered (see
:meth:`LabelIndex.remembered`)."""

ANY: Any = object()
"""The value of a label a controller adds to its pods (see the module docstring)."""


def hashable_label(value: Any) -> bool:
    """Whether a label value can be looked up (a scalar): lists and mappings are matched by scan."""
    return value is None or isinstance(value, (str, int, float, bool))


class LabelIndex:
    """Positions (0-based, ascending) of objects by (namespace, label key, label value).

    ``entries`` gives each object's namespace ("" for none: such an object is in every namespace
    for a selector), its labels and the keys of labels its controller adds (:data:`ANY`).
    """

    def __init__(self, entries: Iterable[tuple[str, dict[str, Any], Collection[str]]]) -> None:
        self.size = 0
        self._everywhere: dict[tuple[str, Any], list[int]] | None = (
            None  # built when first asked (memory)
        )
        self._in: dict[tuple[str, str, Any], list[int]] = {}
        for i, (namespace, labels, added) in enumerate(entries):
            self.size += 1
            for key, value in labels.items():
                if isinstance(key, str) and hashable_label(value):
                    self._add(namespace, key, value, i)
            for key in added:
                if key not in labels:
                    self._add(namespace, key, ANY, i)
        self._remembered: dict[Hashable, Any] = {}

    def _add(self, namespace: str, key: str, value: Any, position: int) -> None:
        self._in.setdefault((namespace, key, value), []).append(position)

    def _runs(self, key: str, value: Any, namespaces: Collection[str] | None) -> list[list[int]]:
        if namespaces is None:
            if self._everywhere is None:
                self._everywhere = {}
                for (_, k, v), positions in self._in.items():
                    self._everywhere.setdefault((k, v), []).extend(positions)
                for positions in self._everywhere.values():
                    positions.sort()
            return [self._everywhere.get((key, value), [])]
        return [self._in.get((n, key, value), []) for n in {*namespaces, ""}]

    def candidates(
        self, requirements: Sequence[Sequence[tuple[str, Any]]], namespaces: Collection[str] | None
    ) -> list[int] | None:
        """The objects that may meet every requirement, in ``namespaces`` (None: any).

        None: no requirement.

        Each requirement is met by an object carrying one of its (key, value) alternatives; the
        objects meeting the rarest one are returned, in order (a superset: check the rule on each).
        """
        best: list[list[int]] | None = None
        best_size = 0
        for requirement in requirements:
            runs = [
                run
                for key, value in requirement
                for run in self._runs(key, value, namespaces)
                if run
            ]
            size = sum(map(len, runs))
            if best is None or size < best_size:
                best, best_size = runs, size
            if not size:
                break
        if best is None:
            return None
        if len(best) == 1:
            return best[0]
        return sorted({p for run in best for p in run})  # (an In expression may list a value twice)

    def remembered(
        self, key: Callable[[], Hashable], compute: Callable[[], _T], work: int | None
    ) -> _T:
        """``compute()``, once per ``key()``: one selector written on many objects is matched once.

        ``work``: how many objects ``compute`` looks at (None: all). A result of a few is computed
        again when asked again rather than held: lint's memory is a handful of times its input.
        """
        if work is not None and work <= FEW:
            return compute()
        found = key()
        if found not in self._remembered:
            self._remembered[found] = compute()
        return cast(_T, self._remembered[found])
