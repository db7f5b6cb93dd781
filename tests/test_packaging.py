"""The light install and the CLI around it: `hubcarbon lint` loads no analysis stack, a command
whose extra is missing says so in one line, `python -m hubcarbon` is not shadowed by the working
directory, and the wheel carries the licence."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import FIXTURES, REPO_ROOT

HEAVY = ("pandas", "scipy", "statsmodels", "matplotlib", "duckdb", "pyarrow", "numpy", "sklearn")
CARD = FIXTURES / "lint_cases" / "HC102_negative.md"


def _python(code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_lint_imports_none_of_the_analysis_stack(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from hubcarbon.cli import main\n"
        "code = main(['lint', '--format', 'sarif', sys.argv[1]])\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)\n"
    )
    done = _python(code, tmp_path, str(CARD))
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 1 and '"ruleId": "HC102"' in done.stdout
    loaded = {name.partition(".")[0] for name in report["modules"]}
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "huggingface_hub" not in loaded and "analysis" not in loaded
    for command in ("rules", "card"):
        done = _python(code.replace("'lint', '--format', 'sarif', sys.argv[1]", f"'{command}'"),
                       tmp_path)  # fmt: skip
        modules = json.loads(done.stderr.strip().splitlines()[-1])["modules"]
        assert not {name.partition(".")[0] for name in modules} & set(HEAVY), command


@pytest.mark.slow
def test_a_command_whose_extra_is_missing_says_so_in_one_line(tmp_path: Path) -> None:
    """duckdb made unimportable, as in a light install."""
    code = (
        "import sys\n"
        "sys.modules['duckdb'] = None\n"
        "from hubcarbon.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    done = _python(code, tmp_path, "crawl", "--models", "co2")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "hubcarbon: error: `hubcarbon crawl` needs the optional dependencies of hubcarbon[all] "
        "(no module 'duckdb'): pip install 'hubcarbon[all]'"
    ]
    listing = _python(code, tmp_path, "--help")
    assert listing.returncode == 0 and "needs hubcarbon[all]" in listing.stdout
    assert _python(code, tmp_path, "lint", str(CARD)).returncode == 1  # lint still works


@pytest.mark.slow
def test_python_m_hubcarbon_is_not_shadowed_by_the_working_directory(tmp_path: Path) -> None:
    for name in ("analysis", "mining", "classifiers"):
        (tmp_path / f"{name}.py").write_text("raise SystemExit('shadowed')\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "__init__.py").write_text("raise SystemExit('shadowed')\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hubcarbon", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    version = run("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("hubcarbon, version ")
    assert run("analyze", "--help").returncode == 0  # imports mining
    replicated = run("replicate", "--out", str(tmp_path / "out" / "replication.json"))
    assert replicated.returncode == 0, replicated.stderr  # imports analysis and classifiers
    linted = run("lint", str(CARD))
    assert linted.returncode == 1 and "HC102" in linted.stdout
    assert "shadowed" not in linted.stderr


@pytest.mark.slow
def test_the_wheel_carries_the_licence(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO_ROOT),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("hubcarbon-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
        text = archive.read(licence).decode()
        meta = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert text == (REPO_ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "License-Expression: Apache-2.0" in meta
    assert "Provides-Extra: all" in meta
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    light = [line for line in requires if "extra ==" not in line]
    assert sorted(r.split()[1].split(">")[0].lower() for r in light) == [
        "click", "markdown-it-py", "pyyaml",
    ]  # fmt: skip
