"""The loopback Hub mirror: a snapshot served over HTTP so the unmodified `huggingface_hub` client
crawls it as it would crawl the Hub.

server (the HTTP server), routes (the Hub's HTTP surface as pure functions), index (listing
filters, sorts and cursors), faults (seeded faults and the Hub's rate buckets).
"""
