"""Find the Apps declared in Python files: run each file as a module and collect its App objects.

While the files run, ``sys.stdout`` is ``sys.stderr``: a ``print()`` in a declaration file is a
message for the person running svcgen, never part of the manifests svcgen prints.

An App is found where a file keeps it: bound to a module-level name, or in a module-level list,
tuple or dict (values), and in such containers nested a few levels deep. An App made while the
files run but kept nowhere (built in a loop and dropped, held by a class or a function's closure)
is an error at the line that made it: it would silently not be rendered. The loader learns of
every App made through :data:`svcgen.dsl.model.new_app_hook` (one list append per App).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from svcgen.dsl import model
from svcgen.dsl.callsite import shown_relative_to, traceback_location
from svcgen.dsl.model import App
from svcgen.errors import (
    MESSAGE_LIMIT,
    DeclarationError,
    Problem,
    SourceLocation,
    SvcgenError,
    UsageError,
    count_errors,
    one_line,
    plural,
    shorten,
    sorted_problems,
)
from svcgen.files import display, file_kind, find_files
from svcgen.gcpause import paused_gc

__all__ = ["LoadError", "LoadFailure", "UserCodeError", "discover_files", "load_apps"]

# Python files in a folder that are not declarations: tests and packaging.
_SKIP_FILES = ("conftest.py", "setup.py", "noxfile.py")


class LoadError(UsageError):
    """A path given to svcgen cannot be read as Python declarations (missing, not .py, no App)."""


class UserCodeError(SvcgenError):
    """The user's file raised an exception while it ran; ``location`` is its line."""

    def __init__(self, path: str, location: SourceLocation | None, exc: BaseException) -> None:
        self.location = location
        self.original = exc
        where = str(location) if location else display(path)
        detail = (
            f"{type(exc).__name__}: {shorten(str(exc), MESSAGE_LIMIT)}"
            if str(exc)
            else type(exc).__name__
        )
        super().__init__(
            one_line(
                f"{where}: error: running {display(path)} failed: {detail}{_keyword_hint(exc)}"
            )
        )

    def report(self, debug: bool = False) -> list[str]:
        return (
            [str(self)]
            if debug
            else [str(self), "svcgen: run with --debug to see the Python traceback."]
        )

    def debug_cause(self) -> BaseException:
        return self.original

    def problem(self) -> Problem:
        """This error as one problem among others."""
        text = str(self)
        message = text.split(": error: ", 1)[1] if ": error: " in text else text
        return Problem("", "", message, location=self.location, rule="user-code")


def _keyword_hint(exc: BaseException) -> str:
    """For a mistyped keyword of a DSL class (``Container(imag=...)``): its nearest field."""
    import re

    match = re.fullmatch(
        r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'", str(exc)
    )
    if not isinstance(exc, TypeError) or match is None:
        return ""
    owner, given = match.groups()
    cls = next(
        (
            getattr(module, owner)
            for name in ("svcgen.dsl.model", "svcgen.dsl.consumers")
            if (module := sys.modules.get(name)) is not None
            and isinstance(getattr(module, owner, None), type)
        ),
        None,
    )
    fields = [
        name for name, info in getattr(cls, "model_fields", {}).items() if info.init is not False
    ]
    import difflib  # only for a mistake's suggestion

    from svcgen.dsl.manifests import dsl_name

    named = dsl_name(given)  # a Kubernetes field name (securityContext): its name in the DSL
    near = [named] if named in fields else difflib.get_close_matches(given, fields, n=1, cutoff=0.6)
    return (
        f'. Fix: did you mean "{near[0]}"?'
        if near
        else (f". Fix: {owner} takes {', '.join(fields)}" if fields else "")
    )


class LoadFailure(DeclarationError):
    """Running the user's files went wrong in one or more of them: every problem of every file.

    ``apps`` holds the Apps of the files that ran, so their own problems can be reported too.
    """

    def __init__(
        self, problems: Sequence[Problem], causes: Sequence[BaseException], apps: Sequence[App]
    ) -> None:
        self.causes = list(causes)
        self.apps = list(apps)
        super().__init__(problems)

    def report(self, debug: bool = False) -> list[str]:
        hint = (
            ["svcgen: run with --debug to see the Python traceback."]
            if self.causes and not debug
            else []
        )
        return [
            *(str(p) for p in sorted_problems(self.problems)),
            *hint,
            f"svcgen: {plural(count_errors(self.problems), 'error')} found; nothing was written.",
        ]

    def debug_cause(self) -> BaseException:
        return self.causes[0] if self.causes else self


def _skipped_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name in _SKIP_FILES


def _regular(path: Path) -> Path:
    """``path``, unless it is a pipe, a device or a socket.

    Python would block reading one of those, or never finish.

    Raises:
        LoadError: it is one, said with what it is.
    """
    kind = ""
    with contextlib.suppress(OSError):  # missing: said by the caller, or by Python
        kind = file_kind(path)
    if kind and kind != "a directory":
        raise LoadError(
            f"{display(path)}: error: {kind}, not a regular file: svcgen runs only regular .py "
            "files. Fix: remove it, or name the declaration files to run"
        )
    return path


def discover_files(paths: Sequence[str]) -> list[Path]:
    """The Python files to load: files as given, directories searched recursively in sorted order.

    A directory is walked by :func:`svcgen.files.find_files` (its rules say which folders are
    skipped); test and packaging files (``test_*.py``, ``*_test.py``, ``conftest.py``,
    ``setup.py``, ``noxfile.py``) are not declarations and are skipped too. A pipe, a device or
    a socket, named or found, is refused (:class:`LoadError`).
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                _regular(p) for p in find_files(path, (".py",)) if not _skipped_file(p.name)
            )
        elif path.is_file():
            if path.suffix != ".py":
                raise LoadError(
                    f"{display(raw)}: error: not a Python file (svcgen reads declarations from "
                    ".py files)"
                )
            files.append(path)
        else:
            _regular(path)
            raise LoadError(f"{display(raw)}: error: no such file or directory")
    seen: set[Path] = set()
    unique = []
    for file in files:
        resolved = file.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(file)
    return unique


def load_apps(paths: Sequence[str]) -> list[App]:
    """Run every file found under ``paths`` and return the Apps they declare, in order.

    Apps are taken from each module's top-level names: an App, or a list, tuple or dict (its
    values) holding Apps, nested up to four levels deep; an App reachable from several files
    counts once. A file given by name must declare at least one App, and every App the files
    make must be found that way.

    Every file runs, even after one failed, so that the problems of all of them are reported.
    What the files print (``sys.stdout``) goes to ``sys.stderr``.

    Raises:
        LoadError: a path is missing or not Python, or a named file declares no App.
        UserCodeError: the one file given raised an exception.
        LoadFailure: declarations were malformed or files raised, in one file or several, or
            an App was made but kept nowhere (with every problem, and the Apps of the files
            that ran).
    """
    explicit = {Path(p).resolve() for p in paths if Path(p).is_file()}
    files = discover_files(paths)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    saved_cwd = (
        os.getcwd()
    )  # a user's file that changes directory must not move svcgen's relative paths
    problems: list[Problem] = []
    causes: list[BaseException] = []
    made: list[App] = []  # every App the files that ran made, in order
    saved_hook = model.new_app_hook
    try:
        apps: list[App] = []
        seen: set[int] = set()
        for file in files:
            first = len(made)
            try:
                # whatever directory the file changes to; whatever it prints is not output
                with shown_relative_to(saved_cwd), contextlib.redirect_stdout(sys.stderr):
                    model.new_app_hook = made.append
                    module = _run(file, set(sys.modules) - saved_modules)
            except DeclarationError as exc:
                problems.extend(exc.problems)
                del made[first:]  # the Apps of a file that failed are not looked for
                continue
            except UserCodeError as exc:
                if len(files) == 1:
                    raise
                problems.append(exc.problem())
                causes.append(exc.original)
                del made[first:]
                continue
            finally:
                model.new_app_hook = saved_hook
            declared = _apps_in(module)
            if (
                not declared and file.resolve() in explicit and len(made) == first
            ):  # else: said below, by line
                problems.append(
                    Problem(
                        "",
                        "",
                        'no App found; declare one at module level, e.g. app = App("my-app", '
                        "labels={...}, containers=[...], services=[...])",
                        location=SourceLocation(str(file)),
                        rule="no-app",
                    )
                )
            for app in declared:
                if id(app) not in seen:
                    seen.add(id(app))
                    apps.append(app)
        problems.extend(_unkept(app for app in made if id(app) not in seen))
        if problems and all(p.rule == "no-app" for p in problems):
            raise LoadError("\n".join(str(p) for p in sorted_problems(problems)))
        if problems:
            raise LoadFailure(problems, causes, apps)
        if not apps:
            raise LoadError(f"{', '.join(paths)}: error: no App found in any Python file")
        return apps
    finally:
        sys.path[:] = saved_path
        if os.getcwd() != saved_cwd:
            os.chdir(saved_cwd)
        _forget_user_modules(set(sys.modules) - saved_modules, {f.resolve().parent for f in files})


def _forget_user_modules(names: set[str], folders: set[Path]) -> None:
    """Drop the modules loaded from the user's folders, so a later load runs them afresh.

    Library modules imported on the way (pydantic's lazy internals, say) stay: dropping them
    would give a second copy of their classes.
    """
    for name in names:
        module_file = getattr(sys.modules.get(name), "__file__", None)
        if name.startswith("_svcgen_"):
            sys.modules.pop(name, None)
        elif module_file:
            path = Path(module_file).resolve()
            installed = "site-packages" in path.parts or "dist-packages" in path.parts
            if not installed and any(folder in path.parents for folder in folders):
                sys.modules.pop(name, None)


_DEPTH = 4
"""How deep Apps are looked for in module-level containers (``envs = {"prod": [web, api]}`` is
2)."""
_CONTAINERS = (list, tuple, dict)  # an App is unhashable: never in a set, never a dict key


def _apps_in(module: ModuleType) -> list[App]:
    """The Apps a module keeps: its top-level names, and what its lists, tuples and dicts hold."""
    found: list[App] = []
    visited: set[int] = set()
    for value in list(vars(module).values()):
        if isinstance(value, App):
            found.append(value)
        elif isinstance(value, _CONTAINERS):
            _apps_held(value, _DEPTH, found, visited)
    return found


def _apps_held(
    container: list[Any] | tuple[Any, ...] | dict[Any, Any],
    depth: int,
    found: list[App],
    visited: set[int],
) -> None:
    """Append to ``found`` the Apps in ``container``, ``depth`` levels down.

    It searches a list's or tuple's items, or a dict's values.
    """
    if id(container) in visited:
        return
    visited.add(id(container))
    for item in container.values() if isinstance(container, dict) else container:
        if isinstance(item, App):
            found.append(item)
        elif depth > 1 and isinstance(item, _CONTAINERS):
            _apps_held(item, depth - 1, found, visited)


def _unkept(apps: Iterable[App]) -> list[Problem]:
    """One error per line of code that made Apps no module keeps.

    Each error names the first App made on its line and counts the others.
    """
    by_line: dict[SourceLocation | None, list[App]] = {}
    for app in apps:
        by_line.setdefault(app.location, []).append(app)
    problems = []
    for location, made in by_line.items():
        more = f" (and {len(made) - 1} more made on this line)" if len(made) > 1 else ""
        problems.append(
            Problem(
                f'App "{made[0].name}"',
                "",
                f"made here{more} but kept nowhere svcgen looks (a module-level name, or a "
                "module-level list, tuple or dict holding it), so it would not be rendered",
                "bind it at module level (app = App(...)) or add it to a module-level list; an "
                "App of a module the files import is found when that file is given too",
                location,
                rule="unkept-app",
            )
        )
    return problems


def _run(file: Path, loaded: set[str]) -> ModuleType:
    """Import ``file`` as a module, reusing it if a file loaded before imported it already.

    ``loaded`` names the modules imported since loading began (only those can be user files).
    """
    path = file.resolve()
    for name in loaded:
        module = sys.modules.get(name)
        module_file = getattr(module, "__file__", None)
        if module is not None and module_file and Path(module_file).resolve() == path:
            return module
    name = (
        path.stem
        if path.stem.isidentifier() and path.stem not in sys.modules
        else f"_svcgen_{id(path)}"
    )
    # The file name as the user gave it: messages then point at paths they can click.
    spec = importlib.util.spec_from_file_location(name, str(file))
    if spec is None or spec.loader is None:
        raise LoadError(f"{display(file)}: error: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        with paused_gc():  # declarations are many small acyclic objects: see svcgen.gcpause
            spec.loader.exec_module(module)
    except DeclarationError:
        raise
    except SyntaxError as exc:
        location = SourceLocation(str(file), exc.lineno or 0)
        raise UserCodeError(str(file), location, exc) from exc
    except (Exception, SystemExit) as exc:
        raise UserCodeError(
            str(file), traceback_location(exc.__traceback__, str(path)), exc
        ) from exc
    return module
