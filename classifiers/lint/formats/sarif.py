"""`sarif`: SARIF 2.1.0 for GitHub code scanning, with rule metadata and pages (`helpUri`),
repository-relative percent-encoded paths (`uriBaseId: %SRCROOT%`) and fingerprints that
survive lines moving.

GitHub code scanning rejects a run of more than 25,000 results, so at most `MAX_RESULTS` are
written, errors first, then warnings, then notes (in file order within a level); when some are
left out, the run's invocation carries a warning notification saying how many.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from classifiers.lint.docs import help_uri, repository_url
from classifiers.lint.findings import Severity
from classifiers.lint.formats.base import FileReport, Options, Tally, fingerprints
from classifiers.lint.registry import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "hubcarbon/v1"
MAX_RESULTS = 25_000
SRCROOT = "%SRCROOT%"


def tool_version() -> str:
    try:
        return metadata.version("hubcarbon")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def artifact_location(path: str) -> dict[str, str]:
    """A relative path as a percent-encoded (RFC 3986) reference under %SRCROOT%; an absolute
    one as a file: URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path, safe="/")}
    windows = PureWindowsPath(path)
    if windows.drive and windows.root:  # C:/... (a drive-relative `c:x` is a relative path)
        return {"uri": "file:///" + quote(windows.as_posix(), safe="/:")}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


@dataclass
class SarifWriter:
    """One run whose driver lists every rule; one result per finding, at most MAX_RESULTS."""

    options: Options
    _kept: dict[Severity, list[dict[str, object]]] = field(
        default_factory=lambda: {level: [] for level in Severity}, init=False
    )
    _seen: int = field(default=0, init=False)

    def start(self) -> str:
        return ""

    def file(self, file: FileReport) -> str:
        index = {code: i for i, code in enumerate(sorted(RULES.ids()))}
        location = artifact_location(file.path)
        for finding, fingerprint in zip(file.findings, fingerprints(file), strict=True):
            self._seen += 1
            kept = self._kept[finding.severity]
            if len(kept) >= MAX_RESULTS:
                continue
            kept.append(
                {
                    "ruleId": finding.code,
                    "ruleIndex": index[finding.code],
                    "level": LEVEL[finding.severity],
                    "message": {"text": finding.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": location,
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
        return ""

    def finish(self, tally: Tally) -> str:
        results: list[dict[str, object]] = []
        for level in sorted(Severity, key=lambda s: -s.rank):
            results.extend(self._kept[level][: MAX_RESULTS - len(results)])
        left_out = self._seen - len(results)
        run: dict[str, object] = {
            "tool": {"driver": _driver()},
            "invocations": [_invocation(left_out)],
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "repository root"}}},
            "results": results,
        }
        document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _driver() -> dict[str, object]:
    return {
        "name": "hubcarbon",
        "version": tool_version(),
        "informationUri": repository_url(),
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.doc},
                "help": {"text": r.doc, "markdown": r.doc},
                "helpUri": help_uri(r.code),
                "defaultConfiguration": {"level": LEVEL[r.severity]},
                "properties": {"fixable": str(r.fixable) if r.fixable else None},
            }
            for r in sorted(RULES, key=lambda r: r.code)
        ],
    }


def _invocation(left_out: int) -> dict[str, object]:
    invocation: dict[str, object] = {"executionSuccessful": True}
    if left_out:
        message = (
            f"{left_out:,} more results were left out: GitHub code scanning accepts at most "
            f"{MAX_RESULTS:,} results per run (errors are kept first); lint fewer files per "
            "upload, or select fewer rules"
        )
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": message}}
        ]
    return invocation
