"""Write classifiers/data/efficiency_boundaries_v1.json: the frozen reference values and
boundaries of label scheme hubcarbon-v1, computed once on the named reference population.

Run from the repository root (a development tool, not part of the package):

    .venv/bin/python tools/freeze_boundaries.py            # refuses to overwrite
    .venv/bin/python tools/freeze_boundaries.py --force    # only for a deliberate new freeze

Changing the boundaries of a published scheme changes labels: freeze a new scheme version
(hubcarbon-v2, a new file) instead of overwriting v1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifiers.efficiency.reference import compute_frozen, reference_population

TARGET = Path(__file__).resolve().parent.parent / "classifiers/data/efficiency_boundaries_v1.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite an existing freeze")
    args = parser.parse_args()
    if TARGET.exists() and not args.force:
        print(f"{TARGET.name} exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    data = compute_frozen(reference_population())
    data["frozen_on"] = dt.datetime.now(dt.UTC).date().isoformat()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({data['reference_population']['rows']} reference models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
