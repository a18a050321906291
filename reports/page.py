"""The report page: sections of text, tables and figures, rendered to Markdown and to HTML."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pandas as pd

from .tables import to_markdown


@dataclasses.dataclass
class Section:
    title: str
    paragraphs: list[str] = dataclasses.field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = dataclasses.field(default_factory=list)
    figures: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (caption, png path)


def render_markdown(title: str, sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        for caption, table in section.tables:
            lines += [f"**{caption}**", "", to_markdown(table), ""]
        for caption, path in section.figures:
            lines += [f"![{caption}]({path})", "", f"*{caption}* ([PDF]({Path(path).with_suffix('.pdf')}))", ""]
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #555; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def render_html(title: str, sections: list[Section]) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        for paragraph in section.paragraphs:
            parts.append(f"<p>{_inline(paragraph)}</p>")
        for caption, table in section.tables:
            parts.append(f"<p><strong>{html.escape(caption)}</strong></p>")
            parts.append(_BOLD.sub(r"<strong>\1</strong>", table.to_html(border=0, escape=True, index=False)))
        for caption, path in section.figures:
            pdf = Path(path).with_suffix(".pdf")
            parts.append(
                f"<figure><img src='{html.escape(path)}' alt='{html.escape(caption)}'>"
                f"<figcaption>{html.escape(caption)} (<a href='{pdf}'>PDF</a>)</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    """Escape, then turn `code` spans into <code> and **bold** into <strong> (the only Markdown the
    paragraphs and table cells use)."""
    pieces = html.escape(text).split("`")
    return _BOLD.sub(r"<strong>\1</strong>", "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces)))
