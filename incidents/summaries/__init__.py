"""Summaries: the brief, sentence picking, the offline and LLM writers, the faithfulness check."""
