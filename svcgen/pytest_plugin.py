"""svcgen's pytest plugin: check a project's render in its own tests (entry point ``pytest11``).

Installing svcgen installs the plugin; a test asks for the ``svcgen_project`` fixture::

    def test_app(svcgen_project):
        rendered = svcgen_project.render("app.py")     # as `svcgen render app.py` would; nothing is
        written
        svcgen_project.assert_locked(rendered)          # no new nodePort: the committed lock file
        is
        current
        svcgen_project.assert_lint_clean(rendered)      # `svcgen lint` finds nothing in the output
        svcgen_project.assert_matches_snapshot(rendered, "expected.yaml")

Paths are relative to the test file's folder. A snapshot holds what ``svcgen render`` prints;
``pytest --svcgen-update-snapshots`` rewrites the snapshots that differ (atomically) and lists
them at the end of the run. A test reads files only: the project's ``[tool.svcgen]`` settings,
its lock file and its ``reserve`` files, never the live cluster (``reserve-cluster``) nor a
shared registry (``svcgen render --check`` in CI asks those).

pytest imports every installed ``pytest11`` plugin at start-up, in every project: this module
loads nothing of svcgen's at import time (no pydantic, no YAML library); they load when a test
asks for the fixture.

May import: :mod:`svcgen.cli`'s helpers (it is a front end beside the command line), the
features it checks with (render, lint) and what they stand on (dsl, settings, files). Nothing
imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from svcgen.dsl.model import App
    from svcgen.errors import Problem
    from svcgen.nodeports.lock import Lock, PortKey
    from svcgen.render import Rendered
    from svcgen.settings import Settings

__all__ = ["ProjectRender", "SvcgenProject", "svcgen_project"]

UPDATE_OPTION = "--svcgen-update-snapshots"
_UPDATED = pytest.StashKey[list[str]]()
"""The snapshots this run rewrote, for the summary at the end."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("svcgen").addoption(
        UPDATE_OPTION,
        action="store_true",
        default=False,
        help="rewrite the snapshots that svcgen_project.assert_matches_snapshot finds different "
        "(review the diff, then commit them)",
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    updated = config.stash.get(_UPDATED, [])
    if updated:
        terminalreporter.write_sep("-", "svcgen")
        for path in updated:
            terminalreporter.write_line(f"svcgen: rewrote the snapshot {path}")


@dataclass(frozen=True)
class ProjectRender:
    """A render for a test: what ``svcgen render`` would print, and the lock it would write.

    Attributes:
        rendered: the render (``yaml``, ``manifests``, ``lock``, ``allocated``, ``warnings``).
        settings: the project's settings, found as ``svcgen render`` finds them.
        committed: the lock file's entries before the render (empty when there is no file).
        what: what was rendered, for messages (a path, or "the Apps given").
        path: the file or folder rendered (None for Apps given directly).
    """

    rendered: Rendered
    settings: Settings
    committed: Lock
    what: str
    path: Path | None = None

    @property
    def yaml(self) -> str:
        """The YAML stream ``svcgen render`` prints."""
        return self.rendered.yaml

    @property
    def manifests(self) -> list[dict[str, Any]]:
        """The rendered objects, as plain dicts."""
        return self.rendered.manifests

    @property
    def warnings(self) -> list[Problem]:
        """The render's warnings (``svcgen render`` prints them on stderr)."""
        return self.rendered.warnings


class SvcgenProject:
    """The ``svcgen_project`` fixture: render, then check the lock, lint and a snapshot.

    Relative paths are taken from ``folder`` (the requesting test file's folder).
    """

    def __init__(self, folder: Path, config: pytest.Config) -> None:
        self.folder = folder
        self._config = config

    def render(
        self, what: str | Path | App | Iterable[App], *, with_workloads: bool = False
    ) -> ProjectRender:
        """Render a declaration file or folder, or Apps, as ``svcgen render`` would; write nothing.

        A path's project settings (``[tool.svcgen]``, the lock file) are found from the path; for
        Apps, from the test file's folder. ``with_workloads``: as ``--with-workloads``.

        Raises:
            SvcgenError: what ``svcgen render`` reports as an error (a declaration's problems with
                their lines, a malformed lock file, a file that does not run...), shown as the
                command line shows it: without a trace through svcgen's code (an exception the
                user's file raised is shown with its own trace, as the cause).
        """
        __tracebackhide__ = True
        from svcgen.errors import SvcgenError

        try:
            return self._render(what, with_workloads)
        except SvcgenError as exc:
            raise exc.with_traceback(None) from _from_user_code(getattr(exc, "original", None))

    def _render(
        self, what: str | Path | App | Iterable[App], with_workloads: bool
    ) -> ProjectRender:
        from svcgen.dsl.model import App
        from svcgen.files import display
        from svcgen.render import RenderOptions, render
        from svcgen.settings import Settings

        path: Path | None = None
        if isinstance(what, (str, Path)):
            from svcgen.cli.project import check_one_project
            from svcgen.dsl.loader import load_apps

            path = self.folder / what
            settings = Settings.find(path, with_workloads=with_workloads)
            check_one_project([str(path)], settings)
            settings.check_reserve()
            apps = load_apps([str(path)])
            label = display(path)
        else:
            settings = Settings.find(self.folder, with_workloads=with_workloads)
            apps = [what] if isinstance(what, App) else list(what)
            label = "the Apps given"
        # Files only: the live cluster and a shared registry are for `svcgen render` (tests stay
        # offline).
        settings = settings._replace(reserve_cluster=None)
        committed = settings.read_lock()
        rendered = render(
            apps, RenderOptions.from_settings(settings, committed, settings.reservations())
        )
        return ProjectRender(rendered, settings, committed, label, path)

    def assert_locked(self, rendered: ProjectRender) -> None:
        """Every nodePort of the render is already in the committed lock file: none newly allocated.

        Fails naming each Service port that would get a new nodePort (or whose entry a pin would
        change), at its line, and the command that updates the lock file.
        """
        __tracebackhide__ = True
        from svcgen.errors import plural
        from svcgen.files import display

        added, changed = rendered.committed.changes_to(rendered.rendered.lock)
        if not added and not changed:
            return
        allocated = {key: a for a in rendered.rendered.allocated for key in a.request.keys}

        def port(key: PortKey) -> str:
            """``FILE:LINE: Service "web" port "http" (web/http)``: where the port is declared.

            Then, in parentheses, its lock entry.
            """
            request = allocated[key].request if key in allocated else None
            where = f"{request.location}: " if request and request.location else ""
            return f"  {where}{request.subject if request else 'Service'} ({key.short()})"

        lines = [f"{port(key)}: new nodePort {number}" for key, number in added.items()]
        lines += [f"{port(key)}: nodePort {old} -> {new}" for key, (old, new) in changed.items()]
        would = [f"allocate {plural(len(added), 'new nodePort')}"] if added else []
        if changed:
            would.append(f"change {plural(len(changed), 'locked nodePort')}")
        lock = display(rendered.settings.lock)
        command = (
            f"`svcgen render {rendered.what}`"
            if rendered.path is not None
            else "`svcgen render` on the files that declare the Apps"
        )
        raise AssertionError(
            f"{lock} is not current: the render of {rendered.what} would {' and '.join(would)}:\n"
            + "\n".join(lines)
            + f"\nFix: run {command} (it records them in {lock}), "
            f"then commit {lock}"
        )

    def lint(self, rendered: ProjectRender, *manifests: str | Path) -> list[Problem]:
        """What ``svcgen lint`` finds in the render's YAML: errors and warnings, in the order found.

        ``manifests``: the project's other YAML files or folders (relative to the test file's
        folder), linted with the render as one set, as ``svcgen lint`` lints what it is given
        together: a Service of the render that selects none of their workloads, a named
        targetPort their pods lack, a nodePort one of them takes too... A path that cannot be
        read is a problem too. The project's nodePort range and Kubernetes version apply.
        """
        from svcgen.files import read_sources
        from svcgen.lint import lint_texts

        sources = read_sources([str(self.folder / path) for path in manifests])
        quiet = {
            source.name for source in sources.texts if not source.explicit
        }  # found by walking a folder
        texts = [
            (f"<render of {rendered.what}>", rendered.yaml),
            *((s.name, s.text) for s in sources.texts),
        ]
        settings = rendered.settings
        return [
            *sources.problems,
            *lint_texts(texts, settings.node_port_range, settings.kubernetes_version, quiet=quiet),
        ]

    def assert_lint_clean(self, rendered: ProjectRender, *manifests: str | Path) -> None:
        """``svcgen lint`` finds nothing, no error nor warning, in the render (and ``manifests``).

        ``manifests``: see :meth:`lint`.
        """
        __tracebackhide__ = True
        problems = self.lint(rendered, *manifests)
        if problems:
            together = f" with {', '.join(map(str, manifests))}" if manifests else ""
            from svcgen.errors import plural, sorted_problems

            raise AssertionError(
                f"svcgen lint finds {plural(len(problems), 'problem')} in "
                f"the render of {rendered.what}{together}:\n"
                + "\n".join(f"  {p}" for p in sorted_problems(problems))
            )

    def assert_matches_snapshot(self, rendered: ProjectRender, snapshot: str | Path) -> None:
        """The render's YAML is the snapshot file's text, byte for byte.

        ``snapshot`` holds what ``svcgen render`` prints. With ``--svcgen-update-snapshots``, a
        snapshot that differs (or is missing) is rewritten instead, atomically, and the run lists
        it.
        """
        __tracebackhide__ = True
        from svcgen.cli.common import diff, write
        from svcgen.files import display, read_text_if_exists

        path = self.folder / snapshot
        name = display(path)
        try:
            current = read_text_if_exists(
                path, errors="replace"
            )  # bytes that are not UTF-8 show in the diff
        except OSError as exc:
            raise AssertionError(
                f"{name}: cannot read the snapshot: {exc.strerror or exc}"
            ) from None
        if current == rendered.yaml:
            return
        if self._config.getoption(UPDATE_OPTION):
            write(path, rendered.yaml)
            self._config.stash.setdefault(_UPDATED, []).append(name)
            return
        if current is None:
            raise AssertionError(
                f"{name}: no such snapshot. Fix: run `pytest {UPDATE_OPTION}` to write it from the "
                f"render of {rendered.what}, review it and commit it"
            )
        raise AssertionError(
            f"{name}: the render of {rendered.what} differs from the snapshot (-: the snapshot, "
            "+: the render):\n"
            f"{diff(current, rendered.yaml, name)}"
            f"Fix: if the change is what you meant, run `pytest {UPDATE_OPTION}` and commit {name}"
        )


def _from_user_code(exc: BaseException | None) -> BaseException | None:
    """``exc`` (raised by the user's file) with its trace from the user's code on.

    svcgen's loader is left out of the trace.
    """
    if exc is None:
        return None
    trace = exc.__traceback__
    package = str(Path(__file__).parent)
    while trace is not None and trace.tb_frame.f_code.co_filename.startswith((package, "<frozen ")):
        trace = trace.tb_next
    return exc.with_traceback(trace)


@pytest.fixture
def svcgen_project(request: pytest.FixtureRequest) -> SvcgenProject:
    """Render the project's declarations and check the lock, lint and a snapshot.

    The lock is current, lint is clean, a snapshot matches.
    """
    return SvcgenProject(request.path.parent, request.config)
