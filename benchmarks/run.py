"""Side-by-side timings, printed as ``time NAME SECONDS`` and ``ratio NAME VALUE`` lines.

Run from a virtual environment with svcgen installed (the README's commands make ``.venv``):

    .venv/bin/python benchmarks/run.py [--quick]

Cold start: ``svcgen render examples/seed/app.py`` as a whole process through the installed
console script, against the floor any pydantic + ruamel.yaml program pays and against
``python -c pass``; runs are alternated and the median of each is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def cold_start(runs: int) -> None:
    svcgen = BIN / ("svcgen.exe" if os.name == "nt" else "svcgen")
    if not svcgen.exists():
        sys.exit(f"{svcgen} not found: install svcgen into this environment first (pip install .)")
    commands = {
        "svcgen_render_seed": [str(svcgen), "render", "examples/seed/app.py"],
        "floor_pydantic_basemodel_ruamel": [sys.executable, "-c", "from pydantic import BaseModel; import ruamel.yaml"],
        "floor_import_pydantic_ruamel": [sys.executable, "-c", "import pydantic, ruamel.yaml"],
        "python_pass": [sys.executable, "-c", "pass"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the OS caches once
        _time(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(_time(cmd))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, value in medians.items():
        print(f"time cold_{name} {value:.4f}")
    render = medians["svcgen_render_seed"]
    print(f"ratio cold_render_vs_basemodel_ruamel_floor {render / medians['floor_pydantic_basemodel_ruamel']:.2f}")
    print(f"ratio cold_render_vs_import_pydantic_ruamel {render / medians['floor_import_pydantic_ruamel']:.2f}")
    print(f"ratio cold_render_vs_python_pass {render / medians['python_pass']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (well under a minute)")
    args = parser.parse_args()
    print(f"info cores {os.cpu_count()}")
    cold_start(runs=7 if args.quick else 21)


if __name__ == "__main__":
    main()
