"""The tables of the grading stage (namespace `classifiers`), as numbered migrations.

Every row carries the `run_id` of the crawl it was computed from; `hubcarbon classify` replaces
all rows of that run in one transaction, so re-running it is idempotent. Column meanings are in
docs/schema.md.
"""

from __future__ import annotations

import duckdb

from mining.store.schema import Migration, apply_migrations

NAMESPACE = "classifiers"

TABLES: tuple[str, ...] = (
    "reporting_grades",
    "efficiency_labels",
    "alternatives",
    "lint_findings",
    "lint_summary",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "reporting grades, efficiency labels, alternatives, lint findings and summary",
        """
        CREATE TABLE reporting_grades (
            run_id     INTEGER NOT NULL,
            model_id   VARCHAR NOT NULL,
            scheme     VARCHAR NOT NULL,
            level      INTEGER NOT NULL,
            level_name VARCHAR NOT NULL,
            evidence   JSON NOT NULL,
            measured   BOOLEAN NOT NULL,
            PRIMARY KEY (run_id, model_id, scheme)
        );
        CREATE TABLE efficiency_labels (
            run_id         INTEGER NOT NULL,
            model_id       VARCHAR NOT NULL,
            scheme         VARCHAR NOT NULL,
            letter         VARCHAR,
            rating         INTEGER,
            compound       DOUBLE,
            metrics        JSON NOT NULL,
            weights        JSON NOT NULL,
            autotrain      BOOLEAN NOT NULL,
            inherited_from VARCHAR,
            status         VARCHAR NOT NULL,
            PRIMARY KEY (run_id, model_id, scheme)
        );
        CREATE TABLE alternatives (
            run_id            INTEGER NOT NULL,
            model_id          VARCHAR NOT NULL,
            rank              INTEGER NOT NULL,
            alternative_id    VARCHAR NOT NULL,
            pipeline_tag      VARCHAR NOT NULL,
            co2_g             DOUBLE NOT NULL,
            performance_score DOUBLE,
            PRIMARY KEY (run_id, model_id, rank)
        );
        CREATE TABLE lint_findings (
            run_id   INTEGER NOT NULL,
            model_id VARCHAR NOT NULL,
            code     VARCHAR NOT NULL,
            name     VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            line     INTEGER,
            "column" INTEGER,
            message  VARCHAR NOT NULL,
            fixable  BOOLEAN NOT NULL
        );
        CREATE TABLE lint_summary (
            run_id   INTEGER NOT NULL,
            code     VARCHAR NOT NULL,
            name     VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            cards    INTEGER NOT NULL,
            findings INTEGER NOT NULL,
            PRIMARY KEY (run_id, code)
        );
        """,
    ),
)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the classifiers tables up to date; returns the schema version reached."""
    return apply_migrations(con, NAMESPACE, MIGRATIONS)
