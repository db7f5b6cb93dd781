"""Analysis: the statistics of RQ1 and RQ2 over a crawl, and the replication of the paper."""

FIGURE_MODULES = ("analysis.figures",)
"""The modules a figure worker needs, imported once by the fork server the workers are forked
from (`hubcarbon analyze` starts it before its own imports, so that both import at once)."""
