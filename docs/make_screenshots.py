"""Make the README's pictures of what a user gets, from the seed report (fixtures/seed/report.pdf):

- docs/html-report.png: the HTML report (`auditor check … --format html`) in headless Chromium:
  its summary, then the part of the text where the first flagged figures stand with their notes;
- docs/annotated-pdf.png: the page of the annotated PDF (`auditor check … --annotate OUT.pdf`)
  that holds the 84.94% finding, rendered by pdftoppm.

Needs Debian's chromium and poppler-utils (apt-get install chromium poppler-utils); Pillow comes
with pdfplumber. Run from anywhere: python3 docs/make_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from auditor import __version__
from auditor.pipeline import audit_file
from auditor.render.annotate_pdf import annotate_pdf
from auditor.render.html import render_html

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEED = Path("fixtures/seed/report.pdf")  # relative, as a user would type it
WIDTH = 1280
TALL = 12000  # the window is as tall as the page, so that one screenshot holds all of it
RULE = (208, 215, 222)  # the line between the summary and the text (--rule in the CSS)
MARK = (255, 205, 210)  # an error mark's background (--error-bg)


def need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        sys.exit(f"make_screenshots: {program} is missing (apt-get install -y {package})")
    return path


def chromium_screenshot(page: Path, png: Path, work: Path) -> None:
    subprocess.run(
        [
            need("chromium", "chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={work / 'profile'}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{TALL}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def rows(image: Image.Image, color: tuple[int, int, int], run: int) -> list[int]:
    """The rows with at least `run` pixels of `color`."""
    pixels = image.load()
    assert pixels is not None
    found = [
        y
        for y in range(image.height)
        if sum(1 for x in range(0, image.width, 2) if pixels[x, y] == color) * 2 >= run
    ]
    if not found:
        raise SystemExit(f"make_screenshots: colour {color} not found in the screenshot")
    return found


def html_report(work: Path) -> None:
    audit = audit_file(SEED)
    page = work / "report.html"
    page.write_text(render_html([audit], __version__), encoding="utf-8")
    shot = work / "tall.png"
    chromium_screenshot(page, shot, work)
    tall = Image.open(shot).convert("RGB")
    mark = rows(tall, MARK, 20)[0]  # the first flagged figure in the text
    # the summary ends at the line over the text: the last long rule above that figure
    text_top = max(y for y in rows(tall, RULE, WIDTH // 2) if y < mark)
    summary = tall.crop((0, 0, WIDTH, text_top + 8))
    detail = tall.crop((0, mark - 220, WIDTH, mark + 1180))
    gap = 36
    out = Image.new("RGB", (WIDTH, summary.height + gap + detail.height), (246, 248, 250))
    out.paste(summary, (0, 0))
    out.paste(detail, (0, summary.height + gap))
    dots = Image.new("RGB", (WIDTH - 200, 2), RULE)
    out.paste(dots, (100, summary.height + gap // 2))
    out.save(DOCS / "html-report.png", optimize=True)


def annotated_pdf(work: Path) -> None:
    audit = audit_file(SEED)
    target = work / "report.标注.pdf"
    annotate_pdf(audit, target)
    doc = audit.document
    assert doc is not None
    finding = next(f for f in audit.findings if f.holds is False and f.stated == "84.94%")
    origin = doc.origin(finding.position)
    assert origin is not None
    stem = work / "page"
    subprocess.run(
        [
            need("pdftoppm", "poppler-utils"),
            "-f",
            str(origin.page),
            "-l",
            str(origin.page),
            "-r",
            "110",
            "-png",
            "-singlefile",
            str(target),
            str(stem),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    Image.open(stem.with_suffix(".png")).save(DOCS / "annotated-pdf.png", optimize=True)


def main() -> None:
    os.chdir(ROOT)
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="auditor-shots-") as temporary:
        work = Path(temporary)
        html_report(work)
        annotated_pdf(work)
    for name in ("html-report.png", "annotated-pdf.png"):
        print(DOCS / name)


if __name__ == "__main__":
    main()
