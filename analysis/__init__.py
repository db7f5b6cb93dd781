"""Analysis: the statistics of RQ1 and RQ2 over a crawl, and the replication of the paper."""
