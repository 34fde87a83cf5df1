"""Folders of tests/fixtures that hold files we made, not recordings of real sources: the hostile
corpus (tests/hostile) and the small made-up streams of the evaluation replay tests."""

CRAFTED = frozenset({"hostile", "eval"})
