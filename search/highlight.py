"""Matching words marked in a text: the text is split on the words first and each piece escaped, so no user
text reaches the page unescaped and no mark lands inside an entity."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 60


def _pattern(words: list[str]) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def highlight(text: str, words: list[str]) -> SafeString:
    pattern = _pattern(words)
    if pattern is None or not text:
        return escape(text or "")
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def contains_any(text: str, words: list[str]) -> bool:
    pattern = _pattern(words)
    return bool(pattern and text and pattern.search(text))


def snippet(text: str, words: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """The part of ``text`` around its first matching word, marked; empty when no word is in it."""
    pattern = _pattern(words)
    found = pattern.search(text) if pattern and text else None
    if found is None:
        return mark_safe("")
    start = max(0, found.start() - width // 2)
    end = min(len(text), found.end() + width)
    piece = " ".join(text[start:end].split())
    return mark_safe(("…" if start else "") + highlight(piece, words) + ("…" if end < len(text) else ""))
