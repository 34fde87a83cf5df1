"""Data migrations carry frozen copies of the app code they need; the copies agree with the app today."""

import importlib

from incidents.extraction import regions

regions_migration = importlib.import_module("incidents.migrations.0004_incident_hidden_and_regions")


def test_the_region_migration_expands_every_label_as_the_app_does():
    ancestors = regions_migration._ancestors()
    assert ancestors.keys() == regions._KIND.keys()
    for label, covered in ancestors.items():
        assert covered == regions.expand(label), label


def test_no_migration_imports_live_app_code():
    from pathlib import Path

    for app in ("articles", "incidents"):
        for path in (Path(__file__).resolve().parents[2] / app / "migrations").glob("0*.py"):
            text = path.read_text(encoding="utf-8")
            assert "from incidents." not in text and "from articles." not in text, path.name
            assert "import incidents" not in text and "import articles" not in text, path.name
