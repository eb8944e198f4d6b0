"""The message catalogs against the source: every string marked for translation (`_`, `n_`,
`N_` in bot/, handlers/ and domain/) and its Chinese. Run it to list what is missing:

    python -m tests.catalogs
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from domain.i18n import CATALOGS, CHINESE, LOCALES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "handlers", "domain")
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}


@dataclass(frozen=True)
class Marked:
    where: str  # file:line
    id: str | tuple[str, str]


def marked_strings() -> list[Marked]:
    found = []
    for source in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if message:
                found.append(Marked(f"{source}/{filename}:{line}", message if isinstance(message, str)
                                    else tuple(message)))
    return found


def catalog_entries(language: str = CHINESE) -> dict[str | tuple[str, str], tuple[str, str | tuple]]:
    """msgid -> (the file it is in, its translation), from every `.po` file of the language."""
    entries = {}
    for path in sorted((CATALOGS / LOCALES[language] / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as file:
            for message in read_po(file, locale=LOCALES[language]):
                if message.id:
                    entries[message.id] = (path.name, message.string)
    return entries


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def missing() -> list[Marked]:
    entries = catalog_entries()
    return [m for m in marked_strings() if not _translated(entries.get(m.id))]


def _translated(entry) -> bool:
    if entry is None:
        return False
    translation = entry[1]
    return all(translation) if isinstance(translation, tuple) else bool(translation)


FORMATTED_MARK = re.compile(r"\b(?:_|n_|N_)\(\s*f[\"']")  # a msgid made at run time cannot be in a catalog


def formatted_msgids() -> list[str]:
    found = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if FORMATTED_MARK.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    return found


if __name__ == "__main__":
    for marked in missing():
        print(f"{marked.where}\t{marked.id!r}")
