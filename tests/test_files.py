"""The file system: the one directory walk and its skip rules, reading texts, atomic writes, the OS lock."""

from __future__ import annotations

import io
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from svcgen.files import exclusive_lock, find_files, read_sources, read_text_if_exists, write_atomic, write_files


def _tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kind: Service\n")


def test_the_walk_is_sorted_and_skips_hidden_private_and_dependency_folders(tmp_path: Path) -> None:
    _tree(tmp_path, "b.yaml", "a.yml", "c.json", "notes.txt", ".hidden.yaml", "sub/z.yaml", "sub/deeper/y.yaml",
          ".git/x.yaml", "_build/x.yaml", "__pycache__/x.yaml", "node_modules/x.yaml", "venv/x.yaml", "env/x.yaml",
          "site-packages/x.yaml", "build/x.yaml", "dist/x.yaml")
    found = [str(p.relative_to(tmp_path)) for p in find_files(tmp_path, (".yaml", ".yml", ".json"))]
    assert found == ["a.yml", "b.yaml", "c.json", "sub/z.yaml", "sub/deeper/y.yaml"]


def test_a_named_file_is_always_read_and_folders_are_walked(tmp_path: Path) -> None:
    _tree(tmp_path, "manifests/a.yaml", "manifests/dist/b.yaml", "odd.txt")
    sources = read_sources([str(tmp_path / "manifests"), str(tmp_path / "odd.txt"), "-"], io.StringIO("x: 1\n"))
    assert [Path(s.name).name if s.name != "<stdin>" else s.name for s in sources.texts] == [
        "<stdin>", "a.yaml", "odd.txt"]
    assert sources.problems == [] and not sources.unreadable


def test_files_that_are_not_text_are_problems_with_a_position(tmp_path: Path) -> None:
    (tmp_path / "nul.yaml").write_bytes(b"a: 1\n\0")
    (tmp_path / "latin1.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    sources = read_sources([str(tmp_path)])
    assert [s.text for s in sources.texts] == ["a: 1\n"]  # the BOM is dropped
    messages = sorted((Path(p.file).name, p.line, p.message) for p in sources.problems)
    assert messages == [("latin1.yaml", 2, "not UTF-8 text (byte 0xe9 at offset 11)"),
                        ("nul.yaml", 1, "not a text file (it contains NUL bytes)")]
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


def test_the_os_lock_serialises_holders(tmp_path: Path) -> None:
    order: list[str] = []

    def second() -> None:
        with exclusive_lock(tmp_path / "not-yet" / "svcgen.lock"):
            order.append("second")

    with exclusive_lock(tmp_path / "not-yet" / "svcgen.lock"):  # a folder not made yet: made, then locked
        assert (tmp_path / "not-yet").is_dir()
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
    assert not (tmp_path / "not-yet").exists()  # nothing was written there: the folder made for the lock is gone


def test_the_os_lock_keeps_the_folder_it_made_once_a_file_is_written_there(tmp_path: Path) -> None:
    lock = tmp_path / "deploy" / "ports" / "svcgen.lock"
    with exclusive_lock(lock):
        write_atomic(lock, "x\n")
    assert lock.read_text() == "x\n"
    with exclusive_lock(tmp_path / "a" / "b" / "svcgen.lock"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy"]


def test_a_file_in_a_missing_folder_is_named_in_the_error_not_its_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.yaml"
    with pytest.raises(FileNotFoundError) as raised:
        write_files({target: "a: 1\n"})
    assert raised.value.filename == str(target)
