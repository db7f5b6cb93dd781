"""Everything that turns untrusted, card-derived data into markup, links or embedded data.

Model ids, authors and every card field are written by strangers. Text reaches HTML only through
Jinja2's autoescape; data reaches scripts only through `script_json`; links are built only by
`hub_url`, from ids that match the Hub's id grammar, and only as https URLs.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

HUB = "https://huggingface.co/"

# The Hub's repo id grammar, as found on real (also legacy) ids: an optional owner and a name of
# letters, digits, `_`, `-` and `.`, each starting with a letter, digit or `_`, at most 96
# characters; no `..` anywhere and no trailing `.`, so no part can be `.` or `..`.
_PART = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,95}"
MODEL_ID = re.compile(rf"(?:{_PART}/)?{_PART}")

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def is_model_id(value: str) -> bool:
    """True when `value` is a well-formed Hub model id (`owner/name` or a bare legacy name)."""
    return MODEL_ID.fullmatch(value) is not None and "--" not in value and ".." not in value


def is_legacy_id(model_id: str) -> bool:
    """True for a well-formed id without an owner (`gpt2`): the Hub has since moved most such
    repositories under an owner, so its page at the bare name may not exist."""
    return is_model_id(model_id) and "/" not in model_id


def hub_url(model_id: str) -> str | None:
    """`https://huggingface.co/<id>` for a well-formed id; None for anything else."""
    if not is_model_id(model_id):
        return None
    return HUB + quote(model_id, safe="/")


def stable_json(value: Any, *, indent: int | None = None) -> str:
    """JSON with sorted keys and no NaN, the same text for the same value on every run."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=separators,
    )


def script_json(value: Any) -> Markup:
    """`value` as JSON that is safe inside `<script type="application/json">`.

    `<`, `>` and `&` become `\\u003c`, `\\u003e`, `\\u0026` (so `</script>` and `<!--` cannot
    end or confuse the element), and U+2028/U+2029 are escaped too. JSON.parse reads it back
    unchanged.
    """
    text = _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], stable_json(value))
    return Markup(text)  # every markup-significant character is escaped above
