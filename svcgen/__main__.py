"""``python -m svcgen``: the same as the ``svcgen`` command."""

from __future__ import annotations

from svcgen.cli import main_exit

if __name__ == "__main__":
    main_exit()
