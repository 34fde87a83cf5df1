"""docs/architecture.md maps the code: every module is named there, and every file it names exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAP_TOPS = ("outagehub", "articles", "incidents")
NAME = re.compile(r"[\w.-]+(?:/[\w.-]+)*/|[\w.-]+\.(?:py|json)")
DESCRIPTION_COLUMN = 20  # a line that starts this far in continues the description above it


def map_lines() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Repository map", 1)[1]
    return section.split("```", 2)[1].strip("\n").splitlines()


def named_paths(lines: list[str]) -> set[str]:
    """The paths the map names: each entry line is indented two spaces per folder level and starts
    with one or more names (a folder ends in "/"), then its description."""
    folders: list[str] = []
    paths: set[str] = set()
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or indent >= DESCRIPTION_COLUMN:
            continue
        folders = folders[: indent // 2]
        here = list(folders)  # names after a folder on the same line are inside it
        for name in line.split():
            if not NAME.fullmatch(name):
                break
            if name.endswith("/"):
                here = [*here, *name.strip("/").split("/")]
                folders = here
            else:
                paths.add("/".join([*here, name]))
    return paths


def code_modules() -> set[str]:
    modules = set()
    for top in MAP_TOPS:
        for path in (ROOT / top).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if path.name == "__init__.py" or "migrations" in relative.parts:
                continue
            modules.add(relative.as_posix())
    return modules


def test_every_module_is_on_the_map():
    missing = code_modules() - named_paths(map_lines())
    assert not missing, f"add these to docs/architecture.md's repository map: {sorted(missing)}"


def test_every_file_on_the_map_exists():
    named = {p for p in named_paths(map_lines()) if p.split("/")[0] in MAP_TOPS}
    absent = sorted(p for p in named if not (ROOT / p).exists())
    assert not absent, f"docs/architecture.md names files that do not exist: {absent}"


@pytest.mark.parametrize("line, expected", [
    (["incidents/            the app", "  site/               pages", "    urls.py views.py  thin views"],
     {"incidents/site/urls.py", "incidents/site/views.py"}),
    (["articles/   x", "  management/commands/  add_source.py fetch_sources.py"],
     {"articles/management/commands/add_source.py", "articles/management/commands/fetch_sources.py"}),
])
def test_the_map_reader_follows_folders_and_several_names_on_a_line(line, expected):
    assert named_paths(line) == expected
