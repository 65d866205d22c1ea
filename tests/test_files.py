"""The file system: the one directory walk and its skip rules, reading texts, atomic writes, the OS
lock."""

from __future__ import annotations

import io
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import deadline

from svcgen.errors import UsageError
from svcgen.files import (
    FileRefusedError,
    PartlyWrittenError,
    Text,
    check_writable,
    find_files,
    joined,
    make_folders,
    max_file_size,
    read_sources,
    read_text_if_exists,
    same_text,
    temporaries,
    write_atomic,
    write_files,
    writer_mutex,
)


def _tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kind: Service\n")


def test_the_walk_is_sorted_and_skips_hidden_private_and_dependency_folders(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "b.yaml",
        "a.yml",
        "c.json",
        "notes.txt",
        ".hidden.yaml",
        "sub/z.yaml",
        "sub/deeper/y.yaml",
        ".git/x.yaml",
        "_build/x.yaml",
        "__pycache__/x.yaml",
        "node_modules/x.yaml",
        "venv/x.yaml",
        "env/x.yaml",
        "site-packages/x.yaml",
        "build/x.yaml",
        "dist/x.yaml",
        "venv/pyvenv.cfg",
        "env/conda-meta/history",
        "py311/pyvenv.cfg",
        "py311/x.yaml",
    )
    found = [str(p.relative_to(tmp_path)) for p in find_files(tmp_path, (".yaml", ".yml", ".json"))]
    assert found == ["a.yml", "b.yaml", "c.json", "sub/z.yaml", "sub/deeper/y.yaml"]


def test_a_folder_named_env_that_is_no_python_environment_is_walked(tmp_path: Path) -> None:
    """``deploy/env/prod/service.yaml`` (or env/prod.py): the project's own, never skipped silently
    for
    its name."""
    _tree(tmp_path, "env/prod/service.yaml", "venv/x.yaml", "env/prod/app.py")
    assert [str(p.relative_to(tmp_path)) for p in find_files(tmp_path, (".yaml", ".py"))] == [
        "env/prod/app.py",
        "env/prod/service.yaml",
        "venv/x.yaml",
    ]


def test_a_named_file_is_always_read_and_folders_are_walked(tmp_path: Path) -> None:
    _tree(tmp_path, "manifests/a.yaml", "manifests/dist/b.yaml", "odd.txt")
    sources = read_sources(
        [str(tmp_path / "manifests"), str(tmp_path / "odd.txt"), "-"], io.StringIO("x: 1\n")
    )
    assert [Path(s.name).name if s.name != "<stdin>" else s.name for s in sources.texts] == [
        "<stdin>",
        "a.yaml",
        "odd.txt",
    ]
    assert sources.problems == [] and not sources.unreadable


def test_files_that_are_not_text_are_problems_with_a_position(tmp_path: Path) -> None:
    (tmp_path / "nul.yaml").write_bytes(b"a: 1\n\0")
    (tmp_path / "latin1.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    sources = read_sources([str(tmp_path)])
    assert [s.text for s in sources.texts] == ["a: 1\n"]  # the BOM is dropped
    messages = sorted((Path(p.file).name, p.line, p.message) for p in sources.problems)
    assert messages == [
        ("latin1.yaml", 2, "not UTF-8 text (byte 0xe9 at offset 11)"),
        ("nul.yaml", 1, "not a text file (it contains NUL bytes)"),
    ]
    assert not sources.unreadable


def test_a_missing_path_makes_the_run_unreadable(tmp_path: Path) -> None:
    sources = read_sources([str(tmp_path / "missing.yaml")])
    assert sources.unreadable and sources.problems[0].message == "no such file or directory"


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "svcgen.lock"
    write_atomic(target, "one\n")
    assert read_text_if_exists(target) == "one\n"
    os.chmod(target, 0o640)
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["svcgen.lock"]  # no temporary file left
    assert read_text_if_exists(tmp_path / "none") is None


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")

    with pytest.raises(TypeError):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_a_text_in_parts_is_written_as_they_are_made_and_one_failing_midway_leaves_nothing(
    tmp_path: Path,
) -> None:
    target, lock = tmp_path / "out.yaml", tmp_path / "svcgen.lock"
    target.write_text("old\n")
    seen: list[list[str]] = []

    def parts() -> Iterator[str]:
        yield "kind: Service\n"
        yield "---\n" + "x: 1\n" * 300_000  # more than one slice
        seen.append(
            sorted(p.name for p in tmp_path.iterdir())
        )  # the temporary file is being written
        raise OSError(28, "No space left on device")

    texts: dict[Path, Text] = {lock: "nodePorts:\n", target: parts}
    with pytest.raises(OSError, match="No space left"):
        write_files(texts)
    assert len(seen) == 1
    assert [name for name in seen[0] if name.startswith(".out.yaml.")]
    assert target.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "out.yaml"
    ]

    write_files({target: lambda: iter(["a\n", "b" * 3_000_000, "\n"])})  # parts longer than a slice
    assert target.read_text() == "a\n" + "b" * 3_000_000 + "\n"


def test_a_text_in_parts_that_the_file_holds_already_leaves_it_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("a: 1\n---\nb: 2\n")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    write_files({target: lambda: iter(["a: 1\n", "---\nb: 2\n"])})
    assert target.stat().st_mtime_ns == 1_000_000_000 and [p.name for p in tmp_path.iterdir()] == [
        "out.yaml"
    ]
    write_files({target: lambda: iter(["a: 1\n", "---\nb: 3\n"])})  # same size, other bytes
    assert target.read_text() == "a: 1\n---\nb: 3\n" and [p.name for p in tmp_path.iterdir()] == [
        "out.yaml"
    ]


@pytest.mark.parametrize("parts", [[], [""], ["ab", "c"], ["a", "", "bc"], ["abc"]])
def test_same_text_compares_the_parts_where_they_fall(parts: list[str]) -> None:
    whole = "".join(parts)
    assert joined(lambda: iter(parts)) == whole
    for current in (whole, whole + "d", whole[:-1], "x" + whole[1:], "", None):
        assert same_text(current, lambda: iter(parts)) is (current == whole)
        assert same_text(current, whole) is (current == whole)


def test_the_os_lock_serialises_holders(tmp_path: Path) -> None:
    order: list[str] = []

    def second() -> None:
        with writer_mutex(tmp_path / "not-yet" / "svcgen.lock"):
            order.append("second")

    with writer_mutex(
        tmp_path / "not-yet" / "svcgen.lock"
    ):  # a folder not made yet: made, then locked
        assert (tmp_path / "not-yet").is_dir()
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
    assert not (
        tmp_path / "not-yet"
    ).exists()  # nothing was written there: the folder made for the lock is gone


def test_the_os_lock_keeps_the_folder_it_made_once_a_file_is_written_there(tmp_path: Path) -> None:
    lock = tmp_path / "deploy" / "ports" / "svcgen.lock"
    with writer_mutex(lock):
        write_atomic(lock, "x\n")
    assert lock.read_text() == "x\n"
    with writer_mutex(tmp_path / "a" / "b" / "svcgen.lock"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy"]


def _second_holder_waits(first: Path, second: Path) -> list[str]:
    """The order in which a holder of ``first`` and, in a thread started meanwhile, one of
    ``second``
    finish."""
    order: list[str] = []

    def other() -> None:
        with writer_mutex(second):
            order.append("second")

    with writer_mutex(first):
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    return order


def _without_fcntl(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Windows: ``import fcntl`` raises ImportError (filelock, loaded first, locks with what
    it
    has)."""
    import importlib

    importlib.import_module("filelock")
    monkeypatch.setitem(sys.modules, "fcntl", None)


def test_the_os_lock_needs_no_fcntl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows has no fcntl: the lock (filelock's) holds there too, where it used to be skipped.
    _without_fcntl(monkeypatch)
    lock = tmp_path / "svcgen.lock"
    assert _second_holder_waits(lock, lock) == ["first", "second"]
    assert _second_holder_waits(
        tmp_path / "new" / "svcgen.lock", tmp_path / "new" / "svcgen.lock"
    ) == ["first", "second"]
    assert [
        p.name for p in tmp_path.iterdir()
    ] == []  # the folder made for the lock went again, no file left


def test_the_os_lock_on_posix_holds_across_users_it_is_on_the_folder_itself(tmp_path: Path) -> None:
    # Another user's or another container's run shares the folder, not a temporary folder: on POSIX
    # the lock is taken on the project folder, so a descriptor of that folder held by anyone blocks
    # it.
    import fcntl

    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another process holding the folder's lock would
    entered = threading.Event()

    def run() -> None:
        with writer_mutex(tmp_path / "svcgen.lock"):
            entered.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert not entered.wait(0.3)
    os.close(fd)
    thread.join(5)
    assert entered.is_set()


def test_two_paths_to_one_folder_share_its_lock(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    assert _second_holder_waits(
        tmp_path / "real" / "svcgen.lock", tmp_path / "link" / "svcgen.lock"
    ) == ["first", "second"]


def test_the_os_lock_leaves_no_file_in_the_users_folders(tmp_path: Path) -> None:
    lock = tmp_path / "deploy" / "svcgen.lock"
    with writer_mutex(lock):
        assert (
            list(lock.parent.iterdir()) == []
        )  # the lock file lives in svcgen's own private folder
        write_atomic(lock, "x\n")
    assert [p.name for p in tmp_path.iterdir()] == ["deploy"] and [
        p.name for p in lock.parent.iterdir()
    ] == ["svcgen.lock"]


@pytest.mark.parametrize("kind", ["a link", "open to others"])
def test_a_lock_folder_that_is_not_private_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    import tempfile

    _without_fcntl(monkeypatch)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    folder = tmp_path / f"svcgen-{os.getuid()}"
    if kind == "a link":  # another user's link could point the lock files anywhere
        (tmp_path / "elsewhere").mkdir()
        folder.symlink_to("elsewhere")
    else:
        folder.mkdir()
        folder.chmod(0o777)
    with pytest.raises(
        UsageError,
        match=r"svcgen-\d+: error: cannot lock: the folder for svcgen's lock files is not "
        r"a private folder of this user's .* Fix: remove it",
    ):
        with writer_mutex(tmp_path / "p" / "svcgen.lock"):
            pass
    assert not (tmp_path / "p").exists() and not any(
        (tmp_path / "elsewhere").iterdir() if kind == "a link" else []
    )


def test_a_temporary_folder_that_takes_no_lock_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    _without_fcntl(monkeypatch)
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(
        tempfile, "gettempdir", lambda: str(tmp_path / "file")
    )  # TMPDIR names a file
    with pytest.raises(UsageError) as caught, writer_mutex(tmp_path / "p" / "svcgen.lock"):
        pass
    assert str(caught.value) == (
        f"{tmp_path / 'file' / f'svcgen-{os.getuid()}'}: error: cannot lock: cannot make "
        "the folder for svcgen's lock files: Not a directory. Fix: make the temporary folder "
        "writable, or set TMPDIR to one that is"
    )
    assert caught.value.exit_code == 2 and not (tmp_path / "p").exists()


def test_a_file_in_a_missing_folder_is_named_in_the_error_not_its_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "missing" / "out.yaml"
    with pytest.raises(FileNotFoundError) as raised:
        write_files({target: "a: 1\n"})
    assert raised.value.filename == str(target)


def test_a_pipe_or_a_device_found_in_a_folder_is_skipped_with_a_warning_never_opened(
    tmp_path: Path,
) -> None:
    _tree(tmp_path, "a.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    with deadline(5):
        sources = read_sources([str(tmp_path)])
    assert [Path(s.name).name for s in sources.texts] == ["a.yaml"] and not sources.unreadable
    assert [(Path(p.file).name, p.severity, p.message) for p in sources.problems] == [
        (
            "pipe.yaml",
            "warning",
            "skipped: a named pipe (FIFO), not a regular file: svcgen reads only regular files",
        ),
        (
            "zero.yaml",
            "warning",
            "skipped: a character device, not a regular file: svcgen reads only regular files",
        ),
    ]


def test_a_named_device_is_refused_and_a_named_pipe_is_read(tmp_path: Path) -> None:
    sources = read_sources(["/dev/zero"])
    assert sources.unreadable and sources.texts == []
    assert str(sources.problems[0]) == (
        "/dev/zero: error: cannot read: a character device, not a regular file: "
        "svcgen reads only regular files. Fix: name a regular file instead"
    )
    pipe = tmp_path / "pipe"  # what the shell's <(helm template .) gives
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text("kind: Service\n"))
    writer.start()
    with deadline(5):
        sources = read_sources([str(pipe)])
    writer.join(5)
    assert [s.text for s in sources.texts] == ["kind: Service\n"] and sources.problems == []


def test_reads_are_capped_and_the_message_says_how_to_raise_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, "a.yaml")
    (tmp_path / "big.yaml").write_text("x" * 2049)
    monkeypatch.setenv("SVCGEN_MAX_FILE_SIZE", "2K")
    sources = read_sources([str(tmp_path), "-"], io.StringIO("y" * 2049))
    assert sources.unreadable and [Path(s.name).name for s in sources.texts] == ["a.yaml"]
    assert [str(p) for p in sources.problems] == [
        f"{name}: error: cannot read: larger than the 2048 bytes svcgen reads from one file. Fix: "
        "raise the limit "
        "with the environment variable SVCGEN_MAX_FILE_SIZE (e.g. SVCGEN_MAX_FILE_SIZE=4M)"
        for name in ("<stdin>", tmp_path / "big.yaml")
    ]
    with pytest.raises(FileRefusedError, match="larger than the 2048 bytes"):
        read_text_if_exists(tmp_path / "big.yaml")
    monkeypatch.setenv("SVCGEN_MAX_FILE_SIZE", "1M")
    assert max_file_size() == 1 << 20 and read_text_if_exists(tmp_path / "big.yaml") == "x" * 2049
    monkeypatch.delenv("SVCGEN_MAX_FILE_SIZE")
    assert max_file_size() == 64 << 20
    for wrong in ("lots", "-1", "0", "1.5M", "१२"):
        monkeypatch.setenv("SVCGEN_MAX_FILE_SIZE", wrong)
        with pytest.raises(
            UsageError, match=f'SVCGEN_MAX_FILE_SIZE: error: "{wrong}" is not a size'
        ):
            max_file_size()


@pytest.fixture
def deep_trees() -> Iterator[list[tuple[Path, str, int]]]:
    """Trees made by :func:`_deep`, removed bottom up by descriptor (pytest's own removal
    recurses)."""
    made: list[tuple[Path, str, int]] = []
    yield made
    for root, name, depth in made:
        fds = [os.open(root, os.O_RDONLY)]
        for _ in range(depth):
            fds.append(os.open(name, os.O_RDONLY, dir_fd=fds[-1]))
        os.unlink("x.yaml", dir_fd=fds[-1])
        for level in range(depth, 0, -1):
            os.close(fds[level])
            os.rmdir(name, dir_fd=fds[level - 1])
        os.close(fds[0])


def _deep(root: Path, name: str, depth: int, made: list[tuple[Path, str, int]]) -> Path:
    """A folder ``depth`` levels of ``name`` below ``root`` holding x.yaml (made by descriptor: any
    length)."""
    made.append((root, name, depth))
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        fd, old = os.open(name, os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    with open(os.open("x.yaml", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as handle:
        handle.write("kind: Service\n")
    os.close(fd)
    return Path(root, *[name] * depth)


@pytest.mark.slow
def test_a_tree_1100_folders_deep_is_walked(
    tmp_path: Path, deep_trees: list[tuple[Path, str, int]]
) -> None:
    deepest = _deep(tmp_path, "d", 1100, deep_trees)
    assert list(find_files(tmp_path, (".yaml",))) == [deepest / "x.yaml"]


def test_a_folder_whose_path_is_too_long_to_list_is_reported_not_skipped(
    tmp_path: Path, deep_trees: list[tuple[Path, str, int]]
) -> None:
    _tree(tmp_path, "a.yaml")
    _deep(
        tmp_path, "f" * 50, 100, deep_trees
    )  # 5,100 characters: past the system's path limit (4,096)
    sources = read_sources([str(tmp_path)])
    assert [Path(s.name).name for s in sources.texts] == ["a.yaml"] and sources.unreadable
    assert (
        len(sources.problems) == 1
        and sources.problems[0].message == "cannot list the folder: File name too long"
    )
    assert len(sources.problems[0].file) > 4096
    with pytest.raises(OSError, match="File name too long"):
        list(find_files(tmp_path, (".yaml",)))


@pytest.mark.parametrize("kind", ["symlink", "fifo", "dangling", "directory"])
def test_writes_never_go_through_a_link_nor_replace_a_pipe_or_a_folder(
    tmp_path: Path, kind: str
) -> None:
    target, real = tmp_path / "svcgen.lock", tmp_path / "real.lock"
    real.write_text("mine\n")
    if kind == "symlink":
        target.symlink_to(real)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "dangling":
        target.symlink_to(tmp_path / "nowhere")
    else:
        target.mkdir()
    other, before = tmp_path / "other.yaml", os.lstat(target)
    with deadline(5), pytest.raises(FileRefusedError) as raised:
        write_files({other: "a\n", target: "b\n"})
    assert raised.value.filename == str(target)
    assert (
        real.read_text() == "mine\n" and not other.exists() and not (tmp_path / "nowhere").exists()
    )
    after = os.lstat(target)  # the very node that stood there, not a file renamed over it
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["real.lock", "svcgen.lock"])


def test_the_lock_file_is_never_read_through_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.lock").write_text("x\n")
    (tmp_path / "svcgen.lock").symlink_to(tmp_path / "real.lock")
    (tmp_path / "loop.lock").symlink_to(tmp_path / "loop.lock")
    for name in ("svcgen.lock", "loop.lock"):
        with pytest.raises(FileRefusedError, match="a symbolic link"):
            read_text_if_exists(tmp_path / name)


def test_only_the_leftovers_of_an_interrupted_write_are_temporaries(tmp_path: Path) -> None:
    mark = "# Written by svcgen"
    for name, text in [
        (".web.yaml.ab12cd_9.tmp", mark + " render\n"),
        (".web.yaml.zzzzzzzz.tmp", ""),
        (".web.yaml.qqqqqqqq.tmp", "user text\n"),
        (".web.yaml.abc.tmp", ""),
        (".notes.txt.abcdefgh.tmp", ""),
        ("web.yaml.abcdefgh.tmp", ""),
        (".web.yaml.ABCDEFGH.tmp", ""),
    ]:
        (tmp_path / name).write_text(text)
    (tmp_path / ".linked.yaml.abcdefgh.tmp").symlink_to(tmp_path / ".web.yaml.zzzzzzzz.tmp")
    found = temporaries(tmp_path, [mark], lambda name: name.endswith(".yaml"))
    assert [p.name for p in found] == [".web.yaml.ab12cd_9.tmp", ".web.yaml.zzzzzzzz.tmp"]
    assert temporaries(tmp_path, [mark], "other.yaml".__eq__) == []


HOLDER = """
import os, sys, time
from svcgen.files import writer_mutex, write_atomic
lock = sys.argv[1]
with writer_mutex(lock):
    os.makedirs(os.path.dirname(lock), exist_ok=True)  # what a render does when it writes the lock
    print("locked", flush=True)
    time.sleep(2)
    write_atomic(lock, "version: 1\\nnodePorts:\\n  other/taken/http/TCP: 30000\\n")
"""


def _render_source(i: int) -> str:
    return (
        f"from svcgen import App, Container, Port, Service\n"
        f'c = Container("c", ports=[Port("a", 8000), Port("b", 8001)])\n'
        f'app = App("app{i}", namespace="ns{i}", labels={{"app": "app{i}"}}, containers=[c], '
        "services=[\n"
        f'    Service("svc{i}", type="NodePort", ports=[c.port("a").expose(), '
        'c.port("b").expose()])])\n'
    )


@pytest.mark.slow
def test_a_render_waits_for_a_run_that_holds_the_lock_of_a_folder_not_made_yet(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    (tmp_path / "app.py").write_text(_render_source(0))
    lock = tmp_path / "deploy" / "ports" / "svcgen.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert (
        holder.stdout is not None and holder.stdout.readline() == "locked\n"
    )  # it made the folder
    render = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", "app.py", "--lock", str(lock)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert holder.wait(timeout=30) == 0 and render.returncode == 0, render.stderr
    assert (
        "nodePort: 30000" not in render.stdout
    )  # it waited, then read the holder's lock: 30000 is taken
    assert lock.read_text().splitlines()[-3:] == [
        "  ns0/svc0/a/TCP: 30001",
        "  ns0/svc0/b/TCP: 30002",
        "  other/taken/http/TCP: 30000",
    ]


@pytest.mark.slow
def test_renders_at_once_on_a_lock_whose_folder_is_not_made_yet_never_share_a_port(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    for i in range(6):
        (tmp_path / f"app{i}.py").write_text(_render_source(i))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "svcgen",
                "render",
                f"app{i}.py",
                "--lock",
                "deploy/new/svcgen.lock",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(6)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in results]
    ports = [
        line.split()[-1] for out, _ in results for line in out.splitlines() if "nodePort:" in line
    ]
    assert len(ports) == 12 and len(set(ports)) == 12
    assert len((tmp_path / "deploy" / "new" / "svcgen.lock").read_text().split("/TCP: ")) == 13


def test_a_device_is_never_written(tmp_path: Path) -> None:
    with pytest.raises(
        FileRefusedError, match="a character device, not a regular file: svcgen writes only regular"
    ):
        check_writable("/dev/null")  # only looked at (lstat): nothing is opened
    check_writable(tmp_path / "missing")
    check_writable(tmp_path / "missing-folder" / "file")


def test_a_file_reached_twice_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``x.yaml ./x.yaml``, its folder and itself, a link to it: one file, read once, where it first
    came."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.yaml").write_text("kind: Service\n")
    (tmp_path / "d" / "y.yaml").symlink_to("x.yaml")
    found = read_sources(["d/x.yaml", "./d/x.yaml", "d", str(tmp_path / "d" / "x.yaml")])
    assert [(s.name, s.explicit) for s in found.texts] == [
        ("d/x.yaml", True)
    ] and not found.problems
    assert [(s.name, s.explicit) for s in read_sources(["d", "d/y.yaml"]).texts] == [
        ("d/x.yaml", True)
    ]


def _failing_replace(
    monkeypatch: pytest.MonkeyPatch, at: int, error: BaseException | None
) -> list[str]:
    """os.replace that raises ``error`` (or sends this process SIGINT) at its ``at``-th call; the
    targets renamed."""
    replace = os.replace
    done: list[str] = []

    def fake(src: str, dst: str | os.PathLike[str]) -> None:
        if len(done) + 1 == at:
            if error is not None:
                raise error
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the renames
        replace(src, dst)
        done.append(Path(dst).name)

    monkeypatch.setattr(os, "replace", fake)
    return done


def test_ctrl_c_during_the_renames_waits_until_every_file_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {
        tmp_path / name: f"{name} new\n" for name in ("svcgen.lock", "a.yaml", "b.yaml", "c.yaml")
    }
    (tmp_path / "gone.yaml").write_text("stale\n")
    done = _failing_replace(monkeypatch, 2, None)
    with pytest.raises(KeyboardInterrupt):
        write_files(texts, [tmp_path / "gone.yaml"])
    assert done == ["svcgen.lock", "a.yaml", "b.yaml", "c.yaml"]
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        p.name: t for p, t in texts.items()
    }


def test_a_rename_that_fails_midway_says_what_was_replaced_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("svcgen.lock", "a.yaml", "b.yaml"):
        (tmp_path / name).write_text(f"{name} old\n")
    texts = {tmp_path / name: f"{name} new\n" for name in ("svcgen.lock", "a.yaml", "b.yaml")}
    _failing_replace(monkeypatch, 2, OSError(28, "No space left on device", "tmp", None, "a.yaml"))
    with pytest.raises(PartlyWrittenError) as caught:
        write_files(texts)
    assert (caught.value.filename, caught.value.strerror) == (
        str(tmp_path / "a.yaml"),
        "No space left on device",
    )
    assert caught.value.written == [tmp_path / "svcgen.lock"]
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "svcgen.lock": "svcgen.lock new\n",
        "a.yaml": "a.yaml old\n",
        "b.yaml": "b.yaml old\n",
    }


def test_ctrl_c_as_a_temporary_file_is_made_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    mkstemp = tempfile.mkstemp

    def interrupted(*args: object, **kwargs: object) -> tuple[int, str]:
        made = mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C the moment the file exists
        return made  # type: ignore[no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", interrupted)
    (tmp_path / "a.yaml").write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        write_files({tmp_path / "a.yaml": "new\n", tmp_path / "b.yaml": "new\n"})
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {"a.yaml": "old\n"}


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda path: path.write_text(""), "a file of that name"),
        (os.mkfifo, "a named pipe (FIFO) of that name"),
        (
            lambda path: path.symlink_to("/nonexistent"),
            "a symbolic link of that name (to /nonexistent, no folder)",
        ),
    ],
)
def test_what_stands_where_a_folder_must_go_is_named(
    tmp_path: Path, make: Callable[[Path], None], what: str
) -> None:
    make(tmp_path / "out")
    with pytest.raises(UsageError) as caught:
        make_folders(tmp_path / "out" / "deep")
    assert str(caught.value) == (
        f"{tmp_path / 'out'}: error: cannot create the folder: {what} is in the way. Fix: "
        "remove or rename it, or choose another path"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_large_text_is_written_without_an_encoded_copy_of_the_whole(tmp_path: Path) -> None:
    """Writing a 16 MB render allocates a slice at a time (a memory figure, not a timing:
    deterministic)."""
    import tracemalloc

    text = (
        "apiVersion: v1\nkind: Service\n" * (1 << 19) + "name: café\n"
    )  # 15 MB, one non-ASCII character
    tracemalloc.start()
    try:
        write_files({tmp_path / "out.yaml": text})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "out.yaml").read_bytes() == text.encode()
    assert peak < len(text) // 4, peak
