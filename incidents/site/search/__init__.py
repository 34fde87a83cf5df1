"""Search: query parsing, the index, the view."""
