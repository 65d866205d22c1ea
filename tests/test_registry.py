"""The shared registry with the real git: claims, retries, offline work, and projects racing for
ports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HEADER, ROOT, run_cli

import svcgen.registry as registry_module
from svcgen.errors import one_line
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.lockfile import parse_lock
from svcgen.registry import (
    MAX_ATTEMPTS,
    Registry,
    RegistryError,
    RegistrySpec,
    claim,
    git_environment,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def app(name: str, ports: int = 2) -> str:
    exposed = ", ".join(f'c.port("p{i}").expose()' for i in range(ports))
    declared = ", ".join(f'Port("p{i}", {8000 + i})' for i in range(ports))
    return (
        HEADER + f'c = Container("{name}", ports=[{declared}])\n'
        f'app = App("{name}", namespace="{name}", labels={{"app": "{name}"}}, containers=[c], '
        "services=["
        f'Service("{name}", type="NodePort", ports=[{exposed}])])\n'
    )


def bare(tmp_path: Path) -> Path:
    repo = tmp_path / "registry.git"
    subprocess.run(
        ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(repo)], check=True
    )
    return repo


def project(tmp_path: Path, name: str, registry: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\n[tool.svcgen]\nregistry = "{registry}#clusters/prod.lock"\n'
    )
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


def registry_text(repo: Path) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", "main:clusters/prod.lock"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def log(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", str(repo), "log", "--format=%s%x00%P", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def render(folder: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = run_cli("render", *(args or ("app.py",)))
    finally:
        os.chdir(old)
    return result.code, result.out, result.err


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def test_the_first_claim_creates_the_registry_and_the_lock_follows_the_push(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 0, err
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert {str(k): v for k, v in registry.entries.items()} == {
        "billing/billing/p0/TCP": 30000,
        "billing/billing/p1/TCP": 30001,
    }
    assert set(registry.owners.values()) == {"billing"}
    (subject,) = log(repo)
    assert subject.startswith("svcgen: billing claims 2 nodePorts")
    body = subprocess.run(
        ["git", "--git-dir", str(repo), "log", "-1", "--format=%b", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "+ billing/billing/p0/TCP: 30000" in body
    lock = parse_lock((billing / "svcgen.lock").read_text(), "l", NodePortRange())
    assert lock.entries == registry.owned_by("billing").entries
    assert render(billing)[0] == 0 and len(log(repo)) == 1  # nothing new: no push


def test_another_project_takes_other_ports_and_ports_shows_the_whole_registry(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    shop = project(tmp_path, "shop", repo, {"app.py": app("shop", 3)})
    assert render(billing)[0] == 0
    code, out, err = render(shop)
    assert code == 0, err
    assert "nodePort: 30002" in out and "nodePort: 30000" not in out
    os.chdir(shop)
    table = run_cli("ports", "app.py").out
    assert "registry (billing)" in table and "registry (shop)" in table
    clash = project(
        tmp_path,
        "clash",
        repo,
        {"app.py": app("clash").replace("expose()", "expose(node_port=30000)", 1)},
    )
    code, out, err = render(clash)
    assert code == 1 and "already allocated to registry" in err and "(project billing)" in err
    assert not (clash / "svcgen.lock").exists() and len(log(repo)) == 2


def test_without_network_a_render_that_claims_nothing_works_from_the_copy(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0
    repo.rename(tmp_path / "gone.git")
    code, out, err = render(billing)
    assert (
        code == 0
        and f"cannot be reached: its path {repo} does not exist; working from the copy fetched last"
        in err
    )
    (billing / "app.py").write_text(app("billing", 3))
    before = (billing / "svcgen.lock").read_text()
    code, out, err = render(billing)
    assert code == 2 and "new claims cannot be recorded; nothing was written" in err
    assert (
        f"cannot be reached: its path {repo} does not exist, so billing's" in err
        and "retry with network" not in err
    )
    assert (billing / "svcgen.lock").read_text() == before and out == ""


def test_a_lock_given_relative_to_the_working_directory_keeps_its_registry_copy_beside_it(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    for said in (
        "svcgen.lock: 2 new nodePorts:\n  billing/billing/p0 30000\n  billing/billing/p1 30001\n",
        "",
    ):
        code, _out, err = render(billing, "--lock", "svcgen.lock", "app.py")  # clone, then fetch
        assert code == 0 and err == said
    assert clone_of(billing).parent == billing / ".svcgen" / "registry" and len(log(repo)) == 1


def test_an_unreachable_registry_without_a_copy_is_one_clear_error(tmp_path: Path) -> None:
    billing = project(tmp_path, "billing", tmp_path / "nowhere.git", {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 2 and err == (
        f"svcgen: error: registry {tmp_path / 'nowhere.git'}#clusters/prod.lock cannot be "
        f"reached: its path {tmp_path / 'nowhere.git'} does not exist; nothing was written. "
        "Fix: give the registry's current path (registry in [tool.svcgen], or --registry), "
        "or restore the folder\n"
    )
    assert err.count("\n") == 1 and not (billing / "svcgen.lock").exists()


def test_a_push_refused_by_a_pre_receive_hook_says_so_with_the_hooks_message(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    hook = repo / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'the registry is frozen' >&2\necho 'until Monday' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, out, err = render(billing)
    assert code == 2 and err == (
        f"svcgen: error: registry {repo}#clusters/prod.lock: the registry repository refused the "
        "push: [remote rejected] (pre-receive hook declined): the registry is frozen; until "
        "Monday; nothing was written. Fix: what the repository says, or ask its maintainers (this "
        "is not another project pushing first)\n"
    )
    assert not (billing / "svcgen.lock").exists() and out == ""
    assert (
        subprocess.run(
            ["git", "--git-dir", str(repo), "rev-parse", "--verify", "--quiet", "main"],
            capture_output=True,
        ).returncode
        != 0
    )


def test_a_push_that_lost_the_race_is_retried_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another project pushes between the fetch and the push: fetch, allocate and push again."""
    repo = bare(tmp_path)
    shop = project(tmp_path, "shop", repo, {"app.py": app("shop")})
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    push = Registry.push
    raced: list[bool] = []

    def push_after_shop(self: Registry, registry: Lock, message: str) -> bool:
        if not raced:
            raced.append(True)
            assert (
                render(shop)[0] == 0
            )  # shop claims 30000 and 30001 while billing is allocating them
        return push(self, registry, message)

    monkeypatch.setattr(Registry, "push", push_after_shop)
    code, out, err = render(billing)
    assert code == 0, err
    assert f"another project pushed first; allocating again (2/{MAX_ATTEMPTS})" in err
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert registry.owned_by("billing").entries == {
        PortKey("billing", "billing", "p0", "TCP"): 30002,
        PortKey("billing", "billing", "p1", "TCP"): 30003,
    }
    assert "nodePort: 30002" in out and len(log(repo)) == 2


class RaceLosingRegistry(Registry):
    """A registry whose every push comes second."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(RegistrySpec("unused", "r.lock"), tmp_path)
        self.syncs = 0

    def read(self, node_port_range: NodePortRange) -> Lock:
        return Lock()

    def push(self, registry: Lock, message: str) -> bool:
        return False

    def sync(self) -> None:
        self.syncs += 1


def test_the_retry_counter_never_goes_past_the_maximum(tmp_path: Path) -> None:
    registry = RaceLosingRegistry(tmp_path)
    shown: list[str] = []
    own = Lock({PortKey("a", "a", "http", "TCP"): 30000})
    with pytest.raises(RegistryError) as caught:
        claim(
            registry,
            "billing",
            NodePortRange(),
            lambda shared: own,
            on_retry=lambda attempt: shown.append(f"{attempt + 1}/{MAX_ATTEMPTS}"),
        )
    assert (
        shown == [f"{n}/{MAX_ATTEMPTS}" for n in range(2, MAX_ATTEMPTS + 1)]
        and registry.syncs == MAX_ATTEMPTS - 1
    )
    assert str(caught.value) == (
        f"svcgen: error: registry unused#r.lock: another project pushed first {MAX_ATTEMPTS} "
        "times in a row; nothing was written. Fix: run again"
    )


def test_a_registry_edited_into_a_duplicate_is_reported_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    commit_to(
        repo,
        tmp_path,
        files(
            {
                "clusters/prod.lock": "version: 1\nnodePorts:\n  a/a/http/TCP: 30000\n"
                "  b/b/http/TCP: 30000\n"
            }
        ),
    )
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 1 and "nodePort 30000 is given to both" in err and "clusters/prod.lock:4" in err
    assert not (billing / "svcgen.lock").exists()


def test_lock_prune_releases_the_entries_in_the_registry(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing", 3)})
    assert render(billing)[0] == 0
    (billing / "app.py").write_text(app("billing", 1))
    os.chdir(billing)
    assert run_cli("lock", "prune", "app.py").code == 0
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert {str(k) for k in registry.entries} == {"billing/billing/p0/TCP"}
    assert log(repo)[0].startswith("svcgen: billing releases 2 nodePorts")


@pytest.mark.slow
def test_two_projects_started_four_times_each_at_once(tmp_path: Path) -> None:
    """8 processes, 2 projects of 4 declaration files each: disjoint ports, a linear history."""
    repo = bare(tmp_path)
    folders = [
        project(tmp_path, team, repo, {f"app{i}.py": app(f"{team}{i}") for i in range(4)})
        for team in ("billing", "shop")
    ]
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "svcgen", "render", f"app{i}.py"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
        for folder in folders
    ]
    results = [p.communicate(timeout=300) for p in processes]
    elapsed = time.perf_counter() - start
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    retries = sum(err.count("allocating again") for _, err in results)
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert len(registry.entries) == 16 and len(set(registry.entries.values())) == 16
    for folder, team in zip(folders, ("billing", "shop"), strict=True):
        lock = parse_lock((folder / "svcgen.lock").read_text(), "l", NodePortRange())
        assert lock.entries == registry.owned_by(team).entries and len(lock) == 8
    history = log(repo)
    assert all(
        " " not in parents for _, parents in (line.split("\x00") for line in history)
    )  # no merges
    print(f"8 renders in {elapsed:.1f} s, {retries} retries, {len(history)} commits")


def test_two_projects_declaring_the_same_service_port_is_an_error_not_a_silent_takeover(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    first = project(tmp_path, "team-a", repo, {"app.py": app("web")})
    second = project(tmp_path, "team-b", repo, {"app.py": app("web")})
    assert render(first)[0] == 0
    code, _out, err = render(second)
    assert code == 1  # a conflict to fix, not a command-line mistake
    assert "web/web/p0/TCP (team-a)" in err and "already claimed by another project" in err
    registry = parse_lock(registry_text(repo), "r", NodePortRange())
    assert set(registry.owners.values()) == {"team-a"} and len(log(repo)) == 1
    assert not (second / "svcgen.lock").exists()


def files(texts: dict[str, str]) -> Callable[[Path], None]:
    """A ``build`` for :func:`commit_to` that writes these files (and their folders)."""

    def build(work: Path) -> None:
        for name, text in texts.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)

    return build


def commit_to(repo: Path, tmp_path: Path, build: Callable[[Path], None]) -> None:
    """Commit what ``build`` makes in a fresh clone of ``repo`` and push it to main."""
    work = tmp_path / "edit"
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(
        ["git", "clone", "--quiet", str(repo), str(work)], check=True, capture_output=True
    )
    build(work)
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "--quiet", "-m", "by hand"], check=True)
    subprocess.run(
        ["git", "-C", str(work), "push", "--quiet", "origin", "HEAD:main"],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize("link", ["clusters/prod.lock", "clusters"])
def test_a_registry_file_committed_as_a_symbolic_link_is_refused(tmp_path: Path, link: str) -> None:
    """Neither read through (an empty registry: ports of other teams handed out) nor written
    through."""
    repo = bare(tmp_path)
    outside = tmp_path / "outside"

    def build(work: Path) -> None:
        target = outside if link == "clusters" else outside / "prod.lock"
        if link != "clusters":
            (work / "clusters").mkdir()
        (work / link).symlink_to(target)

    commit_to(repo, tmp_path, build)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, out, err = render(billing)
    assert (
        code == 2
        and out == ""
        and err
        == (
            f"svcgen: error: registry {repo}#clusters/prod.lock: {link} is a symbolic link in the "
            "registry repository; svcgen does not follow links out of its copy; nothing was "
            "written. Fix: in the registry repository, replace the link with the lock file itself "
            "(git rm the link, commit the file)\n"
        )
    )
    assert not outside.exists() and not (billing / "svcgen.lock").exists() and len(log(repo)) == 1


def test_a_registry_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    commit_to(repo, tmp_path, files({"clusters/prod.lock/x": "x"}))
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 2 and "clusters/prod.lock is not a file in the registry repository" in err


def test_a_corrupted_registry_file_is_restored_in_the_registry_not_deleted(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    commit_to(repo, tmp_path, files({"clusters/prod.lock": "version: 1\nnodePorts: [\n"}))
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 1 and err.count("\n") == 2
    assert err.startswith(f"{repo}#clusters/prod.lock:")
    assert err.endswith(
        "Fix: in the registry repository, restore the file from its history (git revert the commit "
        "that broke it, or git checkout GOOD_COMMIT -- clusters/prod.lock), then commit and push; "
        "do "
        "not delete it: it holds every project's claims\nsvcgen: nothing was written.\n"
    )
    assert "afresh" not in err


@pytest.mark.parametrize(
    "spec",
    [
        "--upload-pack=touch PWNED#clusters/prod.lock",
        "-uPWNED#clusters/prod.lock",
        "ext::sh -c touch% PWNED#clusters/prod.lock",
        "fd::3#clusters/prod.lock",
        "fd::0,1#clusters/prod.lock",
        "https://example.com/r.git#.git/config",
        "https://example.com/r.git#clusters/.GIT/hooks/x",
        "https://example.com/r.git#.",
        "https://example.com/r.git#clusters/prod\x00.lock",
        "https://example.com/r\n.git#clusters/prod.lock",
        "https://example.com/r\udcff.git#clusters/prod.lock",
        "EXT::sh -c touch% PWNED#clusters/prod.lock",
        "git@example.com:platform/ports.git",
        "https://example.com/r.git#",
    ],
)
def test_a_registry_url_git_takes_for_an_option_or_a_command_is_refused(
    tmp_path: Path, spec: str
) -> None:
    billing = project(tmp_path, "billing", tmp_path / "unused.git", {"app.py": app("billing")})
    os.chdir(billing)
    start = time.perf_counter()
    result = run_cli("render", f"--registry={spec}", "app.py")
    assert result.code == 2 and result.err.startswith(
        f'--registry: error: "{one_line(spec)}": expected GIT_URL#PATH'
    )
    assert result.err.splitlines()[
        0
    ].isprintable()  # a newline or escape in the spec cannot break the line
    assert time.perf_counter() - start < 10  # fd:: does not hang
    assert not (billing / "PWNED").exists() and not (billing / ".svcgen").exists()
    with pytest.raises(RegistryError, match="expected GIT_URL#PATH"):
        RegistrySpec.parse(spec)


def test_git_clone_takes_the_url_as_a_url_even_when_it_looks_like_an_option(tmp_path: Path) -> None:
    """The ``--`` before the URL: a spec that slipped past the parser still cannot run a command."""
    os.chdir(tmp_path)
    registry = Registry(RegistrySpec("--upload-pack=touch PWNED", "r.lock"), tmp_path / "cache")
    with pytest.raises(RegistryError, match="its path --upload-pack=touch PWNED does not exist"):
        registry.sync()
    assert not (tmp_path / "PWNED").exists() and list((tmp_path / "cache").iterdir()) == []


def test_the_registrys_git_may_not_run_commands_or_use_file_descriptors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GIT_ALLOW_PROTOCOL", raising=False)
    assert git_environment(tmp_path)["GIT_ALLOW_PROTOCOL"] == "file:git:http:https:ssh"
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "ssh:ext:fd:codecommit")
    assert git_environment(tmp_path)["GIT_ALLOW_PROTOCOL"] == "ssh:codecommit"
    # even a spec the parser let through: git itself refuses the transport, at once
    registry = Registry(RegistrySpec("ext::sh -c touch% PWNED", "r.lock"), tmp_path / "cache")
    os.chdir(tmp_path)
    with pytest.raises(RegistryError, match="transport 'ext' not allowed"):
        registry.sync()
    assert not (tmp_path / "PWNED").exists()


def test_the_registrys_git_gets_no_variable_that_leads_it_to_another_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    redirecting = [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_KEY_0",
        "GIT_CONFIG_VALUE_0",
        "GIT_PREFIX",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_QUARANTINE_PATH",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_PROTOCOL_FROM_USER",
        "GIT_AUTHOR_DATE",
        "GIT_SOMETHING_NEW",
    ]
    kept = [
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_ASKPASS",
        "GIT_TRACE",
        "GIT_TRACE2_EVENT",
        "GIT_SSL_CAINFO",
        "GIT_HTTP_USER_AGENT",
        "GIT_CONFIG_GLOBAL",
        "GIT_COMMITTER_EMAIL",
        "HOME",
        "SSH_AUTH_SOCK",
        "https_proxy",
    ]
    for name in redirecting + kept:
        monkeypatch.setenv(name, "x")
    env = git_environment(tmp_path / "cache")
    assert [name for name in redirecting if name in env] == []
    assert all(env[name] == "x" for name in kept)
    assert (
        env["GIT_CEILING_DIRECTORIES"] == str(tmp_path / "cache")
        and env["GIT_TERMINAL_PROMPT"] == "0"
    )
    assert env["GIT_LITERAL_PATHSPECS"] == "1"


def test_without_git_the_registry_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    code, out, err = render(billing)
    assert (
        code == 2
        and out == ""
        and err
        == (
            f"svcgen: error: registry {repo}#clusters/prod.lock: the registry needs git, which is "
            "not installed (or not on PATH); nothing was written. Fix: install git\n"
        )
    )


def test_a_first_clone_that_takes_too_long_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    slow = tmp_path / "bin" / "git"
    slow.parent.mkdir()
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(registry_module, "GIT_TIMEOUT", 0.5)
    code, out, err = render(billing)
    assert (
        code == 2
        and out == ""
        and err
        == (
            f"svcgen: error: registry {repo}#clusters/prod.lock: git clone took more than 0.5 s; "
            "nothing was written. Fix: check the URL and the network (or the ssh key and agent: "
            "git may not prompt for a password here)\n"
        )
    )
    assert list((billing / ".svcgen" / "registry").iterdir()) == []  # no half clone left


@pytest.mark.parametrize("owner", ["b\udcffilling", "billing\x1b[31m", "bill\ning"])
def test_an_owner_that_is_not_printable_utf8_is_one_clear_error(tmp_path: Path, owner: str) -> None:
    """The [project] name may be any text: no traceback, nothing pushed."""
    repo = bare(tmp_path)
    folder = tmp_path / "billing"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[tool.svcgen]\nregistry = "{repo}#clusters/prod.lock"\n'
    )
    if "\udcff" in owner:  # a name TOML cannot hold (not UTF-8): given on the command line
        args: tuple[str, ...] = ("--owner", owner, "app.py")
    else:
        (folder / "pyproject.toml").write_text(
            f"[project]\nname = {json.dumps(owner)}\n[tool.svcgen]\n"
            f'registry = "{repo}#clusters/prod.lock"\n'
        )
        args = ("app.py",)
    (folder / "app.py").write_text(app("billing"))
    code, out, err = render(folder, *args)
    shown = owner.replace("\udcff", "\\xff").replace("\x1b", "\\x1b").replace("\n", "\\n")
    assert (
        code == 2
        and out == ""
        and err
        == (
            f"svcgen: error: registry {repo}#clusters/prod.lock: the project's name in the "
            f'registry, "{shown}", is not '
            "printable UTF-8 text (it is --owner, else [tool.svcgen] owner, else [project] name, "
            "else the project "
            'folder\'s name); nothing was written. Fix: set owner = "NAME" in [tool.svcgen] of '
            "pyproject.toml, or give --owner NAME\n"
        )
    )
    assert not (repo / "refs" / "heads" / "main").exists() and not (folder / "svcgen.lock").exists()


# The variables git gives a hook, or a user exports for their own repository.
REDIRECTING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")


def git_in(folder: Path, *args: str) -> str:
    """Run git on ``folder``'s own repository (whatever the test exported)."""
    env = {k: v for k, v in os.environ.items() if k not in REDIRECTING}
    return subprocess.run(
        ["git", "--no-optional-locks", "-C", str(folder), *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


def user_project(tmp_path: Path, repo: Path) -> Path:
    """A project in its own git repository, pushed to its own origin, with work in progress.

    ``.svcgen/`` is not ignored (the worst case: a push of the project would carry it).
    """
    billing = project(
        tmp_path, "billing", repo, {"app.py": app("billing"), "notes.txt": "committed\n"}
    )
    assert render(billing)[0] == 0  # the registry's copy and the lock
    origin = tmp_path / "billing-origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(origin)], check=True)
    git_in(billing, "init", "--quiet", "--initial-branch=trunk")
    git_in(billing, "add", "app.py", "notes.txt", "pyproject.toml", "svcgen.lock")
    git_in(billing, "commit", "--quiet", "-m", "project")
    git_in(billing, "remote", "add", "origin", str(origin))
    git_in(billing, "push", "--quiet", "origin", "trunk")
    (billing / "notes.txt").write_text("uncommitted work\n")
    (billing / "staged.txt").write_text("staged work\n")
    git_in(billing, "add", "staged.txt")
    return billing


def snapshot(folder: Path) -> dict[str, object]:
    """The project repository as a user sees it: index, HEAD, refs, reflog, status, files, its
    origin."""
    files = {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in (".git", ".svcgen")
    }
    return {
        "index": (folder / ".git" / "index").read_bytes(),
        "HEAD": (folder / ".git" / "HEAD").read_bytes(),
        "refs": git_in(folder, "for-each-ref"),
        "reflog": git_in(folder, "reflog", "--all"),
        "status": git_in(folder, "status", "--porcelain", "--untracked-files=all"),
        "config": (folder / ".git" / "config").read_bytes(),
        "files": files,
        "origin": git_in(folder, "ls-remote", "origin"),
    }


def clone_of(billing: Path) -> Path:
    (clone,) = (billing / ".svcgen" / "registry").iterdir()
    return clone


def break_head(clone: Path) -> None:
    (clone / ".git" / "HEAD").unlink()


def garble_head(clone: Path) -> None:
    (clone / ".git" / "HEAD").write_text("not a ref\n")


def link_to_project(clone: Path) -> None:
    shutil.rmtree(clone)
    clone.symlink_to(clone.parent.parent.parent)


def clone_project(clone: Path) -> None:
    shutil.rmtree(clone)
    subprocess.run(
        ["git", "clone", "--quiet", str(clone.parent.parent.parent), str(clone)],
        check=True,
        capture_output=True,
    )


def share_the_projects_refs(clone: Path) -> None:
    (clone / ".git" / "commondir").write_text(f"{clone.parent.parent.parent / '.git'}\n")


def configure(*setting: str) -> Callable[[Path], None]:
    """A damage: ``git config NAME VALUE`` in the copy (``{project}``, ``{url}``: the project, the
    registry)."""

    def damage(clone: Path) -> None:
        url = subprocess.run(
            ["git", "--git-dir", str(clone / ".git"), "config", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        project = clone.parent.parent.parent
        name, value = (s.format(project=project, url=url) for s in setting)
        subprocess.run(["git", "--git-dir", str(clone / ".git"), "config", name, value], check=True)

    return damage


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            configure("remote.origin.pushurl", "{project}-origin.git"),
            "has settings that git clone does not write (remote.origin.pushurl)",
        ),
        (
            configure("url.{project}-origin.git.insteadOf", "{url}"),
            "has settings that git clone does not write (url.{project}-origin.git.insteadof)",
        ),
        (
            configure("core.fsmonitor", "touch {project}/PWNED; true"),
            "has settings that git clone does not write (core.fsmonitor)",
        ),
        (
            configure("remote.origin.uploadpack", "touch {project}/PWNED; git-upload-pack"),
            "has settings that git clone does not write (remote.origin.uploadpack)",
        ),
        (
            break_head,
            "is not a git repository git can read (fatal: not a git repository: '{clone}/.git')",
        ),
        (
            garble_head,
            "is not a git repository git can read (fatal: not a git repository: '{clone}/.git')",
        ),
        (link_to_project, "is not a plain folder holding a .git folder"),
        (clone_project, "is a clone of {project}, not of the registry"),
        (share_the_projects_refs, "shares the refs and objects of {project}/.git"),
    ],
)
def test_a_damaged_copy_of_the_registry_is_refused_with_the_folder_to_remove(
    tmp_path: Path, damage: Callable[[Path], None], problem: str
) -> None:
    """git never falls back on the project's repository: no reset, no checkout, no push there."""
    repo = bare(tmp_path)
    billing = user_project(tmp_path, repo)
    (billing / "app.py").write_text(
        app("billing", 3)
    )  # a new claim: the render would commit and push
    clone = clone_of(billing)
    damage(clone)
    before = snapshot(billing)
    code, out, err = render(billing)
    shown = clone.relative_to(billing)  # from where the user stands
    assert (
        code == 2
        and out == ""
        and err
        == (
            f"svcgen: error: registry {repo}#clusters/prod.lock: its local copy {shown} "
            f"{problem.format(clone=clone, project=billing)}; nothing was written. Fix: remove "
            "that folder "
            f"(rm -rf {shown}); the next run clones the registry again\n"
        )
    )
    assert snapshot(billing) == before and len(log(repo)) == 1
    if clone.is_symlink():
        clone.unlink()
    else:
        shutil.rmtree(clone)
    assert render(billing)[0] == 0 and len(log(repo)) == 2  # the fix works


def test_a_render_with_git_dir_exported_leaves_the_users_repository_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE point at the project: the registry's git ignores
    them."""
    repo = bare(tmp_path)
    billing = user_project(tmp_path, repo)
    before = snapshot(billing)
    (billing / "app.py").write_text(app("billing", 3))  # a new claim: fetch, reset, commit, push
    monkeypatch.setenv("GIT_DIR", str(billing / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(billing))
    monkeypatch.setenv("GIT_INDEX_FILE", str(billing / ".git" / "index"))
    code, _out, err = render(billing)
    assert code == 0, err
    assert log(repo)[0].startswith("svcgen: billing claims 1 nodePort")
    after = snapshot(billing)
    files_before, files_after = before.pop("files"), after.pop("files")
    assert isinstance(files_before, dict) and isinstance(files_after, dict)
    assert {name for name, data in files_after.items() if files_before.get(name) != data} == {
        "app.py",
        "svcgen.lock",
    }
    status_before, status_after = before.pop("status"), after.pop("status")
    assert isinstance(status_before, str) and isinstance(status_after, str)
    assert set(status_after.splitlines()) == {
        *status_before.splitlines(),
        " M app.py",
        " M svcgen.lock",
    }
    assert after == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "commit",
    [
        ("-m", "work"),  # the hook gets GIT_INDEX_FILE=.git/index
        ("-a", "-m", "work"),  # GIT_INDEX_FILE=/abs/.git/index.lock
        ("-m", "work", "--", "notes.txt"),  # GIT_INDEX_FILE=/abs/.git/next-index-PID.lock
    ],
)
def test_render_check_in_a_pre_commit_hook_leaves_the_commit_being_made_alone(
    tmp_path: Path, commit: tuple[str, ...]
) -> None:
    """A real ``git commit`` runs svcgen (the installed command) in its pre-commit hook, with the
    variables git gives hooks: index, commit, status and files end as in a twin repository whose
    hook runs nothing."""
    svcgen = Path(sys.executable).with_name("svcgen")
    if not svcgen.exists():
        pytest.skip("the svcgen command is not installed next to this Python")
    repo = bare(tmp_path)
    billing = user_project(tmp_path, repo)
    twin = tmp_path / "twin"
    shutil.copytree(billing, twin, symlinks=True)
    assert (
        render(project(tmp_path, "shop", repo, {"app.py": app("shop")}))[0] == 0
    )  # the registry moves on
    hook_log = tmp_path / "hook.log"
    for folder, command in ((billing, f'"{svcgen}" render --check app.py'), (twin, "true")):
        hook = folder / ".git" / "hooks" / "pre-commit"
        hook.write_text(
            f'#!/bin/sh\nenv | grep ^GIT_INDEX_FILE= >>"{hook_log}"\n{command} 2>>"{hook_log}"\n'
        )
        hook.chmod(0o755)
    head, reflog = git_in(billing, "rev-parse", "HEAD"), git_in(billing, "reflog", "--format=%gs")
    before = snapshot(billing)
    for folder in (billing, twin):
        done = subprocess.run(
            ["git", "-C", str(folder), "commit", "--quiet", *commit],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (done.stderr, hook_log.read_text())
    assert hook_log.read_text().count("GIT_INDEX_FILE=") == 2  # svcgen really ran inside the hook
    for args in (
        ("ls-files", "-s"),
        ("rev-parse", "HEAD^{tree}"),
        ("status", "--porcelain", "--untracked-files=no"),
        ("diff",),
        ("reflog", "--format=%gs"),
    ):
        assert git_in(billing, *args) == git_in(twin, *args), args
    assert git_in(billing, "rev-parse", "HEAD^") == head
    assert git_in(billing, "reflog", "--format=%gs") == f"commit: work\n{reflog}"
    after = snapshot(billing)
    assert after["files"] == before["files"] and after["origin"] == before["origin"]
    assert (
        git_in(clone_of(billing), "rev-parse", "HEAD")
        == subprocess.run(  # the hook's svcgen fetched
            ["git", "--git-dir", str(repo), "rev-parse", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )


def test_a_project_folder_whose_name_is_not_utf8_works_with_an_owner_set(tmp_path: Path) -> None:
    repo = bare(tmp_path)
    folder = tmp_path / "b\udcffilling"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        f'[tool.svcgen]\nregistry = "{repo}#clusters/prod.lock"\nowner = "billing"\n'
    )
    (folder / "app.py").write_text(app("billing"))
    for _ in range(2):  # clone, then fetch and check the copy
        code, _out, err = render(folder)
        assert code == 0, err
    assert set(parse_lock(registry_text(repo), "r", NodePortRange()).owners.values()) == {"billing"}


def test_an_output_svcgen_may_not_replace_is_refused_before_anything_is_claimed(
    tmp_path: Path,
) -> None:
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing"), "out.yaml": "# mine\n"})
    code, _out, err = render(billing, "app.py", "-o", "out.yaml")
    assert code == 2 and "out.yaml: error: " in err and "nothing was written" in err
    assert (billing / "out.yaml").read_text() == "# mine\n" and not (
        billing / "svcgen.lock"
    ).exists()
    assert (
        subprocess.run(
            ["git", "--git-dir", str(repo), "rev-parse", "--verify", "-q", "main"],
            capture_output=True,
            check=False,
        ).returncode
        != 0
    )  # nothing pushed: no commit at all
    code, _out, err = render(billing, "app.py", "-o", "out.yaml", "--force")
    assert code == 0, err
    assert len(log(repo)) == 1 and "30000" in (billing / "out.yaml").read_text()


def test_a_write_that_fails_after_the_push_says_the_registry_holds_the_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import svcgen.cli.common
    import svcgen.files

    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(billing / "svcgen.lock"))

    original = svcgen.files.write_files
    monkeypatch.setattr(svcgen.cli.common, "write_files", full_disk)
    code, _out, err = render(billing)
    assert code == 2 and not (billing / "svcgen.lock").exists()
    assert "cannot write: No space left on device; nothing was written. The registry " in err
    assert (
        "already records this project's new nodePorts" in err
        and "the next render takes the same ones" in err
    )
    monkeypatch.setattr(svcgen.cli.common, "write_files", original)
    code, _out, err = render(billing)
    assert code == 0, err
    lock = parse_lock((billing / "svcgen.lock").read_text(), "l", NodePortRange())
    assert (
        lock.entries
        == parse_lock(registry_text(repo), "r", NodePortRange()).owned_by("billing").entries
    )
    assert len(log(repo)) == 1  # the same ports: nothing new to push


@pytest.mark.parametrize("command", [["render", "."], ["lock", "prune", "."], ["ports", "."]])
def test_projects_in_folders_of_one_name_are_never_one_owner(
    tmp_path: Path, command: list[str]
) -> None:
    """Two repositories' deploy/ folders, one registry, no owner: each would take the other's
    entries
    into its
    lock, and ``lock prune`` in one released the other's nodePort. A registry needs a name: nothing
    runs
    without."""
    repo = bare(tmp_path)
    folders = []
    for team in ("team-a", "team-b"):
        folder = tmp_path / team / "deploy"
        folder.mkdir(parents=True)
        (folder / "pyproject.toml").write_text(
            f'[tool.svcgen]\nregistry = "{repo}#clusters/prod.lock"\n'
        )
        (folder / "app.py").write_text(app(team))
        folders.append(folder)
    for folder in folders:
        old = Path.cwd()
        os.chdir(folder)
        try:
            result = run_cli(*command)
        finally:
            os.chdir(old)
        assert (result.code, result.out) == (1, "")
        assert result.err == (
            "pyproject.toml: error: registry is set but owner is not: the registry needs this "
            "project's own name in it, and the folder's (deploy) may be another project's too "
            "(each would then "
            'release the other\'s nodePorts). Fix: add owner = "NAME" to [tool.svcgen], a name no '
            "other project uses (or give [project] a name)\nsvcgen: nothing was written.\n"
        )
        assert sorted(p.name for p in folder.iterdir()) == ["app.py", "pyproject.toml"]
    assert (
        subprocess.run(
            ["git", "--git-dir", str(repo), "rev-parse", "--verify", "-q", "main"],
            capture_output=True,
            check=False,
        ).returncode
        != 0
    )  # nothing was ever pushed
    code, _, err = render(
        folders[0], "--registry", f"{repo}#clusters/prod.lock", "--owner", "team-a", "app.py"
    )
    assert code == 0, err  # named: it works
    code, _, err = render(
        tmp_path / "team-b", "--registry", f"{repo}#clusters/prod.lock", "deploy/app.py"
    )
    assert code == 2 and err.startswith(
        "--registry: error: the registry needs this project's own name in it"
    )


def test_the_projects_of_one_repository_do_not_share_its_project_name_as_owner(
    tmp_path: Path,
) -> None:
    """repo/pyproject.toml names the repository; p1/ and p2/ (a svcgen.lock each) are two projects,
    not
    one owner."""
    repo = bare(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "platform"\n')
    for name in ("p1", "p2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(app(name))
        (tmp_path / name / "svcgen.lock").write_text("version: 1\nnodePorts: {}\n")
        code, _, err = render(
            tmp_path, "--registry", f"{repo}#clusters/prod.lock", f"{name}/app.py"
        )
        assert code == 2 and err.startswith(
            "--registry: error: the registry needs this project's own name in it, "
            f"and the folder's ({name}) may be another project's too"
        ), err
        assert (tmp_path / name / "svcgen.lock").read_text() == "version: 1\nnodePorts: {}\n"


@pytest.mark.slow
def test_the_first_clone_takes_nothing_from_the_users_git_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init.templateDir may hold hooks and a config (core.fsmonitor): none reaches the registry's
    copy."""
    repo = bare(tmp_path)
    commit_to(
        repo, tmp_path, files({"README": "ports\n"})
    )  # a registry with a commit: the clone checks it out
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    ran = tmp_path / "ran"
    (template / "hooks" / "post-checkout").write_text(f"#!/bin/sh\necho hook >> {ran}\n")
    (template / "hooks" / "post-checkout").chmod(0o755)
    (template / "config").write_text(f'[core]\n\tfsmonitor = "echo fsmonitor >> {ran}; true"\n')
    (tmp_path / "gitconfig").write_text(f"[init]\n\ttemplateDir = {template}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0 and len(log(repo)) == 2
    assert not ran.exists()
    assert "fsmonitor" not in (clone_of(billing) / ".git" / "config").read_text()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "version: 1\nnodePorts:\n<<<<<<< HEAD\n  a/a/http/TCP: 30000\n=======\n  "
            "a/a/http/TCP: 30001\n>>>>>>> b\n",
            "3: error: unresolved merge conflict: the lock file holds git's conflict markers "
            "(<<<<<<<, =======, >>>>>>>).",
        ),
        (
            "version: 1\nnodePorts:\n  a/a/http/TCP: 30000\n  b/b/http/TCP: 30000\n",
            "4: error: nodePort 30000 is given to both `a/a/http/TCP` (line 3) and "
            "`b/b/http/TCP`; a nodePort belongs to "
            "one Service port (or to same-number ports of one Service with different protocols).",
        ),
    ],
)
def test_a_conflicted_registry_file_is_resolved_in_the_registry_repository(
    tmp_path: Path, text: str, problem: str
) -> None:
    """The fix names the file in the registry repository, not ``lock resolve --lock URL#PATH`` (a
    local
    path)."""
    repo = bare(tmp_path)
    commit_to(repo, tmp_path, files({"clusters/prod.lock": text}))
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, out, err = render(billing)
    assert (
        code == 1
        and out == ""
        and err
        == (
            f"{repo}#clusters/prod.lock:{problem} Fix: in a clone of the registry repository, "
            "svcgen lock resolve --lock clusters/prod.lock (or edit the file by hand), then "
            "commit and push\nsvcgen: nothing was written.\n"
        )
    )
    assert not (billing / "svcgen.lock").exists() and len(log(repo)) == 1


@pytest.mark.parametrize(
    "url", ["registry.git", "../registry.git", "./a:b/registry.git", "~/registry.git"]
)
def test_a_registry_given_as_a_relative_path_is_refused(tmp_path: Path, url: str) -> None:
    """git would clone it relative to the working directory: from another folder, another
    repository."""
    billing = project(tmp_path, "billing", bare(tmp_path), {"app.py": app("billing")})
    (billing / "pyproject.toml").write_text(
        f'[tool.svcgen]\nregistry = "{url}#clusters/prod.lock"\n'
    )
    os.chdir(tmp_path)
    result = run_cli("render", "billing/app.py")
    assert (
        result.code == 1
        and result.out == ""
        and result.err
        == (
            f'billing/pyproject.toml: error: [tool.svcgen] registry "{url}#clusters/prod.lock": '
            "the URL is a relative path, which git takes relative to the folder svcgen is run "
            "from (from another folder: another repository). Fix: give the registry's absolute "
            "path\nsvcgen: nothing was written.\n"
        )
    )
    assert not (billing / ".svcgen").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/srv/registry.git",
        "file:///srv/r.git",
        "host:r.git",
        "git@host:r.git",
        "ssh://host/r.git",
        "https://host/r.git",
        "host:dir/r.git",
    ],
)
def test_registry_urls_that_name_no_relative_path_are_taken(url: str) -> None:
    assert RegistrySpec.parse(f"{url}#clusters/prod.lock").url == url


def registry_ports(repo: Path, branch: str) -> dict[str, int]:
    text = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{branch}:clusters/prod.lock"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {str(k): v for k, v in parse_lock(text, "r", NodePortRange()).entries.items()}


@pytest.mark.slow
@pytest.mark.parametrize("old_branch_kept", [False, True])
def test_a_registry_whose_default_branch_changed_is_followed(
    tmp_path: Path, old_branch_kept: bool
) -> None:
    """The registry moves from main to trunk (renamed, or a new branch): the copy's origin/HEAD is
    not
    trusted.

    A stale origin/HEAD made svcgen take the registry for empty (a renamed branch) or read the old
    branch: it handed out a nodePort another project owns and pushed a registry of its own.
    """
    repo = bare(tmp_path)
    commit_to(repo, tmp_path, files({"README": "ports\n"}))
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert (
        render(billing)[0] == 0
    )  # billing's copy, cloned from a registry with a commit: origin/HEAD is main
    git_dir = ("git", "--git-dir", str(repo))
    subprocess.run(
        [
            *git_dir,
            "branch",
            "trunk" if old_branch_kept else "-m",
            *(["main"] if old_branch_kept else ["main", "trunk"]),
        ],
        check=True,
    )
    subprocess.run([*git_dir, "symbolic-ref", "HEAD", "refs/heads/trunk"], check=True)
    shop = project(tmp_path, "shop", repo, {"app.py": app("shop", 1)})
    assert render(shop)[0] == 0  # a new project claims 30002 on trunk
    (billing / "app.py").write_text(app("billing", 3))
    code, _out, err = render(billing)
    assert code == 0, err
    assert registry_ports(repo, "trunk") == {
        "billing/billing/p0/TCP": 30000,
        "billing/billing/p1/TCP": 30001,
        "shop/shop/p0/TCP": 30002,
        "billing/billing/p2/TCP": 30003,
    }
    branches = subprocess.run(
        [*git_dir, "branch", "--format=%(refname:short)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert branches == (["main", "trunk"] if old_branch_kept else ["trunk"])


@pytest.mark.slow
def test_the_copy_works_whatever_name_the_user_gives_remotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clone.defaultRemoteName in the user's config: the copy was "a clone of nothing", run after
    run."""
    (tmp_path / "gitconfig").write_text("[clone]\n\tdefaultRemoteName = upstream\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 0, err
    (billing / "app.py").write_text(app("billing", 3))
    code, _out, err = render(billing)
    assert code == 0, err
    assert len(log(repo)) == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    "settings",
    [
        (("core.repositoryFormatVersion", "1"), ("extensions.objectFormat", "sha1")),
        (("remote.origin.followRemoteHEAD", "warn"),),
        (("lfs.repositoryformatversion", "0"),),
    ],
)
def test_a_copy_with_settings_git_itself_writes_is_used(
    tmp_path: Path, settings: tuple[tuple[str, str], ...]
) -> None:
    """What git clone (a newer one, a sha256 one) or git-lfs write in the copy's config is no
    damage."""
    repo = bare(tmp_path)
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0
    for setting in settings:
        subprocess.run(
            ["git", "--git-dir", str(clone_of(billing) / ".git"), "config", *setting], check=True
        )
    (billing / "app.py").write_text(app("billing", 3))
    code, _out, err = render(billing)
    assert code == 0, err
    assert len(log(repo)) == 2


@pytest.mark.slow
def test_lock_resolve_moves_a_claim_to_no_port_another_project_holds_in_the_registry(
    tmp_path: Path,
) -> None:
    """The copy as last fetched is read (no network in a merge): the resolved lock then renders as
    it
    is."""
    repo = bare(tmp_path)
    commit_to(
        repo,
        tmp_path,
        files(
            {
                "clusters/prod.lock": "version: 1\nnodePorts:\n  shop/shop/p0/TCP: 30001\n"
                "owners:\n  shop/shop/p0/TCP: shop\n"
            }
        ),
    )
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    assert render(billing)[0] == 0  # billing: 30000 and 30002
    (billing / "svcgen.lock").write_text(
        "version: 1\nnodePorts:\n<<<<<<< HEAD\n  billing/billing/p0/TCP: 30000\n"
        "=======\n  billing/billing/p1/TCP: 30000\n>>>>>>> feature\n"
    )
    os.chdir(billing)
    result = run_cli("lock", "resolve")
    assert result.code == 0 and result.err.startswith(
        "svcgen: svcgen.lock: moved billing/billing/p1/TCP: 30000 -> 30002 (30000 is kept by "
        "billing/billing/p0/TCP, from HEAD)\n"
    )
    assert render(billing, "app.py", "--check")[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize("head", ["master", "main", "prod-ports"])
@pytest.mark.parametrize(
    "user_config",
    ["", "[init]\n\tdefaultBranch = trunk\n[protocol]\n\tversion = 0\n"],
    ids=["no-user-config", "user-trunk-and-protocol-v0"],
)
def test_the_first_claim_makes_the_branch_an_empty_registrys_head_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head: str, user_config: str
) -> None:
    """A first push to main of a registry whose HEAD is master left a registry that clones as
    nothing.

    The user's own git config (another init.defaultBranch, protocol v0) does not change the branch.
    """
    (tmp_path / "gitconfig").write_text(user_config)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    repo = tmp_path / "registry.git"
    subprocess.run(
        ["git", "init", "--quiet", "--bare", f"--initial-branch={head}", str(repo)], check=True
    )
    billing = project(tmp_path, "billing", repo, {"app.py": app("billing")})
    code, _out, err = render(billing)
    assert code == 0, err
    branches = subprocess.run(
        ["git", "--git-dir", str(repo), "branch", "--format=%(refname:short)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert branches == [head]
    assert set(registry_ports(repo, head)) == {"billing/billing/p0/TCP", "billing/billing/p1/TCP"}
    clone = subprocess.run(
        ["git", "clone", "--quiet", str(repo), str(tmp_path / "look")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        "nonexistent ref" not in clone.stderr
        and (tmp_path / "look" / "clusters" / "prod.lock").is_file()
    )
    shop = project(tmp_path, "shop", repo, {"app.py": app("shop", 1)})
    code, out, err = render(shop)  # a second project sees the first's claims
    assert code == 0, err
    assert "nodePort: 30002" in out
    assert registry_ports(repo, head)["shop/shop/p0/TCP"] == 30002
