"""`hubcarbon mirror serve` as users run it: a real process, a real port, Ctrl-C to stop."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from huggingface_hub import HfApi
from support import REPO_ROOT

from hubcarbon.cli import main


@pytest.mark.slow
def test_serve_prints_its_url_answers_the_client_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hubcarbon", "mirror", "serve", "--page-size", "5"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        models = list(HfApi(endpoint=url, token=False).list_models(author="bigscience", limit=12))
        assert len(models) == 12 and all(m.id.startswith("bigscience/") for m in models)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Stopping the mirror." in err and "Traceback" not in err


def test_user_errors_are_one_line_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["--host", "8.8.8.8"], "non-loopback host"),
        (["--snapshot", "no-such-file.parquet"], "snapshot file not found"),
        (["--fault-429", "0.7", "--fault-5xx", "0.7"], "fault fractions"),
    ):
        assert main(["mirror", "serve", *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
