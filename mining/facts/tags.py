"""Facts of a model read from its listing's tags (and pipeline tag), in SQL: whether it is an
AutoTrain model, and its domain by the paper's tag-to-domain map.

The domain rule: every tag (normalised, the pipeline tag included) found in `domain_map` votes
for its domain; the candidates are the domains voted for, in DOMAIN_ORDER. One candidate is the
domain; `feature-extraction` with exactly two candidates is NLP; any Multimodal candidate wins
next; otherwise the domain with the most votes, ties to the first of DOMAIN_ORDER. A model
without a domain tag has no domain (NULL) and no candidates.
"""

from __future__ import annotations

from mining.facts.vocabulary import AUTOTRAIN_TAGS

NORMAL_TAGS = """list_distinct(list_filter(
    list_transform(list_append(coalesce(m.tags, []::VARCHAR[]), m.pipeline_tag),
                   lambda x: replace(lower(trim(x)), ' ', '-')),
    lambda x: x IS NOT NULL AND x <> ''))"""
"""The normalised tags of a `models` row `m`, its pipeline tag among them."""

AUTOTRAIN = f"""coalesce(list_has_any(
    list_transform(coalesce(m.tags, []::VARCHAR[]), lambda x: lower(x)),
    {list(AUTOTRAIN_TAGS)!r}), false)"""
"""True for a `models` row `m` whose tags hold one of AUTOTRAIN_TAGS."""

MODEL_FACTS_SQL = f"""
WITH todo AS (
    SELECT m.model_id, m.tags, m.pipeline_tag
    FROM models m
    WHERE m.run_id = $run AND m.rowid >= $first AND m.rowid < $after
      AND NOT EXISTS (SELECT 1 FROM model_facts f WHERE f.run_id = $run AND f.model_id = m.model_id)
),
r AS (
    SELECT m.tags, m.pipeline_tag, {AUTOTRAIN} AS autotrain, {NORMAL_TAGS} AS tags_normal,
           row_number() OVER () AS tag_set
    FROM (SELECT DISTINCT tags, pipeline_tag FROM todo) m
),
t AS (SELECT tag_set, unnest(tags_normal) AS tag FROM r),
per_domain AS (
    SELECT t.tag_set, d.domain, min(d.domain_rank) AS domain_rank, count(*) AS tags,
           bool_or(t.tag = 'feature-extraction') AS feature_extraction
    FROM t JOIN domain_map d USING (tag)
    GROUP BY t.tag_set, d.domain
),
dom AS (
    SELECT tag_set,
           list(domain ORDER BY domain_rank) AS domain_candidates,
           count(*) AS n_domains,
           bool_or(feature_extraction) AS feature_extraction,
           bool_or(domain = 'Multimodal') AS multimodal,
           first(domain ORDER BY tags DESC, domain_rank ASC) AS most_supported
    FROM per_domain GROUP BY tag_set
),
facts AS (
    SELECT r.tags, r.pipeline_tag, r.autotrain,
           CASE WHEN dom.n_domains IS NULL THEN NULL
                WHEN dom.n_domains = 1 THEN dom.most_supported
                WHEN dom.feature_extraction AND dom.n_domains = 2 THEN 'NLP'
                WHEN dom.multimodal THEN 'Multimodal'
                ELSE dom.most_supported END AS domain,
           coalesce(dom.domain_candidates, []::VARCHAR[]) AS domain_candidates
    FROM r LEFT JOIN dom USING (tag_set)
)
SELECT $run AS run_id, todo.model_id, facts.autotrain, facts.domain, facts.domain_candidates
FROM todo JOIN facts ON todo.tags IS NOT DISTINCT FROM facts.tags
    AND todo.pipeline_tag IS NOT DISTINCT FROM facts.pipeline_tag
"""
"""The `model_facts` rows of the run's models with a rowid in [$first, $after) that have none
yet; reads the relation `domain_map` (vocabulary.domain_map) registered for the query. The
facts follow from a model's tags and pipeline tag alone, so they are derived once per distinct
pair (many models share one) and joined back to the models."""
