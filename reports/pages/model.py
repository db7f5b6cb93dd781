"""One page per CO2 reporter (`models/<slug>.html`), small enough for a site of 100,000 of them:
facts in definition lists, each omitted when unknown, every explanation in words, the styles
shared (static/style.css)."""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from reports import formats
from reports.context import SiteContext
from reports.database import Row
from reports.flags import explain
from reports.inputs import Missing
from reports.pages.badges import badge, widths
from reports.pages.base import Files, page
from reports.render import render
from reports.safety import hub_url, is_legacy_id

PROVENANCE = {
    "metadata": "card metadata (co2_eq_emissions)",
    "prose": "card text (prose)",
    "table": "a table in the card text",
}
WHERE = {
    "metadata": "metadata",
    "label": "a labelled line",
    "table": "a table",
    "prose": "text",
    "sentence": "a sentence",
}
METRIC_WORDS = {  # the page's intro says what the efficiencies are
    "co2": "CO₂",
    "size_efficiency": "size efficiency",
    "dataset_size_efficiency": "data efficiency",
    "downloads": "downloads",
    "performance": "performance",
}


def emission_fields(reporter: Row) -> list[tuple[str, str]]:
    """(field, value) for every emissions field the card states (unknown ones left out; the
    value as written and its unit only when no statement quotes them)."""
    quoted = {str(s.get("text")) for s in _statement_list(reporter)}
    written = reporter["raw_value"] not in quoted
    rows = [
        ("value as written", reporter["raw_value"] if written else None),
        ("unit recognised", reporter["unit"] if written else None),
        ("source", reporter["source"]),
        ("training type", reporter["training_type"]),
        ("location", reporter["geographical_location"]),
        ("hardware", reporter["hardware_used"]),
        ("hours", formats.number(reporter["hours"]) if reporter["hours"] is not None else None),
        ("cloud provider", reporter["cloud_provider"]),
    ]
    return [(name, str(value)) for name, value in rows if value not in (None, "")]


def listing_fields(reporter: Row, domain: str | None) -> list[tuple[str, str, str]]:
    """(field, value, provenance) for the listing, size and card fields that are known; the
    provenance is empty for the Hub listing (the section says so once)."""
    rows: list[tuple[str, Any, str]] = [
        ("author", reporter["author"], ""),
        ("task", reporter["pipeline_tag"], ""),
        ("domain", domain, "from the tags"),
        ("library", reporter["library_name"], ""),
        ("downloads", _known(formats.integer(reporter["downloads"])), ""),
        ("likes", _known(formats.integer(reporter["likes"])), ""),
        ("created", _day(reporter["created_at"]), ""),
        ("last modified", _day(reporter["last_modified"]), ""),
        ("gated", None if reporter["gated"] in (None, False, "false") else reporter["gated"], ""),
        ("revision", reporter["sha"], ""),
        ("tags", ", ".join(reporter["tags"]), ""),
        ("parameters", _known(formats.integer(reporter["parameters"])), "safetensors metadata"),
        (
            "weights",
            _known(formats.size_bytes(reporter["pytorch_model_bytes"])),
            "HEAD of pytorch_model.bin",
        ),
        ("training data", _known(formats.size_bytes(reporter.get("dataset_bytes"))), ""),
        ("card", _card(reporter), "README"),
    ]
    out = [(name, str(value), where) for name, value, where in rows if value not in (None, "")]
    if reporter.get("dataset_bytes") is not None:
        out = [(n, v, _data_provenance(reporter) if n == "training data" else w) for n, v, w in out]
    return out


def _card(reporter: Row) -> str | None:
    """How the README was read, only when it was not simply fetched and parsed."""
    fetch, parse, error = (
        reporter["card_fetch_status"],
        reporter["card_parse_status"],
        reporter["card_parse_error"],
    )
    if (fetch, parse, error) == ("ok", "ok", None):
        return None
    text = f"fetch {fetch or formats.DASH}, parse {parse or formats.DASH}"
    return f"{text}: {error}" if error else text


def _data_provenance(reporter: Row) -> str:
    measure = reporter.get("dataset_size_measure")
    provenance = reporter.get("dataset_size_provenance")
    return f"{measure}, {provenance}" if provenance else str(measure)


def figure(reporter: Row, pages: dict[str, str]) -> dict[str, Any]:
    """The stated and the audited figure in words, the flags explained, and the copy it is."""
    stated, audited = reporter["co2_g"], reporter.get("co2_g_audited")
    where = PROVENANCE.get(str(reporter["provenance"]), str(reporter["provenance"]))
    flags = [(flag, explain(flag).replace("`", "")) for flag in reporter.get("flags") or []]
    document = reporter.get("statements")
    reasons = document.get("reasons", []) if isinstance(document, dict) else []
    origin = reporter.get("copied_from")
    return {
        "stated": stated,
        "stated_text": formats.mass(stated),
        "stated_grams": formats.grams(stated),
        "where": where,
        "audited": audited,
        "audited_text": formats.mass(audited),
        "audited_grams": formats.grams(audited),
        "same": audited is not None and stated is not None and audited == stated,
        "flags": flags,
        "reasons": [str(r) for r in reasons if not str(r).startswith("figure:")],
        "copied_from": origin,
        "copied_page": _sibling(pages.get(str(origin))) if origin else None,
    }


def statements(reporter: Row) -> list[dict[str, Any]]:
    """Every figure the card states, as the quoted text with its line and what was read."""
    document = reporter.get("statements")
    chosen = document.get("chosen") if isinstance(document, dict) else None
    out = []
    for index, entry in enumerate(_statement_list(reporter)):
        if entry.get("kind") == "co2":
            read = formats.mass(entry.get("amount"))
        else:
            read = f"{formats.number(entry.get('value'))} {entry.get('unit') or ''}".strip()
        where = str(entry.get("where"))
        out.append(
            {
                "text": str(entry.get("text") or ""),
                "line": entry.get("line"),
                "where": WHERE.get(where, where),
                "key": "" if where == "sentence" else entry.get("key") or "",
                "read": read,
                "scope": entry.get("scope") or "",
                "chosen": index == chosen,
            }
        )
    return out


def _statement_list(reporter: Row) -> list[dict[str, Any]]:
    document = reporter.get("statements")
    found = document.get("statements") if isinstance(document, dict) else None
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def grade_evidence(grade: Row) -> list[str]:
    """A grade's evidence in words: the quoted sentence and its line, or the tag."""
    evidence = grade.get("evidence")
    out = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("where") == "text" and item.get("sentence"):
            out.append(f"“{item['sentence']}” (line {item.get('line', '?')}; {item.get('term')})")
        else:
            out.append(f"the tag {item.get('match')} ({item.get('term')})")
    return out


def metric_words(label: Row) -> tuple[list[str], list[str]]:
    """(one sentence per rated metric, names of the metrics without a rating) of a label."""
    found, given = label.get("metrics"), label.get("weights")
    metrics: dict[str, Any] = found if isinstance(found, dict) else {}
    weights: dict[str, Any] = given if isinstance(given, dict) else {}
    rated, unknown = [], []
    for name in sorted(metrics):
        entry = metrics[name] if isinstance(metrics[name], dict) else {}
        words = METRIC_WORDS.get(name, name)
        if entry.get("rating") is None:
            unknown.append(words)
            continue
        raw = entry.get("value")
        value = formats.mass(raw) if name == "co2" else formats.number(raw)
        weight = weights.get(name)
        share = f", weight {float(weight):.0%}" if isinstance(weight, int | float) else ""
        rated.append(
            f"{words}: {value}, index {formats.number(entry.get('index'))}, "
            f"rating {entry['rating']}{share}"
        )
    return rated, unknown


@page("model")
def model(context: SiteContext) -> Files:
    """A page per CO2 reporter (`models/<slug>.html`, the slug from
    `hubcarbon.core.paths.safe_child`, so no id can name a file outside the site): the stated
    figure and where the card states it, the audited figure, each flag explained and the copy it
    is; every figure the card states, quoted with its line; the emissions and listing fields
    that are known; its reporting grade in both schemes with the evidence quoted; its efficiency
    label in both schemes broken down per metric in words; its lint findings; its greener
    alternatives (same task, less CO2, performance no worse); its history; and its badge. An id
    without an owner is marked as a legacy id."""
    derived = context.derived
    files: Files = {}
    pairs = zip(context.reporters, context.rows, strict=True)
    for reporter, row in tqdm(
        pairs,
        total=len(context.rows),
        desc="model pages",
        disable=None if context.progress is None else not context.progress,
    ):
        model_id = row["id"]
        labels = derived.labels.get(model_id, [])
        alternatives = [
            {**alt, "page": _sibling(context.model_pages.get(str(alt["alternative_id"])))}
            for alt in derived.alternatives.get(model_id, [])
        ]
        files[context.model_pages[model_id]] = render(
            "model.html.j2",
            root="../",
            current="model",
            run=context.run,
            notices=context.notices,
            model_id=model_id,
            hub=hub_url(model_id),
            legacy=is_legacy_id(model_id),
            slug=context.slugs[model_id],
            badge_width=sum(widths(badge(row))),
            row=row,
            figure=figure(reporter, context.model_pages),
            statements=statements(reporter),
            emissions=emission_fields(reporter),
            listing=listing_fields(reporter, row["domain"]),
            grades=[{**g, "said": grade_evidence(g)} for g in derived.grades.get(model_id, [])],
            labels=[{**label, "words": metric_words(label)} for label in labels],
            lint=derived.lint.get(model_id, []),
            alternatives=alternatives,
            history=context.history.models.get(model_id, []),
            hub_url=hub_url,
            missing={name: m.message for name, m in derived.missing.items()},
            domain_missing=context.domain.message if isinstance(context.domain, Missing) else "",
        )
    return files


def _sibling(path: str | None) -> str | None:
    """A model page's path relative to another model page."""
    return path.removeprefix("models/") if path else None


def _day(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp else None


def _known(text: str) -> str | None:
    return None if text == formats.DASH else text
