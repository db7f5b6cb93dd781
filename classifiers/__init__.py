"""Classifiers: lint-rule registry, reporting-quality grades, efficiency labels, alternatives."""
