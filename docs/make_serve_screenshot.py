"""Make the README's picture of the self-check page (`auditor serve`), docs/serve-page.png: the
seed report's DOCX uploaded, its findings on the page. A sibling of make_screenshots.py.

Starts `auditor serve` on a free port, drives Debian's chromium with Playwright (both come with
`pip install '.[test]'` and `apt-get install chromium`; no browser is downloaded), uploads
fixtures/seed/report.docx, waits for the result and takes the page. Run from anywhere:
python3 docs/make_serve_screenshot.py
"""

from __future__ import annotations

import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "serve-page.png"
SEED = ROOT / "fixtures" / "seed" / "report.docx"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARGS += ["--disable-component-update", "--disable-sync", "--hide-scrollbars"]
HEIGHT = 1900  # the page's top: the drop box, the counts, the first findings with their notes


def start_server(temp: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "auditor.cli", "serve", "--port", "0", "--temp-dir", temp]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], 60)
    found = re.search(r"http://\S+?/", server.stdout.readline() if ready else "")
    if not found:
        server.kill()
        sys.exit("make_serve_screenshot: auditor serve did not start")
    return server, found.group(0)


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("make_serve_screenshot: chromium is missing (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="auditor-shot-") as temp:
        server, url = start_server(temp)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
                page.goto(url)
                page.set_input_files("#files", str(SEED))
                page.locator("article.result .tally").wait_for(timeout=120_000)
                page.screenshot(
                    path=str(OUT), clip={"x": 0, "y": 0, "width": 1280, "height": HEIGHT}
                )
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)
    print(OUT)


if __name__ == "__main__":
    main()
