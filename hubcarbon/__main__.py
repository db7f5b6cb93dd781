"""`python -m hubcarbon`: the CLI, never shadowed by the working directory.

`python -m` puts the working directory first on sys.path, so an `analysis.py` or a `reports/`
there would be imported instead of hubcarbon's own top-level packages. It is dropped before
anything else is imported (as `python -P` does).
"""

import sys
from pathlib import Path


def _drop_working_directory() -> None:
    """Remove the entry `-m` prepended (an editable install may list the same directory later,
    from its .pth file: that one stays)."""
    if sys.path and sys.path[0] in ("", ".", str(Path.cwd())):
        del sys.path[0]


_drop_working_directory()

from hubcarbon.cli import main  # noqa: E402

raise SystemExit(main())
