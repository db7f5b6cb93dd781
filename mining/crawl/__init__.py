"""The crawler: list models, fetch and parse their cards through the real `huggingface_hub`
client, and commit every page and batch into the store so a stopped crawl resumes.

crawler (the run and the listing), listing (listing pages into rows, in SQL), cards (the card
stages), hubclient (HTTP through huggingface_hub's session), budget (requests per 5-minute
window), records (rows built from what the Hub returns).
"""
