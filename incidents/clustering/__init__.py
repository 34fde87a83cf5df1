"""Clustering: signals, scoring and choice, lifecycle, exclusions, metrics, evaluation replay."""
