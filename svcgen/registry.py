"""A shared registry of nodePorts on git: one lock file per cluster that every project claims into.

``registry = "GIT_URL#PATH"``: PATH is a svcgen lock file (with ``owners``) in any git
repository the user can push to; svcgen creates it on first use. A render fetches the
registry, reserves every entry of another project, allocates, and when its own entries change
commits them and pushes. A rejected push (another project pushed first) means: fetch again,
allocate again, push again, a bounded number of times. git does the work (the real ``git``
command): the history of the file is the review trail of every claim.

Commit messages: ``svcgen: OWNER claims N nodePorts`` (or ``releases``), then one line per
changed entry, ``+ NAMESPACE/SERVICE/PORT/PROTOCOL: NODEPORT`` or ``- ...``.

The local copy lives in ``.svcgen/registry/`` next to the project's lock file (keep it out of
version control); with no network, a render that claims nothing works from it and says so.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from svcgen.errors import UsageError
from svcgen.files import write_atomic
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.lockfile import format_lock, parse_lock

__all__ = ["MAX_ATTEMPTS", "Registry", "RegistryError", "RegistrySpec", "claim"]

MAX_ATTEMPTS = 8
"""How many times a rejected push is retried (fetch, allocate, push) before giving up."""

GIT_TIMEOUT = 120


class RegistryError(UsageError):
    """The registry cannot be fetched, read or pushed to."""


@dataclass(frozen=True)
class RegistrySpec:
    """``GIT_URL#PATH``: a git repository and the lock file in it."""

    url: str
    path: str

    @classmethod
    def parse(cls, text: str) -> RegistrySpec:
        url, _, path = text.rpartition("#")
        if not url or not path or path.startswith("/") or ".." in Path(path).parts:
            raise RegistryError(f'svcgen: error: registry "{text}": expected GIT_URL#PATH, e.g. '
                                "git@example.com:platform/ports.git#clusters/prod.lock")
        return cls(url, path)

    def __str__(self) -> str:
        return f"{self.url}#{self.path}"


class Registry:
    """The local clone of a registry repository."""

    def __init__(self, spec: RegistrySpec, cache_root: Path) -> None:
        self.spec = spec
        self.dir = cache_root / hashlib.sha256(spec.url.encode()).hexdigest()[:16]
        self.branch = "main"
        self.offline = False

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        try:
            result = subprocess.run(["git", *args], cwd=self.dir if self.dir.exists() else None, env=env,
                                    capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False)
        except FileNotFoundError:
            raise RegistryError("svcgen: error: the registry needs git, which is not installed") from None
        except subprocess.TimeoutExpired:
            raise RegistryError(f"svcgen: error: registry {self.spec}: git {args[0]} took more than "
                                f"{GIT_TIMEOUT} s") from None
        if check and result.returncode != 0:
            raise RegistryError(f"svcgen: error: registry {self.spec}: git {args[0]} failed: "
                                f"{' '.join(result.stderr.split()) or result.returncode}")
        return result

    def sync(self) -> None:
        """Fetch the registry (clone it the first time); without network, keep the last copy."""
        if not (self.dir / ".git").is_dir():
            self.dir.parent.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(["git", "clone", "--quiet", self.spec.url, str(self.dir)], capture_output=True,
                                    text=True, timeout=GIT_TIMEOUT, check=False,
                                    env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
            if result.returncode != 0:
                raise RegistryError(f"svcgen: error: registry {self.spec} cannot be fetched, and there is no copy "
                                    f"of it here yet: {' '.join(result.stderr.split())}; nothing was written")
        elif self._git("fetch", "--quiet", "--prune", "origin", check=False).returncode != 0:
            self.offline = True
        branches = self._git("for-each-ref", "--format=%(refname:short)", "refs/remotes/origin").stdout.split()
        names = [b.removeprefix("origin/") for b in branches if b != "origin/HEAD" and b != "origin"]
        head = self._git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False).stdout.strip()
        self.branch = head.removeprefix("origin/") if head else next(
            (b for b in ("main", "master") if b in names), names[0] if names else "main")
        if f"origin/{self.branch}" in branches:
            self._git("checkout", "--quiet", "-B", self.branch, f"origin/{self.branch}")
            self._git("reset", "--quiet", "--hard", f"origin/{self.branch}")
        else:  # an empty repository: the first claim makes its first commit (a rejected one is forgotten)
            self._git("symbolic-ref", "HEAD", f"refs/heads/{self.branch}")
            self._git("update-ref", "-d", f"refs/heads/{self.branch}", check=False)
            self._git("read-tree", "--empty")
        self._git("clean", "-fdxq")

    def read(self, node_port_range: NodePortRange) -> Lock:
        """Every entry of the registry, with its owner (empty before the first claim)."""
        file = self.dir / self.spec.path
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Lock()
        except (OSError, UnicodeDecodeError) as exc:
            raise RegistryError(f"svcgen: error: registry {self.spec}: cannot read: {exc}") from None
        return parse_lock(text, str(self.spec), node_port_range)

    def push(self, registry: Lock, message: str) -> bool:
        """Commit ``registry`` and push it; False when the push was rejected (someone pushed first)."""
        file = self.dir / self.spec.path
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(file, format_lock(registry))
        self._git("add", "--", self.spec.path)
        identity = [] if self._git("config", "user.email", check=False).stdout.strip() else [
            "-c", "user.name=svcgen", "-c", "user.email=svcgen@localhost"]
        self._git(*identity, "commit", "--quiet", "-m", message)
        result = self._git("push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch}", check=False)
        if result.returncode == 0:
            return True
        if "rejected" in result.stderr or "fetch first" in result.stderr or "non-fast-forward" in result.stderr:
            return False
        raise RegistryError(f"svcgen: error: registry {self.spec}: git push failed: {' '.join(result.stderr.split())}"
                            "; nothing was written")


def _message(owner: str, before: Lock, after: Lock) -> str:
    """``svcgen: OWNER claims N nodePorts`` and one line per changed entry."""
    mine_before, mine_after = before.owned_by(owner), after.owned_by(owner)
    added = {k: v for k, v in mine_after.entries.items() if mine_before.get(k) != v}
    removed = {k: v for k, v in mine_before.entries.items() if mine_after.get(k) != v}
    verb = f"claims {len(added)} nodePort{'s' if len(added) != 1 else ''}" if added else \
        f"releases {len(removed)} nodePort{'s' if len(removed) != 1 else ''}"
    lines = [f"+ {k}: {v}" for k, v in sorted(added.items())] + [f"- {k}: {v}" for k, v in sorted(removed.items())]
    return f"svcgen: {owner} {verb}\n\n" + "\n".join(lines) + "\n"


def claim(registry: Registry, owner: str, node_port_range: NodePortRange, allocate: Callable[[Lock], Lock], *,
          push: bool = True, on_retry: Callable[[int], None] | None = None) -> tuple[Lock, bool]:
    """Allocate against the registry and record ``owner``'s entries in it.

    ``allocate`` gets the registry and returns the project's own lock after allocation (it raises
    on any problem: then nothing is pushed). With ``push`` False nothing is pushed. Returns the
    own lock and whether the registry had to change.

    Raises:
        RegistryError: the registry changed but cannot be pushed (offline, refused, or rejected
            ``MAX_ATTEMPTS`` times).
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        shared = registry.read(node_port_range)
        own = allocate(shared)
        taken = sorted(f"{key} ({shared.owners[key]})" for key in own.entries
                       if shared.owners.get(key) not in (None, owner))
        if taken:
            raise RegistryError(f"svcgen: error: registry {registry.spec}: {', '.join(taken)} already claimed by "
                                f"another project; {owner} declares the same Service port, and one cluster has one "
                                "Service of a name per namespace; nothing was written. Fix: rename the Service or "
                                "move it to another namespace, or have the other project release it (svcgen lock "
                                "prune)")
        updated = shared.with_claims(owner, own)
        if updated == shared:
            return own, False
        if not push:
            return own, True
        if registry.offline:
            raise RegistryError(f"svcgen: error: registry {registry.spec} cannot be reached, so {owner}'s new claims "
                                "cannot be recorded; nothing was written. Fix: retry with network")
        if registry.push(updated, _message(owner, shared, updated)):
            return own, True
        if on_retry is not None:
            on_retry(attempt)
        registry.sync()
    raise RegistryError(f"svcgen: error: registry {registry.spec}: the push was rejected {MAX_ATTEMPTS} times (other "
                        "projects keep pushing, or the repository refuses the push); nothing was written")
