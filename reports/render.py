"""The Jinja2 environment of the site: templates shipped in `reports/templates`, autoescape on for
every template (HTML and SVG alike), undefined variables an error, and the site's formatters."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports import formats
from reports.safety import script_json, stable_json
from reports.snapshot import collected, public_endpoint, public_source

# C0 controls other than tab, LF and CR, DEL and C1 controls: parse errors in HTML, shown as U+FFFD
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible(value: Any) -> Any:
    """Every string a template prints, with control characters replaced by U+FFFD."""
    if isinstance(value, str) and _CONTROLS.search(value):
        cleaned = _CONTROLS.sub("\ufffd", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


@cache
def environment() -> Environment:
    """The one environment every page renders with."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        finalize=visible,
    )
    env.filters.update(
        integer=formats.integer,
        grams=formats.grams,
        mass=formats.mass,
        size=formats.size_bytes,
        number=formats.number,
        day=formats.day,
        script_json=script_json,
        pretty_json=lambda value: stable_json(value, indent=2),
        collected=collected,
        public_endpoint=public_endpoint,
        public_source=public_source,
    )
    return env


def render(template: str, **context: Any) -> bytes:
    """Render `template` to UTF-8 bytes."""
    return environment().get_template(template).render(**context).encode("utf-8")
