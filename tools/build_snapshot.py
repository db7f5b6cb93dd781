"""Build the embedded Hub snapshot (`mining/snapshot/data/hub_snapshot.parquet`) from real data.

Usage (from the repository root):

    .venv/bin/python tools/build_snapshot.py [--shared ../shared/data] [--out mining/snapshot/data]

Inputs, all under `--shared` (see the README next to the output for provenance and licences):

- `hf_modelcards_2023/all_cards.jsonl.gz`: 25,109 README.md files (April 2023) with model ids;
- `hf_model_info_liang2023/model_info.parquet`: listing metadata of 74,970 models (about Oct 2022);
- `paper/HFStreamlit.csv`: the 1,417 CO2 reporters of Castaño et al. (2023), ids without owner.

The build is deterministic: rows sorted by id, JSON with sorted keys, fixed zstd level, no
timestamps, so the same inputs give the same bytes. Rerun it after changing any input and commit
the Parquet file together with the updated README (counts and sha256 are printed at the end).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "mining" / "snapshot" / "data"
SNAPSHOT_NAME = "hub_snapshot.parquet"

# The Hub's own front-matter regex (huggingface_hub repocard.py says it is the server's).
FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")

# Tags the Hub computes from repository files or its own state, never written in a card.
HUB_COMPUTED_TAGS = frozenset(
    {"no-tag", "co2_eq_emissions", "model-index", "has_space", "autotrain_compatible"}
)
FRAMEWORK_TAGS = frozenset(
    {"pytorch", "tf", "jax", "safetensors", "onnx", "rust", "tensorboard", "coreml", "tflite"}
)
# library_name values, in the order used to pick one from the paper's list of libraries.
LIBRARY_PRIORITY = (
    "transformers",
    "diffusers",
    "sentence-transformers",
    "stable-baselines3",
    "ml-agents",
    "sample-factory",
    "espnet",
    "nemo",
    "spacy",
    "fasttext",
    "setfit",
    "timm",
    "keras",
    "adapter-transformers",
    "fairseq",
    "speechbrain",
    "flair",
    "sklearn",
    "joblib",
    "pytorch",
)
PAPER_CO2_KEYS = ("source", "training_type", "geographical_location", "hardware_used")
NOT_SPECIFIED = "Not Specified"
# The paper's `source` says AutoTrain for every AutoTrain model (from its `auto` flag): AutoTrain
# itself writes no `source` into the card, so a rebuilt card does not either.
PAPER_SOURCE_FROM_FLAG = "AutoTrain"
# Text an AutoTrain (or AutoNLP) job writes into the card it generates: its dataset repository
# name, its heading, its emissions line. All plain substrings (no regex, no backtracking).
AUTOTRAIN_MARKERS = (
    ("autotrain-data dataset", "autotrain-data-"),
    ("autotrain-data dataset", "autonlp-data-"),
    ("AutoTrain heading", "model trained using autotrain"),
    ("AutoTrain heading", "model trained using autonlp"),
    ("AutoTrain CO2 line", "co2 emissions (in grams)"),
)
OWNER_TEXT_STOP = frozenset({"models", "datasets", "spaces", "huggingface.co", "api", "resolve"})

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("author", pa.string()),
        ("created_at", pa.string()),
        ("last_modified", pa.string()),
        ("downloads", pa.int64()),
        ("likes", pa.int64()),
        ("pipeline_tag", pa.string()),
        ("library_name", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("siblings", pa.list_(pa.struct([("rfilename", pa.string()), ("size", pa.int64())]))),
        ("sha", pa.string()),
        ("readme", pa.large_string()),
        ("card_data", pa.string()),
        ("card_status", pa.string()),
        ("card_origin", pa.string()),
        ("paper_name", pa.string()),
        ("paper_row", pa.int64()),
        ("paper_co2", pa.float64()),
        ("owner_resolution", pa.string()),
        ("provenance", pa.string()),
    ],
)


# --- card text -> cardData, as the Hub derives it -------------------------------------------


def front_matter_status(readme: str | None) -> tuple[str, dict[str, Any] | None]:
    """(status, cardData) for a README: the Hub's regex, PyYAML safe_load, JSON conversion.

    status is one of missing, empty, no_front_matter, empty_front_matter, yaml_error,
    not_mapping, ok. cardData is only given for ok.
    """
    if readme is None:
        return "missing", None
    if not readme.strip():
        return "empty", None
    text = readme.removeprefix("\ufeff")
    match = FRONT_MATTER.search(text)
    if match is None:
        return "no_front_matter", None
    try:
        data = yaml.safe_load(match.group(2))
    except yaml.YAMLError:
        return "yaml_error", None
    except (ValueError, TypeError, RecursionError):  # PyYAML leaks these on odd input
        return "yaml_error", None
    if data is None:
        return "empty_front_matter", None
    if not isinstance(data, dict):
        return "not_mapping", None
    return "ok", to_json(data)


def to_json(value: Any) -> Any:
    """A YAML value as the Hub's JSON: string keys, ISO dates, no NaN/Infinity."""
    if isinstance(value, dict):
        return {_json_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_json(v) for v in items]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return hub_time(moment)
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    converted = to_json(key)
    return converted if isinstance(converted, str) else str(converted)


def hub_time(moment: dt.datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.000Z` (UTC, millisecond precision), the Hub's date format."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def derive_tags(
    card: Mapping[str, Any] | None,
    library_name: str | None,
    pipeline_tag: str | None,
    extra: Iterable[str] = (),
) -> list[str]:
    """Tags as the Hub derives them: library, frameworks, card tags, task, datasets, languages,
    `co2_eq_emissions` when the metadata has it, licence; de-duplicated, first occurrence kept."""
    extra = list(extra)
    ordered: list[str] = []
    if library_name:
        ordered.append(library_name)
    ordered += [t for t in extra if t in FRAMEWORK_TAGS]
    card = card or {}
    ordered += _strings(card.get("tags"))
    if pipeline_tag:
        ordered.append(pipeline_tag)
    ordered += [f"dataset:{d}" for d in _strings(card.get("datasets"))]
    ordered += _strings(card.get("language"))
    if card.get("co2_eq_emissions") is not None:
        ordered.append("co2_eq_emissions")
    ordered += [f"license:{x}" for x in _strings(card.get("license"))]
    ordered += [t for t in extra if t not in FRAMEWORK_TAGS]
    seen: set[str] = set()
    unique = []
    for tag in ordered:
        tag = tag.strip()
        if tag and tag not in seen:
            seen.add(tag)
            unique.append(tag)
    return unique


def commit_sha(model_id: str, readme: str | None, listing: Mapping[str, Any]) -> str:
    """A deterministic 40-hex commit id derived from the model's content (not a real git sha)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(b"hubcarbon-snapshot\0" + model_id.encode() + b"\0")
    digest.update(json.dumps(listing, sort_keys=True, ensure_ascii=False).encode() + b"\0")
    digest.update((readme or "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# --- sources ---------------------------------------------------------------------------------


@dataclass
class PaperRow:
    """One reporter of HFStreamlit.csv, with the fields the snapshot uses."""

    row: int
    name: str
    co2: float
    datasets: list[str]
    created_at: str | None
    last_modified: str | None
    downloads: int | None
    likes: int | None
    libraries: list[str]
    size: int | None
    tags: list[str]
    co2_fields: dict[str, str]
    cleaned: dict[str, list[str]]
    co2_in_metadata: bool
    text: str | None


@dataclass
class Sources:
    cards: dict[str, str]
    info: dict[str, dict[str, Any]]
    paper: list[PaperRow]
    files: dict[str, str] = field(default_factory=dict)


def _paper_time(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return hub_time(pd.Timestamp(value).to_pydatetime())


def _literal_list(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return []
    return [str(v) for v in parsed if isinstance(v, str) and v] if isinstance(parsed, list) else []


def _int_or_none(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def load_sources(shared: Path) -> Sources:
    cards_path = shared / "hf_modelcards_2023" / "all_cards.jsonl.gz"
    info_path = shared / "hf_model_info_liang2023" / "model_info.parquet"
    paper_path = shared / "paper" / "HFStreamlit.csv"
    for path in (cards_path, info_path, paper_path):
        if not path.is_file():
            raise SystemExit(f"build_snapshot: missing input {path}")
    cards: dict[str, str] = {}
    with gzip.open(cards_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            cards[item["model_id"]] = item["readme"]
    info: dict[str, dict[str, Any]] = {}
    frame = pd.read_parquet(info_path)
    for rec in frame.to_dict("records"):
        created = rec["creation_time"]
        info[str(rec["modelId"])] = {
            "author": rec["author"] if isinstance(rec["author"], str) else None,
            "created_at": None if pd.isna(created) else hub_time(created.to_pydatetime()),
            "downloads": _int_or_none(rec["downloads"]),
            "pipeline_tag": None
            if rec["task_category"] in (None, "unknown")
            else rec["task_category"],
            "has_modelcard": bool(rec["has_modelcard"]),
        }
    paper_frame = pd.read_csv(paper_path, low_memory=False)
    tag_columns = [c for c in paper_frame.columns if c.startswith("is_")]
    paper = []
    for rec in paper_frame.to_dict("records"):
        text = rec["modelcard_text"] if isinstance(rec["modelcard_text"], str) else None
        co2_fields: dict[str, str] = {}
        cleaned: dict[str, list[str]] = {}
        for key in PAPER_CO2_KEYS:
            value = rec[key]
            if not isinstance(value, str) or value in (NOT_SPECIFIED, PAPER_SOURCE_FROM_FLAG):
                continue
            co2_fields[key], rules = clean_extracted(value, text)
            if rules:
                cleaned[key] = rules
        paper.append(
            PaperRow(
                row=int(rec["Unnamed: 0"]),
                name=str(rec["modelId"]),
                co2=float(rec["co2_eq_emissions"]),
                datasets=_literal_list(rec["datasets"]),
                created_at=_paper_time(rec["created_at"]),
                last_modified=_paper_time(rec["lastModified"]),
                downloads=_int_or_none(rec["downloads"]),
                likes=_int_or_none(rec["likes"]),
                libraries=_literal_list(rec["library_name"]),
                size=_int_or_none(rec["size"]),
                tags=_paper_tags(rec, tag_columns),
                co2_fields=co2_fields,
                cleaned=cleaned,
                co2_in_metadata=rec.get("is_co2_eq_emissions") == 1,
                text=text,
            )
        )
    return Sources(cards=cards, info=info, paper=paper)


def clean_extracted(value: str, card_text: str | None) -> tuple[str, list[str]]:
    """A field value the paper extracted from a card's prose, without the debris its regex kept,
    and the names of the rules that removed some (empty when the value was clean):

    - `markdown-emphasis`: `*`/`_` runs and spaces at either end (the regex started after the
      colon inside `**Hardware Type:** 8 16GB V100` and kept the closing `**`);
    - `trailing-period`: one final `.` ending a list item (`RTX 2080 Ti.`), kept after a
      one-letter abbreviation (`U.S.`);
    - `doubled-initial`: a doubled first letter (`TTPU v3-256`) when the card's own text states
      the value with a single one (`TPU v3-256`) and never with two.
    """
    rules = []
    stripped = value.strip().strip("*_").strip()
    if stripped != value:
        value, rules = stripped, ["markdown-emphasis"]
    if value.endswith(".") and not value.endswith("..") and not _ends_in_initial(value):
        value, rules = value[:-1].rstrip(), [*rules, "trailing-period"]
    text = card_text or ""
    if len(value) > 2 and value[0] == value[1] and value[0].isalpha():
        single = value[1:]
        if single in text and value not in text:
            value, rules = single, [*rules, "doubled-initial"]
    return value, rules


def _ends_in_initial(value: str) -> bool:
    """`U.S.`, `Corp. A.`: the final period closes a one-letter abbreviation."""
    last = value[:-1].rsplit(maxsplit=1)[-1] if value[:-1].strip() else ""
    return len(last.rsplit(".", 1)[-1]) == 1


def autotrain_marker(readme: str | None) -> str | None:
    """The first AutoTrain marker in a README (`autotrain-data dataset`, `AutoTrain heading`,
    `AutoTrain CO2 line`), or None: AutoTrain jobs write them into every card they generate."""
    text = (readme or "").lower()
    for name, marker in AUTOTRAIN_MARKERS:
        if marker in text:
            return name
    return None


def _paper_tags(rec: dict[str, Any], tag_columns: list[str]) -> list[str]:
    """The tags the paper recorded for a reporter: its one-hot `is_<tag>` columns (which kept only
    frequent tags per processing split), plus `autotrain` where the paper's `auto` flag (computed
    from the full tags: `autotrain` or `autonlp`) is set but neither tag survived the one-hot
    filtering."""
    tags = [c[3:] for c in tag_columns if rec[c] == 1 and c[3:] not in HUB_COMPUTED_TAGS]
    if rec.get("auto") is True and not {"autotrain", "autonlp"} & set(tags):
        tags.append("autotrain")
    return tags


# --- owners of the paper's bare names --------------------------------------------------------


def _dataset_owners(datasets: list[str]) -> set[str]:
    return {d.split("/", 1)[0].replace(" ", "") for d in datasets if "/" in d}


def _text_owners(name: str, text: str | None) -> set[str]:
    if not text:
        return set()
    pattern = re.compile(r"([A-Za-z0-9][\w.-]*)/" + re.escape(name) + r"(?![\w.-])")
    return {m.group(1) for m in pattern.finditer(text)} - OWNER_TEXT_STOP


def _has_card(sources: Sources, model_id: str) -> bool:
    return model_id in sources.cards or bool(sources.info.get(model_id, {}).get("has_modelcard"))


def _narrow(
    row: PaperRow, candidates: list[str], sources: Sources, co2_cards: set[str]
) -> tuple[tuple[str, str] | None, list[str]]:
    """Narrow same-name candidates by evidence, in order; stop at the first unique survivor."""
    evidence: list[tuple[str, Callable[[str], bool]]] = [
        ("creation time", lambda c: sources.info.get(c, {}).get("created_at") == row.created_at),
        ("CO2 metadata in the 2023 card", lambda c: c in co2_cards),
        ("dataset owner", lambda c: c.split("/")[0] in _dataset_owners(row.datasets)),
        ("the only one with a model card", lambda c: _has_card(sources, c)),
    ]
    narrowed = candidates
    for label, keep in evidence:
        subset = [c for c in narrowed if keep(c)]
        if len(subset) == 1:
            return (subset[0], f"disambiguated: {label}"), subset
        if subset:
            narrowed = subset
    return None, narrowed


def resolve_owners(sources: Sources) -> dict[int, tuple[str, str]]:
    """Map each paper row to (model id, reason). Reasons start with `matched`, `disambiguated`,
    `card-text` or `bare` and say how the owner was (or was not) recovered."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for model_id in [*sources.cards, *sources.info]:
        by_name[model_id.rsplit("/", 1)[-1]].add(model_id)
    co2_cards = {mid for mid, text in sources.cards.items() if "co2_eq_emissions" in text[:20000]}
    chosen: dict[int, tuple[str, str]] = {}
    pending: dict[str, list[tuple[PaperRow, list[str]]]] = defaultdict(list)
    for row in sources.paper:
        candidates = sorted(by_name.get(row.name, ()))
        if len(candidates) == 1:
            chosen[row.row] = (candidates[0], "matched: unique id with this name")
            continue
        if not candidates:
            owners = _text_owners(row.name, row.text)
            if len(owners) == 1:
                owner = owners.pop()
                chosen[row.row] = (f"{owner}/{row.name}", "card-text: owner named in the card")
            else:
                why = "several owners in the card text" if owners else "no id with this name"
                chosen[row.row] = (row.name, f"bare: {why}")
            continue
        picked, narrowed = _narrow(row, candidates, sources, co2_cards)
        if picked is not None:
            chosen[row.row] = picked
        else:
            pending[row.name].append((row, narrowed))
    for name, rows in sorted(pending.items()):
        pool = sorted({c for _, cands in rows for c in cands})
        if len(rows) > 1 and len(pool) == len(rows):
            # Repositories sharing a name and a history: pair them by download rank.
            ranked = sorted(
                pool, key=lambda c: (-(sources.info.get(c, {}).get("downloads") or 0), c)
            )
            by_downloads = sorted(rows, key=lambda r: (-(r[0].downloads or 0), r[0].row))
            for (row, _), model_id in zip(by_downloads, ranked, strict=True):
                chosen[row.row] = (model_id, "disambiguated: download rank among same-name copies")
            continue
        for row, cands in rows:
            chosen[row.row] = (name, f"bare: {len(cands)} candidate ids")
    _split_collisions(chosen, sources)
    return chosen


def _split_collisions(chosen: dict[int, tuple[str, str]], sources: Sources) -> None:
    """Two reporters must never share an id: the later row falls back to its bare name, then to
    `<name>` suffixed with its paper row (the only invented ids, reported by the build)."""
    rows = {r.row: r for r in sources.paper}
    taken: dict[str, int] = {}
    for row_no in sorted(chosen, key=lambda n: (-(rows[n].downloads or 0), n)):
        model_id = chosen[row_no][0]
        if model_id not in taken:
            taken[model_id] = row_no
            continue
        name = rows[row_no].name
        if name not in taken and name not in sources.info and name not in sources.cards:
            chosen[row_no] = (name, f"bare: {model_id} already taken by another reporter")
        else:
            chosen[row_no] = (f"{name}-paper-row-{row_no}", "invented: same-name reporter")
        taken[chosen[row_no][0]] = row_no


# --- assembling records ----------------------------------------------------------------------


def reconstruct_card(row: PaperRow, library_name: str | None) -> str:
    """A README rebuilt from a paper row: front matter from the row's own fields plus its body."""
    meta: dict[str, Any] = {}
    if row.datasets:
        meta["datasets"] = row.datasets
    card_tags = [t for t in row.tags if t not in FRAMEWORK_TAGS and t != library_name]
    if card_tags:
        meta["tags"] = card_tags
    if library_name:
        meta["library_name"] = library_name
    if row.co2_in_metadata:
        meta["co2_eq_emissions"] = {"emissions": row.co2, **row.co2_fields}
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n{row.text or ''}"


def _rebuilt_co2_provenance(row: PaperRow) -> dict[str, str]:
    """Where each `co2_eq_emissions` field of a rebuilt card comes from, with the cleaning rules
    applied to it (`paper2023; cleaned: markdown-emphasis`)."""
    prov = {}
    for key in row.co2_fields:
        origin = "paper2023 (harmonised source class)" if key == "source" else "paper2023"
        rules = row.cleaned.get(key)
        prov[f"co2_eq_emissions.{key}"] = (
            f"{origin}; cleaned: {', '.join(rules)}" if rules else origin
        )
    return prov


def _library_from_paper(libraries: list[str]) -> str | None:
    for library in LIBRARY_PRIORITY:
        if library in libraries:
            return library
    return None


def build_records(sources: Sources) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    owners = resolve_owners(sources)
    paper_by_id = {owners[r.row][0]: r for r in sources.paper}
    ids = sorted(set(sources.cards) | set(sources.info) | set(paper_by_id))
    records = []
    stats: Counter[str] = Counter()
    for model_id in ids:
        records.append(_record(model_id, sources, paper_by_id.get(model_id), owners, stats))
    reasons = Counter(reason.split(":")[0] for _, reason in owners.values())
    summary = {
        "models": len(records),
        "cards_2023": len(sources.cards),
        "model_info_2022": len(sources.info),
        "paper_reporters": len(sources.paper),
        "owner_resolution": dict(sorted(reasons.items())),
        **dict(sorted(stats.items())),
    }
    return records, summary


def _record(
    model_id: str,
    sources: Sources,
    paper: PaperRow | None,
    owners: dict[int, tuple[str, str]],
    stats: Counter[str],
) -> dict[str, Any]:
    info = sources.info.get(model_id, {})
    prov: dict[str, str] = {}
    readme = sources.cards.get(model_id)
    card_origin = None
    if readme is not None:
        card_origin, prov["readme"] = "hf_modelcards_2023", "hf_modelcards_2023"
    status, card = front_matter_status(readme)
    library_name = card.get("library_name") if card else None
    library_name = library_name if isinstance(library_name, str) else None
    if library_name:
        prov["library_name"] = "card"
    elif paper and (library_name := _library_from_paper(paper.libraries)):
        prov["library_name"] = "paper2023"
    if paper is not None and readme is None:
        readme = reconstruct_card(paper, library_name)
        card_origin = prov["readme"] = "reconstructed_from_paper"
        status, card = front_matter_status(readme)
        stats["cards_reconstructed"] += 1
        if paper.co2_in_metadata:
            prov.update(_rebuilt_co2_provenance(paper))
            stats["rebuilt_co2_source"] += "source" in paper.co2_fields
            stats["rebuilt_fields_cleaned"] += len(paper.cleaned)
    pipeline_tag = card.get("pipeline_tag") if card else None
    pipeline_tag = pipeline_tag if isinstance(pipeline_tag, str) else None
    if pipeline_tag:
        prov["pipeline_tag"] = "card"
    elif info.get("pipeline_tag"):
        pipeline_tag, prov["pipeline_tag"] = info["pipeline_tag"], "liang2023"
    author = model_id.split("/", 1)[0] if "/" in model_id else info.get("author")
    if author:
        prov["author"] = "id" if "/" in model_id else "liang2023"
    created_at, downloads = info.get("created_at"), info.get("downloads")
    if created_at:
        prov["created_at"] = "liang2023"
    if downloads is not None:
        prov["downloads"] = "liang2023"
    likes = last_modified = None
    siblings: list[dict[str, Any]] = []
    if readme is not None:
        siblings.append({"rfilename": "README.md", "size": len(readme.encode("utf-8"))})
    extra_tags: list[str] = []
    if paper is not None:
        if paper.created_at:
            created_at, prov["created_at"] = paper.created_at, "paper2023"
        if paper.downloads is not None:
            downloads, prov["downloads"] = paper.downloads, "paper2023"
        likes, last_modified = paper.likes, paper.last_modified
        prov["likes"] = prov["last_modified"] = "paper2023"
        if paper.size is not None:
            siblings.append({"rfilename": "pytorch_model.bin", "size": paper.size})
            prov["siblings"] = "paper2023"
        extra_tags = sorted(set(paper.tags) | (set(paper.libraries) & FRAMEWORK_TAGS))
        prov["owner"] = owners[paper.row][1]
        stats["paper_with_2023_card"] += card_origin == "hf_modelcards_2023"
    tags = derive_tags(card, library_name, pipeline_tag, extra_tags)
    prov["tags"] = "derived"
    marker = autotrain_marker(readme)
    if marker and not {"autotrain", "autonlp"} & set(tags):
        tags.append("autotrain")
        prov["autotrain"] = f"text marker: {marker}"
        stats["autotrain_from_text"] += 1
    if card is not None:
        prov["card_data"] = (
            "front_matter"
            if card_origin != "reconstructed_from_paper"
            else ("reconstructed_from_paper")
        )
    if "co2_eq_emissions" in tags:
        stats["with_co2_tag"] += 1
    if readme is not None:
        stats["with_readme"] += 1
    listing = {
        "author": author,
        "created_at": created_at,
        "downloads": downloads,
        "likes": likes,
        "last_modified": last_modified,
        "pipeline_tag": pipeline_tag,
        "library_name": library_name,
        "tags": tags,
    }
    return {
        "id": model_id,
        **listing,
        "siblings": siblings,
        "sha": commit_sha(model_id, readme, listing),
        "readme": readme,
        "card_data": None if card is None else json.dumps(card, sort_keys=True, ensure_ascii=False),
        "card_status": status,
        "card_origin": card_origin,
        "paper_name": paper.name if paper else None,
        "paper_row": paper.row if paper else None,
        "paper_co2": paper.co2 if paper else None,
        "owner_resolution": owners[paper.row][1] if paper else None,
        "provenance": json.dumps(prov, sort_keys=True),
    }


def write_snapshot(records: list[dict[str, Any]], path: Path) -> str:
    """Write the records deterministically; returns the sha256 of the file."""
    table = pa.Table.from_pylist(records, schema=SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(
        table,
        partial,
        compression="zstd",
        compression_level=19,
        row_group_size=8192,
        use_dictionary=["author", "pipeline_tag", "library_name", "card_status", "card_origin"],
        write_statistics=False,
        store_schema=False,
    )
    partial.replace(path)  # atomic: a reader sees the old file or the new one, never half
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(shared: Path, out: Path) -> dict[str, Any]:
    """Build the snapshot from `shared` into `out/hub_snapshot.parquet`; returns the summary."""
    records, summary = build_records(load_sources(shared))
    summary["sha256"] = write_snapshot(records, out / SNAPSHOT_NAME)
    summary["bytes"] = (out / SNAPSHOT_NAME).stat().st_size
    return summary


def _lines(summary: Mapping[str, Any]) -> Iterator[str]:
    for key, value in summary.items():
        yield f"{key}: {value}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    summary = build(args.shared, args.out)
    print("\n".join(_lines(summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
