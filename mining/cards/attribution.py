"""Which of a card's statements are about *this* model: table rows and sections that name it.

`card_statements(card, model_id)` gives every statement of a parsed card (the metadata's
`co2_eq_emissions` first, then the body's in line order) with its scope settled:

- a table row names this model when every word of the row's name is a word of the model id's
  name (`Llama 3 8B` in `Meta-Llama-3-8B`, `Llama 2 7B` in `Llama-2-7b-chat-hf`, `OLMo 7B` in
  `OLMo-7B` but not `OLMo 7B Twin`; size tokens such as `7B`, `13B`, `70B` are words); among
  several such rows the one with the most words wins, and a tie names none. A row whose name
  looks like a model (it shares a word with the model's name, or has a size token) but is not
  this one is `other-model`; the `Total` row is `family-total`.
- a sentence that says "total" (`Estimated total emissions were 539 tCO2eq`) is `family-total`
  when the card also has a table of several models, or when its amount is a table's Total.
- a section whose heading names this model (`### DALL·E Mini Estimated Emissions` for
  dalle-mini/dalle-mini) attributes its statements to it; when another section's heading names
  a different model the same way (`### DALL·E Mega Estimated Emissions`), that section's
  statements are `other-model`. Headings are compared without case, blanks or punctuation.

Without a model id, rows and sections attribute nothing (totals are still found).
"""

from __future__ import annotations

import re

from mining.cards.card import ParsedCard
from mining.cards.measures import Kind, find_measures
from mining.cards.statements import Scope, Statement, Where, with_scope

_WORD = re.compile(r"[a-z]++|\d++(?:\.\d++)?[a-z]*+")
_SIZE = re.compile(r"\d++(?:\.\d++)?[bmk]")
_COMPACT = re.compile(r"[\W_]++")
_SECTION_END = re.compile(
    r"(?:estimated\s++)?(?:carbon\s++)?(?:emissions?|footprint|co2)\W*+$", re.IGNORECASE
)
_GENERIC_WORDS = frozenset(
    [
        "environmental",
        "impact",
        "carbon",
        "co2",
        "training",
        "pre",
        "fine",
        "tuning",
        "estimated",
        "total",
        "model",
        "the",
        "and",
        "of",
        "our",
        "its",
        "this",
    ]
)
TOTAL_TOLERANCE = 0.01
MAX_TOTALS = 16  # family totals a sentence is compared with (a card states one or two)


def model_name(model_id: str) -> str:
    """The name part of a model id (`Meta-Llama-3-8B` of `meta-llama/Meta-Llama-3-8B`)."""
    return model_id.rsplit("/", 1)[-1]


def words(text: str) -> list[str]:
    """Lowercase words and numbers, a size token (`7b`, `1.3b`) kept whole."""
    return _WORD.findall(text.lower())


def compact(text: str) -> str:
    return _COMPACT.sub("", text.lower())


def card_statements(card: ParsedCard, model_id: str | None = None) -> tuple[Statement, ...]:
    """Every statement the card makes, scopes settled for `model_id` (see the module doc)."""
    body = list(card.prose.statements)
    body = _rows_attributed(body, model_id)
    body = _totals(body)
    body = _sections_attributed(body, model_id)
    metadata = metadata_statement(card)
    return ((metadata,) if metadata else ()) + tuple(body)


def metadata_statement(card: ParsedCard) -> Statement | None:
    """`co2_eq_emissions` as a statement, when it holds an amount."""
    co2 = card.co2
    if co2 is None:
        return None
    value = co2.emissions
    if value.grams is None or value.number is None:
        return None
    raw = value.raw or ""
    measured = find_measures(raw, value.unit) if not value.plain_number else []
    key = "co2_eq_emissions.emissions" if co2.form == "mapping" else "co2_eq_emissions"
    position = co2.value_position or co2.key_position
    return Statement(
        kind=Kind.CO2,
        value=value.number,
        unit=value.unit or "g",
        amount=value.grams,  # checked above
        high=None,
        approximate=bool(measured) and measured[0].approximate,
        unit_written=value.unit_text is not None,
        text=raw,
        where=Where.METADATA,
        key=key,
        line=position.line if position else 0,
        reason="the card's metadata",
    )


def _rows_attributed(statements: list[Statement], model_id: str | None) -> list[Statement]:
    rows = {s.subject for s in statements if s.where is Where.TABLE and s.subject}
    if model_id is None or not rows:
        return statements
    own = words(model_name(model_id))
    matching = [row for row in rows if _row_names(row, own)]
    best = max((len(words(row)) for row in matching), default=0)
    winners = [row for row in matching if len(words(row)) == best]
    mine = winners[0] if len(winners) == 1 else None
    settled = []
    for statement in statements:
        subject = statement.subject
        if (
            statement.where is not Where.TABLE
            or not subject
            or statement.scope is not Scope.TRAINING
        ):
            settled.append(statement)
        elif subject == mine:
            settled.append(
                with_scope(statement, Scope.TRAINING, f"its table row {subject!r} names this model",
                           attributed=True)
            )  # fmt: skip
        elif _looks_like_model(subject, own):
            settled.append(
                with_scope(statement, Scope.OTHER_MODEL, f"the table row {subject!r} names "
                           "another model")
            )  # fmt: skip
        else:
            settled.append(statement)
    return settled


def _row_names(row: str, own: list[str]) -> bool:
    row_words = words(row)
    if not row_words or not set(row_words) <= set(own):
        return False
    own_sizes = [w for w in own if _SIZE.fullmatch(w)]
    return not own_sizes or any(w in row_words for w in own_sizes)


def _looks_like_model(row: str, own: list[str]) -> bool:
    row_words = words(row)
    return any(_SIZE.fullmatch(w) for w in row_words) or any(
        w in own and len(w) > 2 and not w.isdigit() for w in row_words
    )


def _totals(statements: list[Statement]) -> list[Statement]:
    family_tables = {
        s.key for s in statements if s.where is Where.TABLE and s.scope is Scope.FAMILY_TOTAL
    }
    model_rows = {
        s.subject
        for s in statements
        if s.where is Where.TABLE and s.subject and _SIZE.search(s.subject.lower())
    }
    totals = [s.amount for s in statements if s.scope is Scope.FAMILY_TOTAL and s.kind is Kind.CO2]
    several = len(model_rows) >= 2 or bool(family_tables)
    settled = []
    for statement in statements:
        equal_total = any(
            abs(statement.amount - total) <= TOTAL_TOLERANCE * max(total, 1e-300)
            for total in totals
        )
        if (
            statement.where is not Where.TABLE
            and statement.scope is Scope.TRAINING
            and statement.kind is Kind.CO2
            and (equal_total or (statement.says_total and several))
        ):
            why = "it equals the table's Total" if equal_total else "a total over several models"
            statement = with_scope(statement, Scope.FAMILY_TOTAL, f"the family total: {why}")
        settled.append(statement)
    return settled


def _sections_attributed(statements: list[Statement], model_id: str | None) -> list[Statement]:
    if model_id is None:
        return statements
    own = compact(model_name(model_id))
    titles = {s.section for s in statements if s.section}
    named = {title: _section_model(title) for title in titles}
    mine = {t for t, name in named.items() if name is not None and own in compact(t)}
    others = {t for t, name in named.items() if name is not None and t not in mine}
    settled = []
    for statement in statements:
        title = statement.section
        if title in mine and statement.scope is Scope.TRAINING and not statement.attributed:
            statement = with_scope(
                statement, Scope.TRAINING, f"its section {title!r} names this model",
                attributed=True,
            )  # fmt: skip
        elif title in others and mine and statement.scope is Scope.TRAINING:
            statement = with_scope(
                statement, Scope.OTHER_MODEL, f"its section {title!r} names another model"
            )
        settled.append(statement)
    return settled


def _section_model(title: str) -> str | None:
    """The model a heading like `DALL·E Mega Estimated Emissions` names, or None."""
    match = _SECTION_END.search(title)
    if match is None:
        return None
    name = title[: match.start()].strip()
    return name if set(words(name)) - _GENERIC_WORDS else None
