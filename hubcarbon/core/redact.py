"""Secrets out of everything a server sends back, before it is stored or printed.

A hostile (or merely chatty) server can echo the request's `Authorization` header into an error
message or a header; `redact` removes the caller's own token wherever it appears, and anything
shaped like a credential: `Bearer <value>` and Hugging Face tokens (`hf_...`, `api_org_...`).
Every pattern is linear-time: one literal prefix followed by one run of a character class the
prefix cannot restart inside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "<redacted>"

_CREDENTIAL_SHAPES = (
    re.compile(r"(?i)\bbearer[ \t]+[^\s\"',;]+"),
    re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{6,}"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every secret in `secrets` and every credential-shaped word replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for shape in _CREDENTIAL_SHAPES:
        text = shape.sub(REDACTED, text)
    return text


def redact_exact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with only the given secrets replaced: for content that must stay byte-identical
    (a README) unless it carries the caller's own token."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text
