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

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from svcgen.errors import EXIT_INVALID, EXIT_USAGE, SvcgenError, one_line, plural
from svcgen.files import FileRefusedError, display, read_file, write_atomic
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock
from svcgen.nodeports.lockfile import LockConflictError, LockFileError, format_lock, parse_lock

__all__ = [
    "MAX_ATTEMPTS",
    "Registry",
    "RegistryConflictError",
    "RegistryError",
    "RegistrySpec",
    "claim",
    "git_environment",
]

MAX_ATTEMPTS = 8
"""How many times a rejected push is retried (fetch, allocate, push) before giving up."""

GIT_TIMEOUT = 120
"""Seconds one git command may take (a clone or a fetch over a slow network included)."""

PROTOCOLS = ("file", "git", "http", "https", "ssh")
"""The transports the registry's git may use: never ``ext::`` (runs a command) nor ``fd::``."""

# The GIT_* variables of the user's environment that the registry's git keeps: how to reach and
# authenticate to a server, who commits, which user-level config files to read, tracing. Every other
# one is dropped: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY, GIT_COMMON_DIR,
# GIT_NAMESPACE, GIT_CONFIG_PARAMETERS (a parent ``git -c``) and the like are set by a git hook, or
# by
# the user for their own repository, and would point the registry's git at that repository.
_KEPT_GIT_VARIABLES = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_ASKPASS",
        "GIT_PROXY_COMMAND",
        "GIT_EXEC_PATH",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_REDACT_COOKIES",
    }
)
_KEPT_GIT_PREFIXES = ("GIT_TRACE", "GIT_SSL_", "GIT_HTTP_", "GIT_CURL_", "GIT_PROXY_SSL_")


class RegistryError(SvcgenError):
    """The registry cannot be fetched, read or pushed to: exit code 2.

    Its URL or path, git or the network is at fault.
    """

    exit_code = EXIT_USAGE


class RegistryConflictError(RegistryError):
    """The registry holds what this project claims, or kept changing under it: exit code 1.

    A conflict to fix.
    """

    exit_code = EXIT_INVALID


def git_environment(ceiling: Path | None) -> dict[str, str]:
    """The environment of svcgen's git: the user's, without what would lead git to another repo.

    git finds the repository from the folder it runs in (the registry's copy; the lock file's
    folder for ``lock resolve``), not from a ``GIT_DIR`` that a git hook or alias exported; it does
    not look for one above ``ceiling`` (None: the user's ``GIT_CEILING_DIRECTORIES``), never prompts
    on the terminal, reads pathspecs literally, and uses only the transports of :data:`PROTOCOLS`
    (or the user's own ``GIT_ALLOW_PROTOCOL`` list, still without ``ext`` and ``fd``).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_")
        or key in _KEPT_GIT_VARIABLES
        or key.startswith(_KEPT_GIT_PREFIXES)
    }
    allowed = os.environ.get("GIT_ALLOW_PROTOCOL", ":".join(PROTOCOLS)).split(":")
    ceilings = os.environ.get("GIT_CEILING_DIRECTORIES", "") if ceiling is None else str(ceiling)
    env.update(
        GIT_ALLOW_PROTOCOL=":".join(p for p in allowed if p not in ("ext", "fd")),
        GIT_CEILING_DIRECTORIES=ceilings,
        GIT_TERMINAL_PROMPT="0",
        GIT_LITERAL_PATHSPECS="1",
        LC_ALL="C",
    )
    return env


@dataclass(frozen=True)
class RegistrySpec:
    """``GIT_URL#PATH``: a git repository and the lock file in it."""

    url: str
    path: str

    @classmethod
    def parse(cls, text: str) -> RegistrySpec:
        """Read ``GIT_URL#PATH``.

        Raises:
            RegistryError: not of that form; a URL git would take for an option (``-...``) or with a
                transport that runs commands (``ext::``, ``fd::``); a PATH outside the repository or
                in its ``.git`` folder; control characters or bytes that are not UTF-8.
        """
        url, _, path = text.rpartition("#")
        parts = Path(path).parts
        transport = url.partition("::")[0].lower() if "::" in url else ""
        if (
            not url
            or not parts
            or path.startswith("/")
            or ".." in parts
            or any(p.lower() == ".git" for p in parts)
            or url.startswith("-")
            or transport in ("ext", "fd")
            or not text.isprintable()
        ):
            raise RegistryError(
                f'svcgen: error: registry "{one_line(text)}": expected GIT_URL#PATH with a URL '
                "git reaches over file, git, http(s) or ssh and a relative PATH inside the "
                "repository (not in .git), e.g. "
                "git@example.com:platform/ports.git#clusters/prod.lock"
            )
        if _is_local_path(url) and not os.path.isabs(url):
            raise RegistryError(
                f'svcgen: error: registry "{one_line(text)}": the URL is a relative path, which '
                "git takes relative to the folder svcgen is run from (from another folder: "
                "another repository). Fix: give the registry's absolute path"
            )
        return cls(url, path)

    def __str__(self) -> str:
        return f"{self.url}#{self.path}"


class Registry:
    """The local clone of a registry repository.

    Every git command names the clone's ``--git-dir`` and ``--work-tree`` and runs in
    :func:`git_environment`: whatever the user's environment (a git hook's ``GIT_INDEX_FILE``, an
    exported ``GIT_DIR``) or the state of the clone, git acts on the clone and nothing else.
    """

    def __init__(self, spec: RegistrySpec, cache_root: Path) -> None:
        self.spec = spec
        self.cache_root = Path(
            os.path.abspath(cache_root)
        )  # git runs inside the clone: no relative paths
        self.dir = self.cache_root / hashlib.sha256(spec.url.encode()).hexdigest()[:16]
        self.branch = "main"
        self.offline = False

    def _run(
        self, command: str, args: list[str], cwd: Path | None
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                args,
                cwd=cwd,
                env=git_environment(self.cache_root),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="surrogateescape",  # paths as os gives them
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: the registry needs git, which is not "
                "installed (or not on PATH); nothing was written. Fix: install git"
            ) from None
        except subprocess.TimeoutExpired:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: git {command} took more than {GIT_TIMEOUT} "
                "s; nothing was written. Fix: check the URL and the network (or the ssh key and "
                "agent: git may not prompt for a password here)"
            ) from None

    def _git(
        self, *args: str, check: bool = True, config: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        """Run git on the clone, never a hook of it nor of the user's templates.

        ``config``: ``NAME=VALUE``s.
        """
        options = [f"--git-dir={self.dir / '.git'}", f"--work-tree={self.dir}"]
        for setting in (f"core.hooksPath={os.devnull}", *config):
            options += ["-c", setting]
        result = self._run(args[0], ["git", *options, *args], self.dir)
        if check and result.returncode != 0:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: git {args[0]} failed: "
                f"{_one(result.stderr) or result.returncode}"
            )
        return result

    def sync(self) -> None:
        """Fetch the registry (clone it the first time); without network, keep the last copy.

        Raises:
            RegistryError: no copy yet and the registry cannot be cloned; the copy is damaged (it
                names the folder to remove).
        """
        if not os.path.lexists(self.dir):
            self._clone()
        self._check_clone()
        if self._git("fetch", "--quiet", "--prune", "origin", check=False).returncode != 0:
            self.offline = True
        # the registry's default branch, as it is now (it may have been renamed or moved since the
        # clone)
        else:
            self._git("remote", "set-head", "origin", "--auto", check=False)
        branches = self._git(
            "for-each-ref", "--format=%(refname:short)", "refs/remotes/origin"
        ).stdout.split()
        names = [
            b.removeprefix("origin/") for b in branches if b != "origin/HEAD" and b != "origin"
        ]
        head = (
            self._git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False)
            .stdout.strip()
            .removeprefix("origin/")
        )
        if (
            not names and not self.offline
        ):  # empty: the first claim makes the branch the registry's HEAD names
            head = self._unborn_head()
        # a branch that is gone is not the registry's: an empty registry is one without any branch
        self.branch = (
            head
            if head in names or (head and not names)
            else next((b for b in ("main", "master") if b in names), names[0] if names else "main")
        )
        if f"origin/{self.branch}" in branches:
            self._git("checkout", "--quiet", "-B", self.branch, f"origin/{self.branch}")
            self._git("reset", "--quiet", "--hard", f"origin/{self.branch}")
        # an empty repository: the first claim makes its first commit (a rejected one is forgotten)
        else:
            self._git("symbolic-ref", "HEAD", f"refs/heads/{self.branch}")
            self._git("update-ref", "-d", f"refs/heads/{self.branch}", check=False)
            self._git("read-tree", "--empty")
        self._git("clean", "-fdxq")

    def _clone(self) -> None:
        """Clone into a new folder and move it into place: a clone cut short leaves no half copy."""
        try:
            self.cache_root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".clone-", dir=self.cache_root))
        except OSError as exc:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: cannot make its local copy in "
                f"{display(self.cache_root)}: {exc.strerror}; nothing was written"
            ) from None
        try:
            # no template (the user's init.templateDir may hold hooks, or a config with
            # core.fsmonitor), no hook;
            # the remote is origin whatever clone.defaultRemoteName says
            result = self._run(
                "clone",
                [
                    "git",
                    "-c",
                    f"core.hooksPath={os.devnull}",
                    "clone",
                    "--quiet",
                    "--template=",
                    "--origin=origin",
                    "--",
                    self.spec.url,
                    str(staging),
                ],
                None,
            )
            if result.returncode != 0:
                if self._missing_path():
                    raise RegistryError(
                        f"svcgen: error: registry {self.spec} {self.unreachable()}; nothing was "
                        f"written. Fix: {self.reach_fix()}"
                    )
                raise RegistryError(
                    f"svcgen: error: registry {self.spec} cannot be fetched, and there is no copy "
                    f"of it here yet: {_one(result.stderr)}; nothing was written"
                )
            with contextlib.suppress(
                OSError
            ):  # another svcgen cloned it meanwhile: its copy is as good
                staging.rename(self.dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _unborn_head(self) -> str:
        """The branch an empty registry's HEAD names, which its first commit must make.

        "" when it cannot be asked. ``git init --bare`` names ``master`` or ``main``
        (``init.defaultBranch``), a git server its own default: a first claim pushed to another
        branch leaves a registry that clones as nothing ("remote HEAD refers to nonexistent
        ref"). Only a clone asks (protocol v2 says the branch of an unborn HEAD; ``ls-remote``
        does not): an empty repository is cloned into a scratch folder, with protocol v2 whatever
        the user's ``protocol.version``. A server that does not say (git before 2.31, dumb HTTP)
        gets "main", never the user's ``init.defaultBranch``.
        """
        try:
            scratch = Path(tempfile.mkdtemp(prefix=".head-", dir=self.cache_root))
        except OSError:
            return ""
        try:
            clone = scratch / "registry.git"
            result = self._run(
                "clone",
                [
                    "git",
                    "-c",
                    f"core.hooksPath={os.devnull}",
                    "-c",
                    "init.defaultBranch=main",
                    "-c",
                    "protocol.version=2",
                    "clone",
                    "--quiet",
                    "--bare",
                    "--template=",
                    "--",
                    self.spec.url,
                    str(clone),
                ],
                None,
            )
            if result.returncode != 0:
                return ""
            ref = self._run(
                "symbolic-ref",
                ["git", f"--git-dir={clone}", "symbolic-ref", "--quiet", "HEAD"],
                None,
            ).stdout.strip()
            return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _missing_path(self) -> bool:
        """Whether the registry is a path on this machine that does not exist.

        Moved, removed or unmounted.
        """
        return _is_local_path(self.spec.url) and not os.path.exists(self.spec.url)

    def unreachable(self) -> str:
        """Why the registry cannot be reached, as a message says it after the registry's name."""
        if self._missing_path():
            return f"cannot be reached: its path {one_line(self.spec.url)} does not exist"
        return "cannot be reached"

    def reach_fix(self) -> str:
        """How to reach it again."""
        if self._missing_path():
            return (
                "give the registry's current path (registry in [tool.svcgen], or --registry), or "
                "restore the folder"
            )
        return "retry with network"

    def _check_clone(self) -> None:
        """The copy is a real clone of this registry (checked before git resets anything in it).

        Raises:
            RegistryError: it is not, naming the folder to remove.
        """
        git_dir = self.dir / ".git"
        problem = ""
        if (
            self.dir.is_symlink()
            or not self.dir.is_dir()
            or git_dir.is_symlink()
            or not git_dir.is_dir()
        ):
            problem = "is not a plain folder holding a .git folder"
        elif (
            result := self._git("rev-parse", "--git-dir", "--git-common-dir", check=False)
        ).returncode != 0:
            problem = f"is not a git repository git can read ({_one(result.stderr)})"
        elif {(self.dir / line).resolve() for line in result.stdout.splitlines()} != {
            git_dir.resolve()
        }:
            # a .git/commondir file: the refs and objects of another repository
            problem = f"shares the refs and objects of {_one(result.stdout.splitlines()[-1])}"
        else:
            url = self._git(
                "config", "--local", "--get", "remote.origin.url", check=False
            ).stdout.strip()
            names = self._git(
                "config", "--local", "--list", "--name-only", check=False
            ).stdout.splitlines()
            added = sorted({name for name in names if not _CLONE_SETTINGS.fullmatch(name)})
            if not _same_url(url, self.spec.url):
                problem = f"is a clone of {url or 'nothing'}, not of the registry"
            # remote.origin.pushurl, url.*.insteadOf: another repository; core.fsmonitor: a command
            elif added:
                problem = f"has settings that git clone does not write ({_one(', '.join(added))})"
        if problem:
            folder = display(self.dir)
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: its local copy {one_line(folder)} "
                f"{problem}; nothing was written. Fix: remove that folder (rm -rf "
                f"{one_line(shlex.quote(folder))}); the next run clones the registry again"
            )

    def _file(self) -> Path:
        """The registry file in the clone, refusing a symbolic link anywhere on its path.

        A link would lead svcgen out of its copy (writing another file) or nowhere (reading an
        empty registry, and handing out ports that other projects own).

        Raises:
            RegistryError: a link, or something else than a file where the registry file is.
        """
        path = self.dir
        for part in Path(self.spec.path).parts:
            path = path / part
            if path.is_symlink():
                raise RegistryError(
                    f"svcgen: error: registry {self.spec}: {path.relative_to(self.dir)} is a "
                    "symbolic link in the registry repository; svcgen does not follow links out of "
                    "its copy; nothing was written. Fix: in the registry repository, replace the "
                    "link with the lock file itself (git rm the link, commit the file)"
                )
        if path.exists() and not path.is_file():
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: {self.spec.path} is not a file in the "
                "registry repository; nothing was written. Fix: point PATH at the lock file"
            )
        return path

    def read(self, node_port_range: NodePortRange) -> Lock:
        """Every entry of the registry, with its owner (empty before the first claim).

        Raises:
            RegistryError: the file cannot be read (or is a link).
            LockFileError: it is not a valid lock file; the fix is made in the registry repository.
        """
        try:
            text = read_file(self._file(), follow_links=False).decode("utf-8")
        except FileNotFoundError:
            return Lock()
        except FileRefusedError as exc:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: cannot read {self.spec.path}: {exc.reason}. "
                f"Fix: {exc.hint}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: cannot read: {exc}"
            ) from None
        try:
            return parse_lock(text, str(self.spec), node_port_range)
        except (
            LockConflictError
        ) as exc:  # its fix names a local file: this one is in the registry repository
            raise LockFileError(
                f"{str(exc).partition(' Fix: ')[0]} Fix: in a clone of the registry repository, "
                f"svcgen lock resolve --lock {self.spec.path} (or edit the file by hand), then "
                "commit and push"
            ) from None
        except LockFileError as exc:
            problem, restore, _ = str(exc).partition(" Fix: restore it from version control")
            if not restore:
                raise
            raise LockFileError(
                f"{problem} Fix: in the registry repository, restore the file from its history "
                f"(git revert the commit that broke it, or git checkout GOOD_COMMIT -- "
                f"{self.spec.path}), then commit and push; do not delete it: it holds every "
                "project's claims"
            ) from None

    def others(self, owner: str, node_port_range: NodePortRange) -> Lock:
        """Entries of every project but ``owner`` in the copy as last fetched: no git, no network.

        Empty when there is no copy yet.

        Raises:
            RegistryError, LockFileError: as :meth:`read`.
        """
        if not self.dir.is_dir():
            return Lock()
        shared = self.read(node_port_range)
        return shared.without(set(shared.owned_by(owner).entries))

    def push(self, registry: Lock, message: str) -> bool:
        """Commit ``registry`` and push it; False when another project pushed first.

        Raises:
            RegistryError: the push failed otherwise (the server refused it: its message is
                quoted; no network; no permission).
        """
        file = self._file()
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(file, format_lock(registry))
        except OSError as exc:
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: cannot write {self.spec.path} in its local "
                f"copy {display(self.dir)}: {exc.strerror}; nothing was written"
            ) from None
        self._git("add", "--", self.spec.path)
        identity = (
            ()
            if self._git("config", "user.email", check=False).stdout.strip()
            else ("user.name=svcgen", "user.email=svcgen@localhost")
        )
        self._git("commit", "--quiet", "--no-verify", "-m", message, config=identity)
        result = self._git(
            "push", "--porcelain", "origin", f"HEAD:refs/heads/{self.branch}", check=False
        )
        if result.returncode == 0:
            return True
        status = _push_status(result.stdout)
        if status is None:  # no network, no access: git says why
            raise RegistryError(
                f"svcgen: error: registry {self.spec}: git push failed: {_one(result.stderr)}"
                "; nothing was written"
            )
        if status.startswith("[rejected]") or any(race in status for race in _LOST_RACE):
            return False
        said = "; ".join(
            one_line(text)
            for line in result.stderr.splitlines()
            if line.startswith("remote:") and (text := line.removeprefix("remote:").strip())
        )
        raise RegistryError(
            f"svcgen: error: registry {self.spec}: the registry repository refused the push: "
            f"{status}{f': {said}' if said else ''}; nothing was written. Fix: what the "
            "repository says, or ask its maintainers (this is not another project pushing first)"
        )


_CLONE_SETTINGS = re.compile(
    r"core\.(repositoryformatversion|filemode|bare|logallrefupdates|ignorecase|precomposeunicode|symlinks)|extensions\.(objectformat|refstorage)|remote\.origin\.(url|fetch|followremotehead)|branch\.[^\n]*\.(remote|merge)|lfs\.repositoryformatversion",
    re.IGNORECASE,
)
"""The settings of a copy's own config: what ``git clone`` writes (a sha256 or reftable repository,
newer
gits, git-lfs included), and the branch svcgen checks out tracks. None of them names a command or
another
repository."""

_LOST_RACE = ("failed to update ref", "failed to lock", "cannot lock ref", "incorrect old value")
"""How a receiving git says that the branch moved while it took the push: another push came
first."""


def _push_status(porcelain: str) -> str | None:
    """The summary of the rejected ref in ``git push --porcelain`` output (None without one).

    ``[rejected] (fetch first)`` or ``(non-fast-forward)``: another push came first;
    ``[remote rejected] (pre-receive hook declined)`` and the like: the repository refused it.
    """
    for line in porcelain.splitlines():
        flag, _, rest = line.partition("\t")
        if flag == "!":
            return one_line(rest.partition("\t")[2])
    return None


def _is_local_path(url: str) -> bool:
    """Whether git takes ``url`` for a path here: no ``://`` nor ``::``, no ``host:`` before ``/``.

    ``host:`` is the scp-like form.
    """
    host, colon, _ = url.partition(":")
    return "://" not in url and "::" not in url and (not colon or "/" in host)


def _same_url(stored: str, url: str) -> bool:
    """``remote.origin.url`` of a clone of ``url`` (git keeps a local path as an absolute one)."""
    return stored == url or (
        os.path.isabs(stored) and Path(stored).resolve() == Path(url).resolve()
    )


def _one(text: str) -> str:
    """What git printed, on one line."""
    return one_line(" ".join(text.split()))


def _message(owner: str, before: Lock, after: Lock) -> str:
    """``svcgen: OWNER claims N nodePorts`` and one line per changed entry."""
    mine_before, mine_after = before.owned_by(owner), after.owned_by(owner)
    added = {k: v for k, v in mine_after.entries.items() if mine_before.get(k) != v}
    removed = {k: v for k, v in mine_before.entries.items() if mine_after.get(k) != v}
    verb = (
        f"claims {plural(len(added), 'nodePort')}"
        if added
        else f"releases {plural(len(removed), 'nodePort')}"
    )
    lines = [f"+ {k}: {v}" for k, v in sorted(added.items())] + [
        f"- {k}: {v}" for k, v in sorted(removed.items())
    ]
    return f"svcgen: {owner} {verb}\n\n" + "\n".join(lines) + "\n"


def claim(
    registry: Registry,
    owner: str,
    node_port_range: NodePortRange,
    allocate: Callable[[Lock], Lock],
    *,
    push: bool = True,
    on_retry: Callable[[int], None] | None = None,
) -> tuple[Lock, bool]:
    """Allocate against the registry and record ``owner``'s entries in it.

    ``allocate`` gets the registry and returns the project's own lock after allocation (it raises
    on any problem: then nothing is pushed). With ``push`` False nothing is pushed. Returns the
    own lock and whether the registry had to change.

    Raises:
        RegistryError: ``owner`` is not printable UTF-8 text; the registry changed but cannot be
            pushed (offline, refused).
        RegistryConflictError: another project holds one of the entries, or pushed first
            ``MAX_ATTEMPTS`` times.
    """
    _check_owner(registry, owner)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        shared = registry.read(node_port_range)
        own = allocate(shared)
        taken = sorted(
            f"{key} ({shared.owners[key]})"
            for key in own.entries
            if shared.owners.get(key) not in (None, owner)
        )
        if taken:
            raise RegistryConflictError(
                f"svcgen: error: registry {registry.spec}: {', '.join(taken)} already claimed by "
                "another project; "
                f"{owner} declares the same Service port, and one cluster has one Service of a "
                "name per namespace; nothing was written. Fix: rename the Service or move it to "
                "another namespace, or have the other project release it (svcgen lock prune)"
            )
        updated = shared.with_claims(owner, own)
        if updated == shared:
            return own, False
        if not push:
            return own, True
        if registry.offline:
            raise RegistryError(
                f"svcgen: error: registry {registry.spec} {registry.unreachable()}, so {owner}'s "
                "new "
                f"claims cannot be recorded; nothing was written. Fix: {registry.reach_fix()}"
            )
        if registry.push(updated, _message(owner, shared, updated)):
            return own, True
        if attempt < MAX_ATTEMPTS:
            if on_retry is not None:
                on_retry(attempt)
            registry.sync()
    raise RegistryConflictError(
        f"svcgen: error: registry {registry.spec}: another project pushed first "
        f"{MAX_ATTEMPTS} times in a row; nothing was written. Fix: run again"
    )


def _check_owner(registry: Registry, owner: str) -> None:
    """The owner is written into the registry and its commits: printable text.

    No control character, and no byte of a folder name that is not UTF-8.
    """
    if owner.isprintable():
        return
    shown = one_line(owner.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    raise RegistryError(
        f'svcgen: error: registry {registry.spec}: the project\'s name in the registry, "{shown}", '
        "is not printable UTF-8 text (it is --owner, else [tool.svcgen] owner, else [project] "
        "name, "
        'else the project folder\'s name); nothing was written. Fix: set owner = "NAME" in '
        "[tool.svcgen] of pyproject.toml, or give --owner NAME"
    )
