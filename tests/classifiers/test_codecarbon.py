"""`hubcarbon card from-codecarbon` on every CodeCarbon layout (real files), bad CSVs, and
writing the block into real cards byte for byte."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from support import FIXTURES

from classifiers.lint import lint_text
from classifiers.lint.codecarbon import (
    Co2Block,
    co2_block,
    read_emissions_csv,
    select_runs,
    write_block,
)
from hubcarbon.cli import main
from mining.cards.card import parse_card

CSVS = FIXTURES / "codecarbon"
CARDS = FIXTURES / "cards"


def _run_totals_kg(path: Path) -> list[float]:
    """Each run's last row (largest duration) read independently with the csv module; rows
    without a run_id are runs of their own; task-mode rows (tasks of a run) all count."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["emissions"]]
    if rows and "task_name" in rows[0]:
        return [float(r["emissions"]) for r in rows]
    last: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows):
        run = row.get("run_id") or f"row {number}"
        if run not in last or float(row["duration"] or 0) >= float(last[run]["duration"] or 0):
            last[run] = row
    return [float(r["emissions"]) for r in last.values()]


def _kg_column(path: Path, **where: str) -> list[float]:
    """The emissions column read independently (csv module), filtered by column values."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        float(r["emissions"])
        for r in rows
        if r["emissions"] and all(r[k] == v for k, v in where.items())
    ]


@pytest.mark.parametrize(
    ("name", "layout", "rows", "skipped"),
    [
        ("codecarbon_example_31col.csv", "31-column", 26, 2),
        ("codecarbon_test_38col.csv", "38-column", 1, 0),
        ("codecarbon_test_old_11col.csv", "old", 1, 0),
        ("luccioni_task_emissions_base_1f948169.csv", "task", 2, 0),
        ("luccioni_task_emissions_base_0c6c7cdd.csv", "task", 2, 0),
    ],
)
def test_every_layout_sums_kilograms_into_grams(
    name: str, layout: str, rows: int, skipped: int
) -> None:
    data = read_emissions_csv(CSVS / name)
    assert data.layout == layout
    block = co2_block(select_runs(data))
    assert (block.rows, block.skipped) == (rows, skipped)
    assert block.grams == pytest.approx(sum(_run_totals_kg(CSVS / name)) * 1000, rel=1e-12)
    assert block.source.startswith("CodeCarbon")


def test_a_run_counts_with_its_last_row_not_the_sum_of_its_running_totals() -> None:
    """CodeCarbon's own example file: run 8a1d9822 is flushed six times (running totals)."""
    example = CSVS / "codecarbon_example_31col.csv"
    data = read_emissions_csv(example)
    run = "8a1d9822-56c9-4c52-8497-5a2e32dd5b03"
    block = co2_block(select_runs(data, run_ids=[run]))
    assert (block.rows, block.runs) == (6, 1)
    assert block.grams == pytest.approx(max(_kg_column(example, run_id=run)) * 1000, rel=1e-12)
    assert f"{block.grams:.5f}" == "0.00115"
    assert sum(_kg_column(example, run_id=run)) * 1000 > 3.6 * block.grams  # what summing gave
    whole = co2_block(select_runs(data))
    assert whole.runs == 19
    summed = sum(_kg_column(example)) * 1000
    assert whole.grams < summed and 1.07 < summed / whole.grams < 1.09  # overstated by 8 %


def test_block_maps_location_and_hardware() -> None:
    block = co2_block(select_runs(read_emissions_csv(CSVS / "codecarbon_test_38col.csv")))
    assert block.yaml() == (
        "co2_eq_emissions:\n"
        "  emissions: 0.449099\n"
        '  source: "CodeCarbon 2.1.3"\n'
        '  geographical_location: "Casablanca-settat, Morocco"\n'
        '  hardware_used: "Intel(R) Core(TM) i7-8850H CPU @ 2.60GHz"\n'
    )
    task = co2_block(
        select_runs(read_emissions_csv(CSVS / "luccioni_task_emissions_base_1f948169.csv")),
        "fine-tuning",
    )
    assert task.geographical_location == "Oregon, United States"
    assert task.hardware_used == "8 x NVIDIA A100-SXM4-80GB"
    assert ("training_type", "fine-tuning") in task.fields()
    parsed = parse_card("---\n" + task.yaml() + "---\n")
    assert parsed.co2 is not None and parsed.co2.emissions.plain_number
    assert parsed.co2.emissions.grams == pytest.approx(task.grams, rel=1e-5)


def test_selecting_projects_runs_and_the_last_run() -> None:
    sweep = CSVS / "luccioni_complete_zeroshot_qa_squad2_bloomz.csv"
    data = read_emissions_csv(sweep)
    block = co2_block(select_runs(data, project="bigscience/bloomz-3b"))
    expected = sum(_kg_column(sweep, project_name="bigscience/bloomz-3b")) * 1000
    assert block.rows == 10 and block.grams == pytest.approx(expected, rel=1e-12)
    example = CSVS / "codecarbon_example_31col.csv"
    data = read_emissions_csv(example)
    run = "8a1d9822-56c9-4c52-8497-5a2e32dd5b03"
    chosen = co2_block(select_runs(data, run_ids=[run]))
    assert chosen.runs == 1
    assert chosen.grams == pytest.approx(max(_kg_column(example, run_id=run)) * 1000, rel=1e-12)
    last = select_runs(data, last=True)
    final = data.rows[-1].get("run_id")
    assert last == [r for r in data.rows if r.get("run_id") == final] and len(last) == 1


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty file"),
        (b"timestamp,project_name,emissions\n", "no runs (only a header)"),
        (b"timestamp,project_name,duration\n2021,x,3\n", "no 'emissions' column"),
        (b"timestamp,emissions\n2021,abc\n", "line 2, column 'emissions': 'abc' is not a number"),
        (b"timestamp,emissions\n2021,-0.5\n", "'-0.5' is not a non-negative number"),
        (b"timestamp,emissions\n2021,nan\n", "is not a non-negative number"),
        (b"timestamp,emissions\n2021,0.1,extra\n", "line 2 has 3 fields, the header 2"),
        (b"timestamp,emissions\n2021,\n", "none of the selected rows has an emissions value"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"a,b\x00,emissions\n", "binary data"),
        ('timestamp,emissions\n"2021,0.1\n', "not a valid CSV"),
    ],
)
def test_bad_csvs_exit_2_with_a_clear_error(
    tmp_path: Path, content: bytes | str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "emissions.csv", content)
    assert main(["card", "from-codecarbon", str(path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--run-id", "nope"], "no run 'nope'"),
        (["--project", "nope"], "no rows of project 'nope'"),
        ([], "belong to 4 projects; choose one with --project"),
        (["--write"], "--write needs --card"),
        (["--training-type", "training"], "training"),
    ],
)
def test_bad_selections_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = CSVS / "luccioni_complete_zeroshot_qa_squad2_bloomz.csv"
    assert main(["card", "from-codecarbon", str(sweep), *argv]) == 2
    assert needle in capsys.readouterr().err


def _block(name: str = "luccioni_task_emissions_base_1f948169.csv") -> Co2Block:
    return co2_block(select_runs(read_emissions_csv(CSVS / name)), "fine-tuning")


@pytest.mark.parametrize(
    "reference",
    [
        "popular_cards/bigscience__bloom.md",  # mapping in the middle of the front matter
        "popular_cards/dalle-mini__dalle-mini.md",  # mapping indented by 6
        "with_co2_metadata/404E__autotrain-formality-1026434913.md",  # scalar form
        "ok_no_co2/29thDay__ppo-LunarLander-v2.md",  # no co2_eq_emissions yet
        "no_front_matter/Ahmad__parsT5.md",  # no front matter at all
        "hf_hub_test_fixtures/sample_windows_line_breaks.md",  # CRLF
    ],
)
def test_writing_keeps_the_rest_of_real_cards(reference: str) -> None:
    before = (CARDS / reference).read_bytes().decode("utf-8")
    block = _block()
    after = write_block(before, block)
    old, new = parse_card(before), parse_card(after)
    assert new.co2 is not None
    assert new.co2.emissions.grams == pytest.approx(block.grams, rel=1e-5)
    assert new.co2.training_type == "fine-tuning"
    assert new.body == old.body
    keep = {k: v for k, v in (old.metadata or {}).items() if k != "co2_eq_emissions"}
    assert {k: v for k, v in (new.metadata or {}).items() if k != "co2_eq_emissions"} == keep
    # only the co2_eq_emissions lines differ
    removed = [x for x in before.splitlines(True) if x not in after.splitlines(True)]
    assert all(x.strip().split(":")[0] in _co2_keys() for x in removed if x.strip())
    if "\r\n" in before:
        assert "\n" not in after.replace("\r\n", "")
    assert write_block(after, block) == after  # idempotent
    codes = {f.code for f in lint_text(after)}
    assert not {"HC100", "HC101", "HC104", "HC105", "HC106"} & codes


def _co2_keys() -> set[str]:
    return {"co2_eq_emissions", "emissions", "source", "training_type",
            "geographical_location", "hardware_used"}  # fmt: skip


def test_writing_refuses_an_unreadable_front_matter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "README.md"
    shutil.copyfile(CARDS / "malformed_front_matter" / "Madhour__gpt2-eli5.md", card)
    before = card.read_bytes()
    csv_path = CSVS / "codecarbon_test_38col.csv"
    assert main(["card", "from-codecarbon", str(csv_path), "--card", str(card), "--write"]) == 2
    assert "front matter cannot be read" in capsys.readouterr().err
    assert card.read_bytes() == before


def test_cli_prints_or_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = CSVS / "luccioni_task_emissions_base_0c6c7cdd.csv"
    assert main(["card", "from-codecarbon", str(csv_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("co2_eq_emissions:\n  emissions: 20.2907\n")
    assert "task layout, 2 row(s) of 1 run(s)" in captured.err
    card = tmp_path / "README.md"
    shutil.copyfile(CARDS / "popular_cards" / "bigscience__bloom.md", card)
    before = card.read_bytes()
    argv = ["card", "from-codecarbon", str(csv_path), "--card", str(card)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert card.read_bytes() == before  # printing never writes
    assert main([*argv, "--write", "--replace", "--training-type", "pre-training"]) == 0
    written = card.read_bytes().decode()
    expected = write_block(before.decode(), _block("luccioni_task_emissions_base_0c6c7cdd.csv"))
    assert written == expected.replace("training_type: fine-tuning", "training_type: pre-training")
    assert printed == write_block(
        before.decode(), co2_block(select_runs(read_emissions_csv(csv_path)))
    )
    assert written.count("co2_eq_emissions:") == 1


def test_location_and_hardware_options_state_what_codecarbon_could_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = CSVS / "codecarbon_test_old_11col.csv"  # no hardware columns
    assert co2_block(select_runs(read_emissions_csv(old))).hardware_used is None
    argv = ["card", "from-codecarbon", str(old), "--hardware", "8 x A100",
            "--location", "Oregon,  USA"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert '  geographical_location: "Oregon, USA"\n' in out
    assert '  hardware_used: "8 x A100"\n' in out
    assert main(["card", "from-codecarbon", str(old), "--hardware", " "]) == 2
    assert "--hardware should be one line" in capsys.readouterr().err


def test_write_refuses_to_replace_a_stated_figure_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "README.md"
    shutil.copyfile(CARDS / "popular_cards" / "bigscience__bloom.md", card)
    before = card.read_bytes()
    old_block = parse_card(before.decode()).co2
    assert old_block is not None and old_block.training_type == "pre-training"
    csv_path = CSVS / "codecarbon_example_31col.csv"
    argv = ["card", "from-codecarbon", str(csv_path), "--card", str(card), "--write"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "states co2_eq_emissions already (24700000 g)" in err and "--replace" in err
    assert "0.19537 g" in err and "Traceback" not in err
    assert card.read_bytes() == before  # untouched
    assert main([*argv, "--replace"]) == 0
    err = capsys.readouterr().err
    assert "co2_eq_emissions.emissions: 24700000 -> 0.19537" in err
    assert 'co2_eq_emissions.hardware_used: "384 A100 80GB GPUs" -> "1 x Apple M1"' in err
    assert "training_type" not in err  # kept, not changed
    after = parse_card(card.read_text())
    assert after.co2 is not None
    assert after.co2.training_type == "pre-training"
    assert after.co2.emissions.grams == pytest.approx(0.19537, rel=1e-5)
    assert after.body == parse_card(before.decode()).body
    assert main([*argv, "--replace"]) == 0
    assert "co2_eq_emissions unchanged" in capsys.readouterr().err
    assert main(["card", "from-codecarbon", str(csv_path), "--replace"]) == 2
    assert "--replace goes with --write" in capsys.readouterr().err
