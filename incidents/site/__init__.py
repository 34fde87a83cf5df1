"""The public site: pages, filters, queries, charts, conditional GET, search and feeds."""
