"""Prose that users format: a safe subset of HTML (paragraphs, lists, bold, italics, links, tables), sanitised on
save with nh3 (the maintained Rust sanitiser, ammonia) and rendered the same in the page and the PDF.

Text typed without tags becomes HTML too: blank lines make paragraphs, lines starting with «- » or «• » a list.
"""

import html
import re

import nh3

TAGS = {"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "u", "a", "table", "thead", "tbody", "tr", "th",
        "td", "h3", "h4", "blockquote"}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
_FORMATTING = re.compile(r"<\s*/?\s*(" + "|".join(sorted(TAGS)) + r")\b", re.I)
_BULLET = re.compile(r"^\s*[-•–]\s+")


def from_plain(text: str) -> str:
    """Plain text as HTML: paragraphs at blank lines, bulleted lines as a list, line breaks kept."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{html.escape(_BULLET.sub('', line).strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>".join(html.escape(line.strip()) for line in lines) + "</p>")
    return "".join(blocks)


def clean(value: str) -> str:
    """What a user sent, as safe HTML: tags outside the subset removed (their text kept), scripts and styles
    dropped with their content, links only to http(s) and mail, opened without access to the portal's window."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _FORMATTING.search(value):  # typed text (other tags are dropped first, their text kept)
        value = from_plain(html.unescape(nh3.clean(value, tags=set())))
    return nh3.clean(
        value, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"
    ).strip()


def to_text(value: str) -> str:
    """The HTML as plain lines, for comparing versions and for search."""
    value = re.sub(r"<\s*(br|/p|/li|/tr|/h[34]|/blockquote)\s*/?>", "\n", value or "", flags=re.I)
    value = re.sub(r"<\s*li[^>]*>", "• ", value, flags=re.I)
    value = re.sub(r"<\s*/t[dh]\s*>", " | ", value, flags=re.I)
    text = html.unescape(nh3.clean(value, tags=set()))
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())
