"""What each flag on an emissions figure means, in one sentence for readers: taken from the
documentation of `mining.cards.emission_record.Flag` (its docstring is the one home of the
meanings), so a new flag is explained on the site as soon as it is documented there."""

from __future__ import annotations

import re
from functools import cache

from mining.cards.emission_record import Flag

# "- `name`: meaning", continued on indented lines, in the Flag docstring
_ITEM = re.compile(r"^\s*- `([a-z-]+)`: (.*)$")


@cache
def flag_meanings() -> dict[str, str]:
    """Flag name -> its documented meaning (one line, whitespace collapsed)."""
    meanings: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (Flag.__doc__ or "").splitlines():
        item = _ITEM.match(line)
        if item:
            current = meanings.setdefault(item.group(1), [item.group(2).strip()])
        elif current is not None and line.strip():
            current.append(line.strip())
        else:
            current = None
    return {name: " ".join(parts) for name, parts in meanings.items()}


def explain(flag: str) -> str:
    """The meaning of `flag`, or a plain note for an undocumented one."""
    return flag_meanings().get(flag, "a flag this version of hubcarbon does not document")
