"""`sarif`: SARIF 2.1.0 for GitHub code scanning, with rule metadata, repository-relative paths
(`uriBaseId: %SRCROOT%`) and fingerprints that survive lines moving."""

from __future__ import annotations

import json
from importlib import metadata

from classifiers.lint.findings import Severity
from classifiers.lint.formats.base import Report, fingerprints
from classifiers.lint.registry import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "hubcarbon/v1"


def tool_version() -> str:
    try:
        return metadata.version("hubcarbon")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def render_sarif(report: Report) -> str:
    """One run whose driver lists every rule; one result per finding."""
    rules = sorted(RULES, key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for file in report.files:
        for finding, fingerprint in zip(file.findings, fingerprints(file), strict=True):
            results.append(
                {
                    "ruleId": finding.code,
                    "ruleIndex": index[finding.code],
                    "level": LEVEL[finding.severity],
                    "message": {"text": finding.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": file.path, "uriBaseId": "%SRCROOT%"},
                                "region": {
                                    "startLine": finding.line,
                                    "startColumn": finding.column,
                                },
                            }
                        }
                    ],
                    "partialFingerprints": {FINGERPRINT: fingerprint},
                }
            )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hubcarbon",
                        "version": tool_version(),
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.summary},
                                "fullDescription": {"text": r.doc},
                                "help": {"text": r.doc, "markdown": r.doc},
                                "defaultConfiguration": {"level": LEVEL[r.severity]},
                                "properties": {"fixable": str(r.fixable) if r.fixable else None},
                            }
                            for r in rules
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
