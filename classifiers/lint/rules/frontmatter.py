"""HC001-HC006: the YAML front matter itself (present, closed, valid, a mapping, bounded)."""

from __future__ import annotations

from collections.abc import Iterator

from classifiers.lint.findings import Problem, Severity
from classifiers.lint.registry import rule
from mining.cards.card import ParsedCard
from mining.cards.frontmatter import MAX_EXPANDED_NODES, MAX_FRONT_MATTER_BYTES
from mining.cards.text import FrontMatterStatus, Position


@rule(
    "HC001",
    "front-matter-missing",
    Severity.WARNING,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=(
        "cards/no_front_matter/Ahmad__parsT5.md",
        "cards/empty_file/Akihiro2__akihiro2-finetuned-kde4-en-to-jp-accelerate.md",
        "cards/malformed_front_matter/aasem__wav2vec2-xls-r-300m-Urdu.md",
        "cards/hf_hub_test_fixtures/sample_no_metadata.md",
    ),
)
def front_matter_missing(card: ParsedCard) -> Iterator[Problem]:
    """The card has no YAML front matter, so the Hub shows no metadata for the model.

    ## What it does
    Fires when README.md does not start with a `---` line opening a YAML block (blank space
    before it is allowed, as on the Hub), when the file is empty, when the block is empty, and
    when the first line is made of dashes the Hub does not take as a fence (`----`, `--- `).

    ## Why it matters
    License, datasets, task, and `co2_eq_emissions` all live in the front matter; without it the
    Hub's filters and the emissions leaderboard cannot see the model.

    ## Example
    ```markdown
    # My model
    Trained for 3 hours on one A100.
    ```

    Use instead:
    ```markdown
    ---
    license: apache-2.0
    co2_eq_emissions:
      emissions: 120
    ---
    # My model
    ```
    """
    if card.status is FrontMatterStatus.EMPTY:
        yield Problem(None, "the card is empty: it has no front matter and no text")
    elif card.status is FrontMatterStatus.NO_FRONT_MATTER:
        if card.fence_like_line is not None:
            yield Problem(
                Position(card.fence_like_line, 1),
                "this line of dashes is not a front-matter fence for the Hub: the block must "
                "open and close with lines that are exactly '---'",
            )
        else:
            yield Problem(
                None,
                "no YAML front matter: start the card with a '---' block holding its metadata",
            )
    elif card.status is FrontMatterStatus.EMPTY_FRONT_MATTER:
        yield Problem(
            Position(card.opening_line or 1, 1),
            "the front matter is empty: the Hub reads it as no metadata",
        )


@rule(
    "HC002",
    "front-matter-unclosed",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=("cards/malformed_front_matter/Akshat__DysphagiaCls2label.md",),
)
def front_matter_unclosed(card: ParsedCard) -> Iterator[Problem]:
    """The opening `---` of the front matter is never closed.

    ## What it does
    Fires when the card opens a YAML block with `---` but no later line is exactly `---`
    (trailing spaces allowed). A `...` line does not close it for the Hub.

    ## Why it matters
    The Hub then ignores the whole block: the metadata is lost and the YAML shows up as text at
    the top of the model page.

    ## Example
    ```markdown
    ---
    license: mit
    # My model
    ```

    Use instead: close the block with a `---` line before the Markdown starts.
    """
    if card.status is FrontMatterStatus.UNTERMINATED:
        yield Problem(
            Position(card.opening_line or 1, 1),
            "the front matter opened here is never closed by a '---' line; the Hub ignores it",
        )


@rule(
    "HC003",
    "yaml-invalid",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=(
        "cards/malformed_front_matter/Madhour__gpt2-eli5.md",
        "cards/hf_hub_test_fixtures/sample_template.md",
    ),
)
def yaml_invalid(card: ParsedCard) -> Iterator[Problem]:
    """The front matter is not valid YAML.

    ## What it does
    Reports the YAML error at the line and column where the parser stopped, in the original
    file, with the parser's own words.

    ## Why it matters
    huggingface_hub raises on invalid YAML (even with `ignore_metadata_errors=True`) and the Hub
    refuses to commit such a card; none of the metadata is usable.

    ## Example
    ```yaml
    tags:
    - bert
     - nlp
    ```

    Use instead: indent list items consistently; quote values containing `: ` or `#`.
    """
    if card.status is FrontMatterStatus.YAML_ERROR and card.yaml_error is not None:
        yield Problem(
            card.yaml_error.position or Position(card.opening_line or 1, 1),
            f"invalid YAML: {card.yaml_error.message}",
        )


@rule(
    "HC004",
    "metadata-not-mapping",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=("cards/hf_hub_test_fixtures/sample_invalid_card_data.md",),
)
def metadata_not_mapping(card: ParsedCard) -> Iterator[Problem]:
    """The front matter is YAML, but a list or a single value instead of `key: value` pairs.

    ## What it does
    Fires when the YAML between the fences parses to anything but a mapping.

    ## Why it matters
    huggingface_hub raises "repo card metadata block should be a dict" and the Hub rejects the
    card: no metadata is read.

    ## Example
    ```yaml
    - license: mit
    - tags: [bert]
    ```

    Use instead:
    ```yaml
    license: mit
    tags: [bert]
    ```
    """
    if card.status is FrontMatterStatus.NOT_A_MAPPING:
        root = card.spans.get(())
        yield Problem(
            root.start if root else Position((card.opening_line or 0) + 1, 1),
            "the front matter must be a mapping of keys to values, not a list or a scalar",
        )


@rule(
    "HC005",
    "duplicate-key",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=("lint_cases/HC005_duplicate_key.md",),
)
def duplicate_key(card: ParsedCard) -> Iterator[Problem]:
    """A key is written twice in the same mapping of the front matter.

    ## What it does
    Reports every repetition of a key after its first occurrence, with the lines of all of them.

    ## Why it matters
    PyYAML (and so huggingface_hub) silently keeps the last value while other YAML parsers
    refuse the document: the value the Hub shows may not be the one the author meant.

    ## Example
    ```yaml
    license: mit
    tags: [bert]
    license: apache-2.0
    ```

    Use instead: keep one `license` line.
    """
    for duplicate in card.duplicate_keys:
        where = ".".join(str(p) for p in (*duplicate.mapping, duplicate.key))
        lines = ", ".join(str(p.line) for p in duplicate.positions)
        for position in duplicate.positions[1:]:
            yield Problem(
                position,
                f"key {duplicate.key!r} is written {len(duplicate.positions)} times in the same "
                f"mapping (lines {lines}); YAML readers disagree on which one counts",
                anchor=where,
            )


@rule(
    "HC006",
    "front-matter-refused",
    Severity.ERROR,
    passes=(
        "lint_cases/clean.md",
        "cards/popular_cards/dalle-mini__dalle-mini.md",
    ),
    fails=("lint_cases/HC006_alias_bomb.md",),
)
def front_matter_refused(card: ParsedCard) -> Iterator[Problem]:
    """The front matter was refused unread: too large, too deep, or an alias bomb.

    ## What it does
    Fires when the YAML block is over 1 MB, nests deeper than the parser can follow, or uses
    anchors and aliases that would expand to over a million nodes (or refer to themselves).
    The check runs in time and memory bounded by the size of the text.

    ## Why it matters
    Such blocks are either accidents (a data file pasted into the card) or attacks on YAML
    readers ("billion laughs"); no tool should expand them.

    ## Example
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    Use instead: keep the front matter to plain metadata.
    """
    reasons = {
        FrontMatterStatus.TOO_LARGE: f"it is over {MAX_FRONT_MATTER_BYTES:,} bytes",
        FrontMatterStatus.TOO_DEEP: "it nests too deeply",
        FrontMatterStatus.ALIAS_BOMB: (
            f"its aliases expand to over {MAX_EXPANDED_NODES:,} nodes or refer to themselves"
        ),
    }
    reason = reasons.get(card.status)
    if reason is not None:
        yield Problem(
            Position(card.opening_line or 1, 1),
            f"the front matter was not read: {reason}",
        )
