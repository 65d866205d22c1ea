"""Real processes on one lock file: no port handed out twice, no torn lock after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import HEADER, ROOT

from svcgen.files import writer_mutex
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lockfile import parse_lock

ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _app_source(i: int) -> str:
    return HEADER + textwrap.dedent(f"""
        c = Container("c", ports=[Port("a", 8000), Port("b", 8001), Port("dns", 53, "UDP"),
                                  Port("dns-tcp", 53)])
        app = App("app{i}", namespace="ns{i}", labels={{"app": "app{i}"}}, containers=[c],
                  services=[
            Service("svc{i}", type="NodePort", ports=[c.port("a").expose(), c.port("b").expose(),
                                                      c.port("dns").expose(),
                                                      c.port("dns-tcp").expose()]),
        ])
    """)


def _svcgen(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "svcgen", *args],
        cwd=cwd,
        env=ENV,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_eight_renders_at_once_share_one_lock(tmp_path: Path) -> None:
    for i in range(8):
        (tmp_path / f"app{i}.py").write_text(_app_source(i))
    procs = [
        _svcgen("render", f"app{i}.py", "--lock", "shared.lock", cwd=tmp_path) for i in range(8)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
    lock = parse_lock((tmp_path / "shared.lock").read_text(), "shared.lock", NodePortRange())
    assert len(lock) == 8 * 4
    by_service: dict[int, set[str]] = {}
    for key, port in lock.entries.items():
        by_service.setdefault(port, set()).add(key.service)
    # 3 nodePorts per Service (53/UDP and 53/TCP share one), none shared across Services.
    assert len(by_service) == 8 * 3 and all(len(owners) == 1 for owners in by_service.values())
    rendered = [
        int(line.split()[-1])
        for out, _ in results
        for line in out.splitlines()
        if "nodePort:" in line
    ]
    assert len(rendered) == 32 and len(set(rendered)) == 24
    assert set(rendered) == set(lock.entries.values())


@pytest.mark.slow
def test_a_render_waits_for_the_os_lock(tmp_path: Path) -> None:
    (tmp_path / "app0.py").write_text(_app_source(0))
    start = time.perf_counter()
    free = _svcgen("render", "app0.py", "--lock", "other/svcgen.lock", cwd=tmp_path)
    assert free.wait(timeout=60) == 0
    unblocked = time.perf_counter() - start
    with writer_mutex(tmp_path / "svcgen.lock"):
        proc = _svcgen("render", "app0.py", cwd=tmp_path)
        time.sleep(max(3 * unblocked, 2.0))
        assert proc.poll() is None  # three times longer than a free render: it waits for the lock
        assert not (tmp_path / "svcgen.lock").exists()
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, err
    assert (tmp_path / "svcgen.lock").exists()


WRITER = """
import sys
from svcgen.files import write_atomic
texts = [("A" * 200_000) + "\\n", ("B" * 300_000) + "\\n"]
i = 0
while True:
    write_atomic(sys.argv[1], texts[i % 2])
    i += 1
"""


@pytest.mark.slow
def test_killed_writers_never_leave_a_torn_file(tmp_path: Path) -> None:
    target = tmp_path / "svcgen.lock"
    target.write_text("A" * 200_000 + "\n")
    allowed = {"A" * 200_000 + "\n", "B" * 300_000 + "\n"}
    for attempt in range(12):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], env=ENV)
        time.sleep(0.3 + 0.05 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert target.read_text() in allowed


@pytest.mark.slow
def test_a_killed_render_leaves_the_old_or_the_new_lock(tmp_path: Path) -> None:
    services = "\n".join(
        f'    Service("s{i}", type="NodePort", ports=[c.port("a").expose(), c.port("b").expose()]),'
        for i in range(400)
    )
    source = HEADER + (
        'c = Container("c", ports=[Port("a", 8000), Port("b", 8001)])\n'
        'app = App("big", labels={"app": "big"}, containers=[c], services=[\n' + services + "\n])\n"
    )
    (tmp_path / "app.py").write_text(source)
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5):
        proc = _svcgen("render", "app.py", cwd=tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        lock_file = tmp_path / "svcgen.lock"
        if lock_file.exists():
            lock = parse_lock(lock_file.read_text(), "svcgen.lock", NodePortRange())
            assert len(lock) == 800
    done = _svcgen("render", "app.py", cwd=tmp_path)
    done.communicate(timeout=60)
    assert done.returncode == 0
    assert (
        len(parse_lock((tmp_path / "svcgen.lock").read_text(), "svcgen.lock", NodePortRange()))
        == 800
    )
