"""Project settings, resolved once: command-line flags over ``[tool.svcgen]`` over defaults.

```toml
[tool.svcgen]
node-port-range = "30000-32767"   # the cluster's --service-node-port-range
kubernetes-version = "1.36"       # whose API server rules apply (default: portable, 1.35-1.37)
lock = "svcgen.lock"              # relative to pyproject.toml
reserve = ["cluster/services.yaml", "../other-team/svcgen.lock"]
reserve-cluster = "prod"          # also reserve what `kubectl --context prod get services -A` shows
allocate-from = "30100-30199"     # new nodePorts only from this band (a team's share)
registry = "git@example.com:platform/ports.git#clusters/prod.lock"   # a shared registry on git
owner = "billing"                 # this project's name in the registry (default: [project] name)
```

A project's root (the lock file's home) is the nearest folder at or above the first path given
to svcgen that holds a ``pyproject.toml`` with a ``[tool.svcgen]`` table (the settings) or a
``svcgen.lock``; the search ends at a repository's root (a folder holding ``.git``): a project
never spans repositories. Without either, the root is the first path's folder. Every command
(render, ports, explain, lock, lint, import, new) and the test that ``svcgen new`` writes use
:meth:`Settings.find`, so they agree; :func:`project_root` says which project any path is in.
"""

import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from svcgen.errors import InputError, SvcgenError, UsageError, one_line
from svcgen.files import FileRefusedError, display, read_file, read_sources, read_text_if_exists
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.kube.releases import PORTABLE, KubeVersion

if TYPE_CHECKING:
    from svcgen.nodeports.lock import Lock
    from svcgen.nodeports.reserve import Reservation

__all__ = [
    "LOCK_FILE_NAME",
    "Settings",
    "SettingsError",
    "has_settings",
    "is_project_root",
    "project_root",
]

LOCK_FILE_NAME = "svcgen.lock"
_KEYS = {
    "node-port-range",
    "kubernetes-version",
    "lock",
    "reserve",
    "reserve-cluster",
    "allocate-from",
    "registry",
    "owner",
}


class SettingsError(InputError):
    """``[tool.svcgen]`` is malformed."""


class Settings(NamedTuple):
    """What a run works with: the lock file, the cluster's nodePort range, the reserved manifests.

    Attributes:
        root: the project folder: the nearest one at or above the first path with a
            ``pyproject.toml`` holding ``[tool.svcgen]`` or a ``svcgen.lock``, else the first
            path's.
        lock: the nodePort lock file.
        node_port_range: the cluster's ``--service-node-port-range``.
        reserve: manifests (files or folders) whose nodePorts are taken.
        with_workloads: emit every App's workload too (a render option).
        source: the ``pyproject.toml`` the settings came from, if any.
        kubernetes_version: the cluster's Kubernetes version, whose API server rules apply.
        reserve_cluster: reserve the live cluster's nodePorts (kubectl); the kubectl context, ""
            for the current one, None not to ask the cluster.
        allocate_from: new nodePorts only from this band of the range.
        registry: a shared registry, ``GIT_URL#PATH`` (a lock file in a git repository).
        owner: this project's name in the registry: ``owner``, else ``[project] name`` (a
            registry without either is refused: folders of one name would be one owner); without
            a registry, the project folder's name.
    """

    root: Path
    lock: Path
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE
    reserve: tuple[Path, ...] = ()
    with_workloads: bool = False
    source: Path | None = None
    kubernetes_version: KubeVersion = PORTABLE
    reserve_cluster: str | None = None
    allocate_from: NodePortRange | None = None
    registry: str | None = None
    owner: str = ""

    @classmethod
    def find(
        cls,
        first_path: str | Path = ".",
        *,
        lock: str | Path | None = None,
        node_port_range: NodePortRange | None = None,
        reserve: tuple[str | Path, ...] | list[str] = (),
        with_workloads: bool = False,
        kubernetes_version: KubeVersion | None = None,
        reserve_cluster: str | None = None,
        allocate_from: NodePortRange | None = None,
        registry: str | None = None,
        owner: str | None = None,
    ) -> "Settings":
        """The settings of a run whose first FILE_OR_DIR is ``first_path``; flags given here win.

        ``lock`` and ``reserve`` given here are relative to the working directory; those of
        ``[tool.svcgen]`` to its ``pyproject.toml``. ``reserve`` adds to the table's list.

        Raises:
            SettingsError: ``[tool.svcgen]`` is malformed.
        """
        start = _start(Path(first_path))
        root, table, source, project = _project_table(start, need_name=bool(registry) and not owner)
        values = _table_values(source, table) if source is not None else {}
        node_range = node_port_range or values.get("node-port-range") or DEFAULT_NODE_PORT_RANGE
        if registry:
            _check_registry(registry, "--registry: error:", UsageError)
        band = allocate_from or values.get("allocate-from")
        if band is not None and not (
            node_range.first <= band.first and band.last <= node_range.last
        ):
            range_from = (
                "--node-port-range"
                if node_port_range
                else (
                    f"node-port-range in {display(source or start)}"
                    if "node-port-range" in values
                    else "the default"
                )
            )
            if allocate_from is not None:  # a command-line mistake: exit 2, naming the flag
                raise UsageError(
                    f"--allocate-from: error: {band} is not inside the nodePort range {node_range} "
                    f"({range_from}); give a band inside it"
                )
            raise SettingsError(
                f"{display(source or start)}: error: allocate-from {band} is not inside the "
                "nodePort "
                f"range {node_range} ({range_from})"
            )
        name = owner or values.get("owner") or project
        if (registry or values.get("registry")) and not name:
            _unnamed(root, source, flag=bool(registry))
        return cls(
            root=root,
            lock=Path(lock) if lock else root / values.get("lock", LOCK_FILE_NAME),
            node_port_range=node_range,
            reserve=(*(root / r for r in values.get("reserve", [])), *(Path(r) for r in reserve)),
            with_workloads=with_workloads,
            source=source,
            kubernetes_version=kubernetes_version or values.get("kubernetes-version") or PORTABLE,
            reserve_cluster=reserve_cluster
            if reserve_cluster is not None
            else values.get("reserve-cluster"),
            allocate_from=band,
            registry=registry or values.get("registry"),
            owner=name or root.name,
        )

    @property
    def lock_name(self) -> str:
        """How messages name the lock file.

        Its path from where the user stands (absolute outside it).
        """
        return display(self.lock)

    def read_lock_text(self) -> "tuple[str | None, Lock]":
        """The lock file's text (None if there is none) and its entries.

        Raises:
            UsageError: the lock file cannot be read.
            LockFileError: it is not a valid lock file for this range.
        """
        from svcgen.nodeports.lockfile import parse_lock

        try:
            text = read_text_if_exists(self.lock)
        except UnicodeDecodeError as exc:
            raise UsageError(
                f"{display(self.lock)}: error: the lock file is not UTF-8 text ({exc.reason} at "
                "byte "
                f"{exc.start}); svcgen writes it as UTF-8: restore it from version control (git "
                "checkout -- the file), or delete it to allocate afresh (nodePorts may then "
                "change)"
            ) from None
        except FileRefusedError as exc:
            where = "" if exc.errno == errno.EFBIG else " (--lock, or lock = in [tool.svcgen])"
            raise UsageError(
                f"{display(self.lock)}: error: the lock file is {exc.reason}; nothing was written. "
                f"Fix: {exc.hint}{where}"
            ) from None
        except OSError as exc:
            raise UsageError(
                f"{display(self.lock)}: error: cannot read the lock file: {exc.strerror or exc}"
            ) from None
        return text, parse_lock(text, display(self.lock), self.node_port_range)

    def read_lock(self) -> "Lock":
        """The lock's entries (empty when there is no lock file yet)."""
        return self.read_lock_text()[1]

    def reservations(self, stdin: TextIO | None = None) -> "list[Reservation]":
        """The nodePorts of every Service in the ``reserve`` files.

        Folders are walked; ``-`` is ``stdin``.

        Raises:
            UsageError: a reserve path does not exist or cannot be read.
            ReserveError: a reserve file is not valid YAML or JSON.
        """
        from svcgen.nodeports.reserve import reservations_from_text

        found: list[Reservation] = []
        if self.reserve_cluster is not None:
            from svcgen.cluster import cluster_reservations

            found.extend(cluster_reservations(self.reserve_cluster or None))
        self.check_reserve()
        sources = read_sources(
            [str(p) for p in self.reserve], stdin
        )  # the one reader of YAML files
        if sources.problems:
            first = sources.problems[0]
            raise UsageError(f"{first.location}: error: --reserve: {first.message}")
        for source in sources.texts:
            origin = source.name if source.name == "<stdin>" else display(Path(source.name))
            found.extend(reservations_from_text(source.text, origin))
        return found

    def check_reserve(self) -> None:
        """Every --reserve path exists (checked before anything runs; read only when needed).

        Raises:
            UsageError: a path is missing.
        """
        for path in self.reserve:
            if path != Path("-") and not path.exists():
                raise UsageError(f"{display(path)}: error: --reserve: no such file or directory")


def _unnamed(root: Path, source: Path | None, *, flag: bool) -> None:
    """Refuse a shared registry without a name for this project in it.

    The name comes from ``owner``, ``--owner`` or ``[project] name``. The folder's name is no
    name there: projects in folders of one name (``deploy``, ``k8s``) would be one owner, and
    each would take the other's nodePorts into its lock and release them with
    ``svcgen lock prune``.

    Raises:
        UsageError: the registry was given with ``--registry``.
        SettingsError: it was given in ``[tool.svcgen]``.
    """
    why = (
        "the registry needs this project's own name in it, and the folder's "
        f"({one_line(root.name)}) may be "
        "another project's too (each would then release the other's nodePorts)"
    )
    if flag:
        raise UsageError(
            f"--registry: error: {why}. Fix: add --owner NAME, a name no other project uses"
        )
    raise SettingsError(
        f"{display(source or root)}: error: registry is set but owner is not: {why}. Fix: add "
        'owner = "NAME" to [tool.svcgen], a name no other project uses (or give [project] a name)'
    )


def _check_registry(spec: str, where: str, error: type[SvcgenError]) -> None:
    """The registry spec as the registry itself parses it (one rule), said for where it was given.

    ``error``: UsageError for ``--registry`` (exit code 2), SettingsError for ``[tool.svcgen]``.
    """
    from svcgen.registry import RegistryError, RegistrySpec

    try:
        RegistrySpec.parse(spec)
    except RegistryError as exc:  # its message, escaped, with where the spec was given
        raise error(f"{where} {str(exc).removeprefix('svcgen: error: registry ')}") from None


def _start(path: Path) -> Path:
    """The folder a path stands for: a file's folder; a folder (or a path not made yet) itself."""
    try:
        path = path.resolve()
    except (
        OSError,
        RuntimeError,
    ):  # a symbolic link loop (RuntimeError before Python 3.13): a file's name
        return Path(os.path.abspath(path)).parent
    return path.parent if path.is_file() else path


def _folders_up(start: Path) -> list[Path]:
    """``start`` and the folders above it, up to a repository's root (a folder holding ``.git``).

    Never a shared folder above ``start`` (world-writable and sticky: ``/tmp``, ``/var/tmp``):
    anyone may have put a ``svcgen.lock`` or a ``pyproject.toml`` there, and a project outside git
    would take it.
    """
    folders = []
    for folder in (start, *start.parents):
        if folder != start and _shared_folder(folder):
            break
        folders.append(folder)
        if (folder / ".git").exists():
            break
    return folders


def _shared_folder(folder: Path) -> bool:
    """World-writable with the sticky bit: a folder where every user makes files.

    A tree chmod 777 is not one.
    """
    try:
        return os.stat(folder).st_mode & 0o1002 == 0o1002
    except OSError:
        return False


def has_settings(folder: Path) -> bool:
    """Whether ``folder`` holds a ``pyproject.toml`` with a ``[tool.svcgen]`` table.

    Raises:
        SettingsError: that file cannot be read.
    """
    candidate = _pyproject(folder)
    return candidate is not None and _read_table(candidate)[0] is not None


def is_project_root(folder: Path) -> bool:
    """Whether ``folder`` is a project's root.

    It is when it holds a ``svcgen.lock`` or ``[tool.svcgen]`` settings.
    """
    return (folder / LOCK_FILE_NAME).is_file() or has_settings(folder)


def project_root(path: str | Path) -> Path:
    """The root of the project that ``path`` (a file or a folder) belongs to.

    Found as :meth:`Settings.find` finds it.
    """
    start = _start(Path(path))
    return next((folder for folder in _folders_up(start) if is_project_root(folder)), start)


def _project_table(
    start: Path, *, need_name: bool
) -> tuple[Path, dict[str, Any], Path | None, str]:
    """The project root for ``start``, its ``[tool.svcgen]`` table, ``pyproject.toml`` and name.

    The root is the nearest folder at or above ``start`` with a ``[tool.svcgen]`` table or a
    ``svcgen.lock`` (else ``start``). The name is the ``[project] name`` of the root's own
    ``pyproject.toml`` ("" if none, or if not ``need_name`` and the root has no table: the name
    only matters to a registry).
    """
    for folder in _folders_up(start):
        candidate = _pyproject(folder)
        if candidate is not None:
            table, project = _read_table(candidate)
            if table is not None:
                return folder, table, candidate, project
        if (folder / LOCK_FILE_NAME).is_file():
            return folder, {}, None, _project_name(folder) if need_name else ""
    return start, {}, None, _project_name(start) if need_name else ""


def _project_name(folder: Path) -> str:
    """The ``[project] name`` of the ``pyproject.toml`` in the project's own folder ("" if none).

    Not one above it: the projects of one repository would share that name, and be one owner
    in a registry.
    """
    candidate = _pyproject(folder)
    if candidate is not None:
        return _read_table(candidate)[1]
    return ""


def _pyproject(folder: Path) -> Path | None:
    """The folder's ``pyproject.toml``, None when there is none.

    Anything of that name counts, so that one that cannot be read is said (:func:`_read_table`
    refuses a pipe, a device, a folder): a project whose settings were skipped would move its
    nodePorts to another range or start another lock file.

    Raises:
        SettingsError: a symbolic link to nothing.
    """
    candidate = folder / "pyproject.toml"
    if candidate.is_file():
        return candidate
    if not os.path.lexists(candidate):
        return None
    if not os.path.exists(candidate):  # a link to nothing (or a loop)
        target = ""
        with contextlib.suppress(OSError):
            target = f" (to {os.readlink(candidate)})"
        raise SettingsError(
            f"{display(candidate)}: error: cannot read: a symbolic link{target} that leads to no "
            "file; its [tool.svcgen] settings would be ignored. Fix: restore the file it points "
            "to, or remove the link"
        )
    return candidate


def _read_table(path: Path) -> tuple[dict[str, Any] | None, str]:
    try:
        text = read_file(path).decode("utf-8")
    except FileRefusedError as exc:
        raise SettingsError(
            f"{display(path)}: error: cannot read: {exc.reason}. Fix: {exc.hint}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{display(path)}: error: cannot read: {exc}") from None
    # Always parsed: whatever a shortcut (a search for "svcgen") missed would silently drop the
    # settings.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        fix = (
            "save it without the byte order mark it starts with"
            if text.startswith("\ufeff")
            else "correct the TOML there"
        )
        raise SettingsError(
            f"{display(path)}: error: cannot read: {exc}. Fix: {fix} (svcgen reads [tool.svcgen] "
            "only from a file TOML accepts, as pip does)"
        ) from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise SettingsError(
            f"{display(path)}: error: cannot read: arrays or inline tables are nested too deeply "
            "for Python's TOML reader; nest them less deeply"
        ) from None
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    tool = data.get("tool")
    table = tool.get("svcgen") if isinstance(tool, dict) else None
    if table is None:
        return None, name if isinstance(name, str) else ""
    if not isinstance(table, dict):
        raise SettingsError(f"{display(path)}: error: [tool.svcgen] must be a table")
    return table, name if isinstance(name, str) else ""


def _table_values(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """The table's values, checked: ``node-port-range`` parsed, ``lock``, ``reserve`` as given."""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise SettingsError(
            f"{display(path)}: error: [tool.svcgen] has unknown key {unknown[0]!r}; "
            f"known keys: {', '.join(sorted(_KEYS))}"
        )
    values = dict(table)
    if "node-port-range" in table:
        value = table["node-port-range"]
        if not isinstance(value, str):
            raise SettingsError(
                f"{display(path)}: error: [tool.svcgen] node-port-range must be a string like "
                '"30000-32767"'
            )
        try:
            values["node-port-range"] = NodePortRange.parse(value)
        except ValueError as exc:
            raise SettingsError(
                f"{display(path)}: error: [tool.svcgen] node-port-range: {exc}"
            ) from None
    if "kubernetes-version" in table:
        version = table["kubernetes-version"]
        try:
            values["kubernetes-version"] = (
                KubeVersion.parse(version) if isinstance(version, str) else None
            )
        except ValueError as exc:
            raise SettingsError(
                f"{display(path)}: error: [tool.svcgen] kubernetes-version: {exc}"
            ) from None
        if values["kubernetes-version"] is None:
            raise SettingsError(
                f"{display(path)}: error: [tool.svcgen] kubernetes-version must be a string like "
                '"1.36"'
            )
    for key, parse in (("allocate-from", NodePortRange.parse),):
        if key in table:
            try:
                values[key] = parse(table[key]) if isinstance(table[key], str) else None
            except ValueError as exc:
                raise SettingsError(f"{display(path)}: error: [tool.svcgen] {key}: {exc}") from None
            if values[key] is None:
                raise SettingsError(
                    f'{path}: error: [tool.svcgen] {key} must be a string like "30100-30199"'
                )
    for key in ("reserve-cluster", "registry", "owner"):
        if key in table and not isinstance(table[key], str):
            raise SettingsError(f"{display(path)}: error: [tool.svcgen] {key} must be a string")
    if "registry" in table:
        _check_registry(
            table["registry"], f"{display(path)}: error: [tool.svcgen] registry", SettingsError
        )
    lock = table.get("lock", LOCK_FILE_NAME)
    if not isinstance(lock, str) or not lock:
        raise SettingsError(f"{display(path)}: error: [tool.svcgen] lock must be a file path")
    reserve = table.get("reserve", [])
    if not isinstance(reserve, list) or not all(isinstance(r, str) for r in reserve):
        raise SettingsError(
            f"{display(path)}: error: [tool.svcgen] reserve must be a list of paths"
        )
    return values
