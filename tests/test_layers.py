"""The layer contract: reports -> classifiers -> analysis -> mining, imports pointing down only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import REPO_ROOT


def test_import_linter_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken" in result.stdout
