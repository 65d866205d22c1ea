"""``python -m svcgen`` is the svcgen command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import EXAMPLES, ROOT


def test_python_dash_m_svcgen(example: Callable[[str], Path]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "svcgen", "render", str(example("seed") / "app.py")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (EXAMPLES / "seed" / "expected.yaml").read_text()
