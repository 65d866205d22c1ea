"""Project settings from ``pyproject.toml``'s ``[tool.svcgen]`` table.

```toml
[tool.svcgen]
node-port-range = "30000-32767"   # the cluster's --service-node-port-range
lock = "svcgen.lock"              # relative to pyproject.toml
reserve = ["cluster/services.yaml"]
```

The nearest ``pyproject.toml`` above the first path given to svcgen is the project file; a
``[tool.svcgen]`` table in it makes its folder the project root (the lock file's home).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svcgen.errors import SvcgenError
from svcgen.portrange import NodePortRange

__all__ = ["LOCK_FILE_NAME", "ConfigError", "Settings", "find_settings"]

LOCK_FILE_NAME = "svcgen.lock"
_KEYS = {"node-port-range", "lock", "reserve"}


class ConfigError(SvcgenError):
    """``[tool.svcgen]`` is malformed."""


@dataclass(frozen=True)
class Settings:
    """Where the lock lives, the nodePort range, and the manifests whose nodePorts are taken."""

    root: Path
    lock: Path
    node_port_range: NodePortRange | None = None
    reserve: tuple[Path, ...] = field(default_factory=tuple)
    source: Path | None = None


def _start(path: Path) -> Path:
    path = path.resolve()
    return path if path.is_dir() else path.parent


def find_settings(first_path: str) -> Settings:
    """The settings that apply to a run whose first FILE_OR_DIR is ``first_path``."""
    start = _start(Path(first_path))
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _table(candidate)
            if table is not None:
                return _settings(candidate, table)
            break
    return Settings(root=start, lock=start / LOCK_FILE_NAME)


def _table(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: error: cannot read: {exc}") from None
    table = data.get("tool", {}).get("svcgen")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: error: [tool.svcgen] must be a table")
    return table


def _settings(path: Path, table: dict[str, Any]) -> Settings:
    root = path.parent
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{path}: error: [tool.svcgen] has unknown key {unknown[0]!r}; "
                          f"known keys: {', '.join(sorted(_KEYS))}")
    node_port_range = None
    if "node-port-range" in table:
        value = table["node-port-range"]
        try:
            node_port_range = NodePortRange.parse(value) if isinstance(value, str) else None
        except ValueError as exc:
            raise ConfigError(f"{path}: error: [tool.svcgen] node-port-range: {exc}") from None
        if node_port_range is None:
            raise ConfigError(f'{path}: error: [tool.svcgen] node-port-range must be a string like "30000-32767"')
    lock = table.get("lock", LOCK_FILE_NAME)
    if not isinstance(lock, str) or not lock:
        raise ConfigError(f"{path}: error: [tool.svcgen] lock must be a file path")
    reserve = table.get("reserve", [])
    if not isinstance(reserve, list) or not all(isinstance(r, str) for r in reserve):
        raise ConfigError(f"{path}: error: [tool.svcgen] reserve must be a list of paths")
    return Settings(root=root, lock=root / lock, node_port_range=node_port_range,
                    reserve=tuple(root / r for r in reserve), source=path)
