"""Glyphs with their boxes, grouped into visual lines; spaces and line-break widths from geometry."""

from __future__ import annotations

from dataclasses import dataclass, field

# A gap wider than this share of the font size between two glyphs is a space (pdfplumber's
# default x_tolerance of 3pt, scaled to the font).
SPACE_GAP = 0.25
Box = tuple[float, float, float, float]  # x0, top, x1, bottom in points, from the page's top left
# Characters that may not start a line (kinsoku): a line breaker carries the character before
# them onto the next line too, so they count in the width of the first word of a line.
CLOSING = set("，。、；：？！）》」』】〉”’%‰,.;:?!)]}、·…—")
OPENING = set("（《「『【〈“‘([{")


@dataclass(slots=True)
class Glyph:
    """One drawn character with its box on the page as shown (pdfplumber's coordinates)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    line: int = 0  # the visual line on the page (1-based), set by group_lines

    @property
    def box(self) -> Box:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    """Glyphs that stand on one visual line, left to right."""

    glyphs: list[Glyph]
    number: int
    top: float = field(init=False)
    bottom: float = field(init=False)
    size: float = field(init=False)

    def __post_init__(self) -> None:
        self.top = min(g.top for g in self.glyphs)
        self.bottom = max(g.bottom for g in self.glyphs)
        self.size = max(g.size for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)


def group_lines(glyphs: list[Glyph]) -> list[Line]:
    """Glyphs whose vertical middle falls within the first glyph of a line stand on that line.
    Lines are numbered from the top of the page; each glyph learns its line number."""
    ordered = sorted(glyphs, key=lambda g: (g.top, g.x0))
    rows: list[list[Glyph]] = []
    low = high = 0.0
    for glyph in ordered:
        middle = glyph.middle
        if rows and low <= middle <= high:
            rows[-1].append(glyph)
            continue
        rows.append([glyph])
        low, high = glyph.top - 0.5, glyph.bottom + 0.5
    lines = []
    for number, row in enumerate(rows, start=1):
        row.sort(key=lambda g: g.x0)
        kept = drop_overprint(row)
        for glyph in kept:
            glyph.line = number
        lines.append(Line(kept, number))
    return lines


def drop_overprint(row: list[Glyph]) -> list[Glyph]:
    """A glyph drawn twice at nearly the same place (fake bold, shadow) is read once."""
    kept: list[Glyph] = []
    for glyph in row:
        if kept and glyph.text == kept[-1].text and glyph.x0 - kept[-1].x0 < 0.3 * glyph.size:
            continue
        kept.append(glyph)
    return kept


def spaced(glyphs: list[Glyph]) -> list[tuple[str, Box, int]]:
    """The characters of a run of glyphs on one line, with a space where the gap is wide; each
    with its box (for an inserted space, the gap's) and visual line."""
    out: list[tuple[str, Box, int]] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if glyph.text == " ":
            if out and out[-1][0] != " ":
                out.append((" ", glyph.box, glyph.line))
            continue
        if previous and out[-1][0] != " ":
            if glyph.x0 - previous.x1 > SPACE_GAP * max(glyph.size, previous.size):
                out.append((" ", (previous.x1, glyph.top, glyph.x0, glyph.bottom), glyph.line))
        out.extend((ch, glyph.box, glyph.line) for ch in glyph.text)
        previous = glyph
    while out and out[-1][0] == " ":
        out.pop()
    return out


def is_latin(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def first_word_width(glyphs: list[Glyph]) -> float:
    """The width of what a line breaker would have to fit at the end of the previous line: a
    run of Latin letters and digits ("1396.75"), or one Chinese character, with the opening
    punctuation before and the closing punctuation after it."""
    i, n = 0, len(glyphs)
    while i < n and glyphs[i].text in OPENING:
        i += 1
    if i < n and is_latin(glyphs[i].text) and glyphs[i].text not in CLOSING:
        while i + 1 < n and is_latin(glyphs[i + 1].text) and glyphs[i + 1].x0 - glyphs[i].x1 < 1:
            i += 1
    while i + 1 < n and glyphs[i + 1].text in CLOSING:
        i += 1
    i = min(i, n - 1)
    return glyphs[i].x1 - glyphs[0].x0 if n else 0.0
