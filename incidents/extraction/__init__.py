"""Extraction: the facts of one article (pure)."""
