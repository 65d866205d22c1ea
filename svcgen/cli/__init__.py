"""The command line: the parser, one ``except`` for svcgen's errors, one module per command group.

Owns: :mod:`.main` (entry point, exit codes), :mod:`.parser` (every option), :mod:`.project`
(the project a run works on: settings resolved once, the Apps, the lock file, writing),
:mod:`.render` (render, lock check), :mod:`.show` (ports, explain), :mod:`.lock` (lock
prune), :mod:`.lint`, :mod:`.importer` (import) and :mod:`.new`. The only place with I/O on
the user's behalf, standard streams and exit codes.

May import: everything in svcgen. Nothing imports it.
"""

from __future__ import annotations

from svcgen.cli.main import main, main_exit

__all__ = ["main", "main_exit"]
