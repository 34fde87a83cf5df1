"""HTTP out of OutageHub: one guarded, bounded GET for feeds, status pages and scraped pages (fetch.py),
and the one total deadline every request keeps, the LLM summary backend's too (deadline.py).

Pure (no Django) but for client.py, which binds fetch to the settings. Nothing is imported here, so
importing one module does not load the others.
"""
