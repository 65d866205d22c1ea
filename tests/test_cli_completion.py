"""Shell completion, generated from the parser by argcomplete, tried in a real bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_script_for_each_shell(shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.code == 0 and "svcgen" in result.out and "_ARGCOMPLETE" in result.out
    assert run_cli("completion", "tcsh").code == 2


def _complete(line: str, tmp_path: Path) -> list[str]:
    """Source the bash script, then ask it to complete ``line`` as bash would on TAB."""
    script = tmp_path / "svcgen.bash"
    script.write_text(run_cli("completion", "bash").out)
    bin_dir = Path(sys.executable).parent
    words = line.split(" ")
    driver = (
        f'source {script}\nCOMP_LINE="{line}"\nCOMP_POINT=${{#COMP_LINE}}\n'
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\nCOMP_CWORD={len(words) - 1}\n"
        "_python_argcomplete svcgen\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        ["bash", "-c", driver],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    return [w.strip() for w in result.stdout.splitlines() if w.strip()]


@pytest.mark.skipif(
    shutil.which("bash") is None or not (Path(sys.executable).parent / "svcgen").exists(),
    reason="needs bash and the installed svcgen command",
)
def test_bash_completes_commands_and_options(tmp_path: Path) -> None:
    assert "render" in _complete("svcgen re", tmp_path)
    assert {"--locked", "--lock"} <= set(_complete("svcgen render --lo", tmp_path))
    assert "prune" in _complete("svcgen lock pr", tmp_path)
