"""What svcgen tells a user: one :class:`Problem` type for every finding, one error root.

Every error svcgen raises on purpose derives from :class:`SvcgenError` and knows its exit code,
so the command line has a single ``except``. Findings of the DSL checks, of ``svcgen lint`` and
of ``svcgen import`` are all problems (:class:`Problem`): severity, where (file, line, column), the
object, the field, the rule, the message and how to fix it. Imports nothing of svcgen.

Exit codes, the one table (every command; each error class knows its own):

====  =======================  ==================================================================
code  name                     when
====  =======================  ==================================================================
0     :data:`EXIT_OK`          success; nothing to fix
1     :data:`EXIT_INVALID`     problems found (declarations, manifests, lock, settings, lint
                               errors, ``--check`` found a change) or a conflict to fix (a
                               registry entry another project holds): :class:`InputError`,
                               :class:`DeclarationError`
2     :data:`EXIT_USAGE`       the command line or a path is wrong (a flag's value, a file that is
                               not there, a registry URL without ``#PATH``): :class:`UsageError`
130   :data:`EXIT_INTERRUPTED` interrupted (Ctrl-C): one line, no traceback, nothing half-written
====  =======================  ==================================================================

Records here and in the modules ``svcgen lint`` loads are NamedTuples, not dataclasses: on Python
3.11, importing dataclasses costs a cold start 9 ms and each class half a millisecond more.
"""

from collections.abc import Iterable
from typing import Any, ClassVar, Literal, NamedTuple

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "MESSAGE_LIMIT",
    "NAME_LIMIT",
    "QUOTE_LIMIT",
    "DeclarationError",
    "InputError",
    "ObjectRef",
    "Problem",
    "Severity",
    "SourceLocation",
    "SvcgenError",
    "UsageError",
    "count_errors",
    "one_line",
    "plural",
    "printable",
    "shorten",
    "sorted_problems",
]

EXIT_OK = 0
EXIT_INVALID = 1
"""Invalid declarations, manifests, lock or settings; lint errors; ``--check`` found a change; a
conflict to fix."""
EXIT_USAGE = 2
"""The command line or a path is wrong."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT: what a shell reports for a command stopped by Ctrl-C."""

Severity = Literal["error", "warning"]

# Control characters (a newline in a hostile name, say; C1's single-character CSI, 0x9b, too) are
# shown
# escaped: one problem, one line, no terminal escape sequence. So are
# lone surrogates (a file name that is not UTF-8, a "\ud800" in JSON), which no output stream can
# encode:
# the ones that stand for a byte of a non-UTF-8 name (os.fsdecode) as that byte.
_ESCAPES = (
    {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
    | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}
    | {c: f"\\u{c:04x}" for c in range(0xD800, 0xDC80)}
    | {c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xE000)}
)

QUOTE_LIMIT = 100
"""Most characters of a user's value that a message quotes (see :func:`shorten`)."""
MESSAGE_LIMIT = 1000
"""Most characters of a finding's message or hint: past it (a list of a thousand names), it is
cut."""
NAME_LIMIT = 253
"""Most characters of an object's kind, namespace or name that a finding shows: the longest valid
name."""


def one_line(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped: on one line, anywhere."""
    return text.translate(_ESCAPES)


_LINE_ESCAPES = {c: e for c, e in _ESCAPES.items() if c not in (0x0A, 0x09)}


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped, line ends kept.

    For a stream of messages.
    """
    return text.translate(_LINE_ESCAPES)


def plural(count: int, word: str, words: str = "") -> str:
    """``count`` and ``word``, in the plural unless ``count`` is 1: ``2 nodePorts``.

    The plural is ``words``, else ``word`` + "s".
    """
    return f"{count} {word if count == 1 else words or word + 's'}"


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as a message quotes it: cut when longer than ``limit`` characters.

    A cut text ends with "..." and its full length. A 1 MB value in a file must not make a 1 MB
    message (nor one per finding that quotes it).
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


class SourceLocation(NamedTuple):
    """Where something was written: a file, a 1-based line (0: unknown) and column (0: unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        line = f":{self.line}" if self.line else ""
        column = f":{self.column}" if self.line and self.column else ""
        return f"{self.file}{line}{column}"


class ObjectRef(NamedTuple):
    """A Kubernetes object named in a finding: kind, namespace ("" for none) and name."""

    kind: str
    namespace: str = ""
    name: str = ""

    def __str__(self) -> str:
        return "/".join(shorten(p, NAME_LIMIT) for p in (self.kind, self.namespace, self.name) if p)


class Problem(NamedTuple):
    """One thing wrong, from the DSL checks, lint or import.

    Attributes:
        subject: the object at fault, e.g. ``Service "web"`` or ``Service/shop/web``.
        field: the Kubernetes field path (``spec.ports[1].name``) or the DSL argument at fault.
        message: what rule is broken, in the API server's words where it has them.
        hint: how to fix it (may be empty).
        location: the file, line and column of the declaration or the YAML, when known.
        severity: ``error`` fails the command, ``warning`` is reported and the command goes on.
        rule: a short stable name of the rule (``port-name``, ``node-port-collision``...).
        obj: the Kubernetes object the finding is about, when it was read from YAML.
        document: the 0-based index of the YAML document in its file, when read from YAML.
    """

    subject: str
    field: str
    message: str
    hint: str = ""
    location: SourceLocation | None = None
    severity: Severity = "error"
    rule: str = ""
    obj: ObjectRef | None = None
    document: int | None = None

    @property
    def file(self) -> str:
        return self.location.file if self.location else ""

    @property
    def line(self) -> int:
        return self.location.line if self.location else 0

    @property
    def column(self) -> int:
        return self.location.column if self.location else 0

    def shown(self) -> "Problem":
        """This problem as every output shows it: subject, field, message and hint, each cut short.

        Each is cut at :data:`MESSAGE_LIMIT`. Whatever path made it (a declaration's 1 MB label
        value quoted, a YAML key an alias repeats), one problem stays one readable line.
        """
        return self._replace(
            subject=shorten(self.subject, MESSAGE_LIMIT),
            field=shorten(self.field, MESSAGE_LIMIT),
            message=shorten(self.message, MESSAGE_LIMIT),
            hint=shorten(self.hint, MESSAGE_LIMIT),
        )

    def __str__(self) -> str:
        p = self.shown()
        where = f"{p.location}: " if p.location else ""
        subject = f" {p.subject}:" if p.subject else ""
        field = f" {p.field}:" if p.field else ""
        return one_line(f"{where}{p.severity}:{subject}{field} {p.sentences()}")

    def sentences(self) -> str:
        """The message as a sentence (a full stop added), then ``Fix: hint``.

        The same in every format.
        """
        p = self.shown()
        message = p.message if p.message.endswith(".") else p.message + "."
        return f"{message} Fix: {p.hint}" if p.hint else message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (``svcgen lint --format json``)."""
        p = self.shown()
        obj = p.obj or ObjectRef("")
        return {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "document": p.document if p.document is not None else 0,
            "kind": shorten(obj.kind, NAME_LIMIT),
            "namespace": shorten(obj.namespace, NAME_LIMIT),
            "name": shorten(obj.name, NAME_LIMIT),
            "field": p.field,
            "severity": p.severity,
            "rule": p.rule,
            "message": p.message,
            "hint": p.hint,
            "subject": p.subject,
        }


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """By file, then line and column (a problem without a line first in its file); stable.

    The one order of every command that prints several problems (lint, render, import...).
    Problems that name no file come last: they are about the whole run ("no Service left to
    import, as said above").
    """
    return sorted(problems, key=lambda p: (not p.file, p.file, p.line, p.column))


def count_errors(problems: Iterable[Problem]) -> int:
    """How many of ``problems`` are errors."""
    return sum(1 for p in problems if p.severity == "error")


class SvcgenError(Exception):
    """Root of every error svcgen raises on purpose (bad input, never a bug).

    ``exit_code`` is what the command line exits with; :meth:`report` is what it prints.
    """

    exit_code: ClassVar[int] = EXIT_INVALID
    footer: ClassVar[str] = ""

    def report(self, debug: bool = False) -> list[str]:
        """The lines the command line prints for this error (``debug``: a traceback follows)."""
        return [str(self), *([self.footer] if self.footer else [])]

    def debug_cause(self) -> BaseException:
        """The exception whose traceback ``--debug`` shows."""
        return self


class UsageError(SvcgenError):
    """A command-line or path mistake: exit code 2."""

    exit_code = EXIT_USAGE


class InputError(SvcgenError):
    """A file svcgen reads (settings, lock, --reserve, manifests) cannot be used as it is."""

    footer = "svcgen: nothing was written."


class DeclarationError(SvcgenError, ValueError):
    """One or more declarations break the rules; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem] | Problem) -> None:
        # A Problem is a NamedTuple, so iterable itself: one given alone is one problem, not its
        # fields.
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in sorted_problems(self.problems)))

    def report(self, debug: bool = False) -> list[str]:
        return [
            *(str(p) for p in sorted_problems(self.problems)),
            f"svcgen: {plural(count_errors(self.problems), 'error')} found; nothing was written.",
        ]
