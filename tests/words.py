"""The words of the record, checked: no Python repr, tuple or escaped newline, no sentence cut
off, no word said twice in a row, no contradictory recommendation, in every artefact (the HTML's
text and its results table, the Markdown, every string of the JSON, the JUnit XML).

Texts are read item by item (a table cell, a list item, a paragraph, a JSON string, an XML
attribute): a cut sentence is an item ending in a colon or a comma, or one whose brackets do
not close."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPRS = re.compile(
    r"\('|\['|\{'|\\n|\\'|<object at|object at 0x|datetime\.datetime\(|PosixPath\(|"
    r"Decimal\(|Band\.|Overall\.|Decision\.|<[A-Z]\w+ object"
)
# Emoji and pictographs: the HTML's visible text must not depend on a font having them.
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")
TWICE = re.compile(r"\b([A-Za-z]{2,})[ \t]+\1\b", re.IGNORECASE)  # within one line
# Both said of one run: "continue" and "address issues before proceeding".
CONTRADICTIONS = (("Continue to", "before proceeding"), ("Declare", "before proceeding"))
ITEM_TAGS = {"td", "th", "li", "p", "summary", "figcaption", "h1", "h2", "h3", "h4", "pre"}
BRACKETS = {"(": ")", "[": "]", "{": "}"}
# A command's own escapes are the shell's, not a repr: find's `-printf '%T@ %s %p\n'`.
PRINTF = re.compile(r"-printf '[^']*'")


class _Items(HTMLParser):
    """The text of each item element (nested items give their own text and their parent's)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[list[str]] = []
        self.items: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.skip += 1
        elif tag in ITEM_TAGS:
            self.open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in ITEM_TAGS and self.open:
            self.items.append("".join(self.open.pop()))

    def handle_data(self, data: str) -> None:
        if not self.skip:
            for item in self.open:
                item.append(data)


def html_items(text: str) -> list[str]:
    """The items of an HTML page, and of each row pytest-html keeps in its JSON blob."""
    parser = _Items()
    parser.feed(text)
    items = parser.items
    blob = re.search(r'data-jsonblob="([^"]*)"', text)
    if blob:
        data = json.loads(unescape(blob.group(1)))
        for entries in data.get("tests", {}).values():
            for entry in entries:
                for cell in entry.get("resultsTableRow", []):
                    items += html_items(cell)
                items += [unescape(entry.get("log", ""))]
    return [
        "\n".join(" ".join(line.split()) for line in i.splitlines()) for i in items if i.strip()
    ]


def markdown_items(text: str) -> list[str]:
    """List items, table cells and paragraphs of a Markdown document (headings and lines that
    introduce a list or a table are not items)."""
    items = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        stripped = line.strip()
        following = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if not stripped or stripped.startswith(("#", "<")) or set(stripped) <= set("|-: "):
            continue
        if stripped.startswith("|"):
            items += [cell.strip() for cell in stripped.strip("|").split(" | ")]
        elif stripped.endswith(":") and not following:
            continue  # "Phase 24h:" before its table
        else:
            items.append(re.sub(r"^(?:[-*]|\d+\.)\s+(?:\[[ x]\]\s+)?", "", stripped))
    return items


def json_items(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_items(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_items(item)


def junit_items(path: Path) -> list[str]:
    """Property values, messages and texts. A message pytest's junitxml shortened to its budget
    ("... [+6 more lines; full report in element text]") is left out: the whole text is the
    element's own, read as well."""
    items = []
    for element in ET.parse(path).getroot().iter():
        items += [
            v
            for k, v in element.attrib.items()
            if k == "value" or (k == "message" and not v.endswith("full report in element text]"))
        ]
        if element.text and element.text.strip():
            items.append(element.text)
    return items


def _unbalanced(item: str) -> bool:
    stack: list[str] = []
    for char in item:
        if char in BRACKETS:
            stack.append(BRACKETS[char])
        elif char in BRACKETS.values():
            if not stack or stack.pop() != char:
                return True
    return bool(stack)


def problems(items: Iterable[str], where: str) -> list[str]:
    found = []
    texts = list(items)
    for item in texts:
        shown = item if len(item) < 160 else item[:160] + " ..."
        if REPRS.search(PRINTF.sub("", item)):
            found.append(f"{where}: a Python repr or escaped newline: {shown!r}")
        for line in item.splitlines():
            line = line.strip()
            if line.endswith((":", ",")) and not line.startswith("|"):
                found.append(f"{where}: cut off: {line[-160:]!r}")
            if _unbalanced(line):
                found.append(f"{where}: brackets do not close: {line[:160]!r}")
        twice = TWICE.search(item)
        if twice:
            found.append(f"{where}: {twice.group(0)!r} said twice: {shown!r}")
    whole = "\n".join(texts)
    for first, second in CONTRADICTIONS:
        if first in whole and second in whole:
            found.append(f"{where}: says both {first!r} and {second!r}")
    return found


def artefact_problems(html: Path, markdown: Path, summary: Path, junit: Path) -> list[str]:
    """Every problem of the words of one run's four artefacts."""
    return [
        *problems(html_items(html.read_text()), html.name),
        *problems(markdown_items(markdown.read_text()), markdown.name),
        *problems(json_items(json.loads(summary.read_text())), summary.name),
        *problems(junit_items(junit), junit.name),
    ]
