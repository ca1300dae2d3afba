"""The import map in docs/architecture.md is the rule: each folder imports only the folders its row names, and each
library confined to some folders is imported nowhere else. The test reads both tables from the document, so the
document and the code cannot drift apart."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
FOLDERS = (
    "bot",
    "config",
    "demo",
    "devserver",
    "handlers",
    "i18n",
    "privacy",
    "scheduling",
    "storage",
    "synopsis",
    "web",
)


def _table(heading: str) -> dict[str, set[str]]:
    """The two-column table under `heading`: each row's first cell (a backticked name) and the names in its second."""
    text = DOC.read_text(encoding="utf-8")
    assert f"## {heading}\n" in text, f"docs/architecture.md has no section '## {heading}'"
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        rows[cells[0].strip("`/")] = {name.strip("/") for name in re.findall(r"`([^`]+)`", cells[1])}
    return rows


def _imports(folder: str) -> Iterator[tuple[str, str]]:
    """(file, top-level module) for every absolute import in the folder's code, inside functions too."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield str(path.relative_to(ROOT)), name.split(".")[0]


def test_the_import_map_names_every_folder_once() -> None:
    assert sorted(_table("Import map")) == sorted(FOLDERS)


def test_no_folder_imports_a_folder_its_row_does_not_name() -> None:
    allowed = _table("Import map")
    wrong = sorted(
        f"{file} imports {module}, which the import map does not allow for {folder}/"
        for folder in FOLDERS
        for file, module in _imports(folder)
        if module in FOLDERS and module != folder and module not in allowed[folder]
    )
    assert wrong == []


def test_every_import_the_map_allows_is_one_the_code_makes() -> None:
    # The map shows what is, not only what may be: an allowance nothing uses any more is taken out of the document.
    used = {folder: {module for _, module in _imports(folder)} for folder in FOLDERS}
    unused = sorted(
        f"{folder}/ -> {module}/"
        for folder, modules in _table("Import map").items()
        for module in modules
        if module not in used[folder]
    )
    assert unused == []


def test_a_confined_library_is_imported_only_in_its_folders() -> None:
    confined = _table("Libraries kept to their folders")
    assert confined, "no libraries listed under 'Libraries kept to their folders'"
    wrong = sorted(
        f"{file} imports {module}, kept to {sorted(confined[module])}"
        for folder in FOLDERS
        for file, module in _imports(folder)
        if module in confined and folder not in confined[module]
    )
    assert wrong == []
