"""Tests of the source adapters: pure functions over recorded payloads, no database."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def read_fixture(relative_path: str) -> bytes:
    return (FIXTURES / relative_path).read_bytes()
