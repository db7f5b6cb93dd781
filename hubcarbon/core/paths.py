"""Output locations, and the one function that turns an untrusted name into a path.

Model ids come from strangers: `safe_child` guarantees that whatever the id holds (`../`,
`%2e%2e`, backslashes, NUL, absolute paths, drive letters) the result stays inside the chosen
output directory.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

OUT_DIR = Path("out")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(name: str, *, max_length: int = 120) -> str:
    """A file-name-safe, collision-resistant slug for an untrusted name such as a model id.

    Anything outside `[A-Za-z0-9._-]` becomes `_`, leading dots are removed (no `..`, no hidden
    files), and a short hash of the original keeps distinct ids distinct.
    """
    normal = unicodedata.normalize("NFKC", name)
    cleaned = _UNSAFE.sub("_", normal.replace("/", "__")).lstrip(".") or "_"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned[:max_length]}-{digest}"


def safe_child(root: Path, name: str, suffix: str = "") -> Path:
    """`root / slug(name) + suffix`, checked to resolve inside `root`."""
    root_resolved = root.resolve()
    candidate = (root_resolved / (slug(name) + suffix)).resolve()
    if root_resolved not in candidate.parents:
        raise ValueError(f"refusing a path outside {root}: {name!r}")
    return candidate
