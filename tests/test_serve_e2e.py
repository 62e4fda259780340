"""The self-check page as a preparer uses it, in headless Chromium (Debian's, driven by
Playwright; no browser is downloaded): upload the seed report as DOCX, see its five labeled
discrepancies on the page, download the annotated DOCX and find a Word comment on each; drop a
file on the box with another profile; nothing is fetched from outside the server."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES
from serving import Server, leftovers

from auditor.render.annotate_docx import anchored_texts

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs playwright (pip install '.[test]')"
)

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED = FIXTURES / "seed"
WAIT = 90_000  # ms for a result to appear


def squeeze(text: str) -> str:
    return "".join(text.split())


def labeled_discrepancies() -> list[dict]:
    """The relations of the seed report that the hand-made labels say do not hold."""
    checks = json.loads((SEED / "labels.json").read_text(encoding="utf-8"))["checks"]
    broken = [c for c in checks if c["holds"] is False]
    assert len(broken) == 5
    return broken


def match(labels: list[dict], shown: list[tuple[str, str]]) -> dict[int, int]:
    """Each label to its own finding on the page: same severity, and the finding's source line
    holds the label's anchor (a one-to-one matching, found by trying each choice)."""

    def fits(label: dict, finding: tuple[str, str]) -> bool:
        level, line = finding
        return level == label["severity"] and squeeze(label["anchor"]) in squeeze(line)

    def assign(i: int, used: dict[int, int]) -> dict[int, int] | None:
        if i == len(labels):
            return used
        for j, finding in enumerate(shown):
            if j not in used.values() and fits(labels[i], finding):
                found = assign(i + 1, {**used, i: j})
                if found is not None:
                    return found
        return None

    found = assign(0, {})
    assert found is not None, f"labels without their finding on the page: {shown}"
    return found


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    """One server (one worker) and one browser for the module's tests."""
    temp = tmp_path_factory.mktemp("e2e") / "uploads"
    with Server(temp, "--jobs", "1") as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield server, browser
        browser.close()
    assert leftovers(temp) == []


@pytest.fixture
def browser_page(session):
    """A fresh page; afterwards: no script error or blocked resource, nothing fetched from
    outside the server, and nothing left in its temporary folder."""
    server, browser = session
    page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url)
    yield page, server
    page.close()
    assert problems == []  # no script error, no resource blocked by the CSP or missing
    outside = [u for u in requested if not u.startswith((server.url, "blob:", "data:"))]
    assert outside == []
    assert leftovers(server.temp) == []


def test_seed_docx_findings_and_annotated_copy(browser_page, tmp_path: Path) -> None:
    page, _server = browser_page
    assert page.title() == "绩效自评报告自查"
    assert page.locator("#profile option:checked").inner_text() == "按报告所属地区自动选择"
    page.set_input_files("#files", str(SEED / "report.docx"))
    card = page.locator("article.result")
    card.locator(".tally").wait_for(timeout=WAIT)
    assert card.locator("h2.name").inner_text() == "report.docx"
    assert card.locator(".count.error").inner_text() == "错误 2"
    assert card.locator(".count.warning").inner_text() == "警告 3"
    assert "新疆" in card.locator(".profile").inner_text()

    # every labeled discrepancy is on the page: its source line, then its explanation
    lines = card.locator(".excerpts > .line")
    notes = card.locator(".excerpts > aside.note")
    assert lines.count() == notes.count() == 5
    shown = []
    for i in range(5):
        level = notes.nth(i).get_attribute("class").split()[-1]
        shown.append((level, lines.nth(i).inner_text()))
        assert notes.nth(i).locator(".values .stated").inner_text()
    matched = match(labeled_discrepancies(), shown)
    stated = [notes.nth(j).locator(".values .stated").inner_text() for j in matched.values()]
    assert "84.94%" in stated and "5个项目" in stated

    with page.expect_download() as download:
        card.locator("a.download[data-kind=annotated]").click()
    assert download.value.suggested_filename == "report.标注.docx"
    copy = tmp_path / "marked.docx"
    download.value.save_as(copy)
    word = docx.Document(str(copy))
    comments = [c for c in word.comments if c.author == "auditor"]
    assert len(comments) == 5
    anchors = anchored_texts(word)
    commented = [squeeze(anchors[str(c.comment_id)]) for c in comments]
    for figure in stated:  # each comment sits on the figure the page shows as stated
        assert squeeze(figure) in commented
    assert any("[project-execution-rate]" in c.text and "58.99%" in c.text for c in comments)


def test_drop_a_file_with_another_profile(browser_page) -> None:
    page, _server = browser_page
    page.select_option("#profile", "sichuan")
    data = base64.b64encode((SEED / "report.txt").read_bytes()).decode()
    transfer = page.evaluate_handle(
        """(data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "自评报告.txt", { type: "text/plain" }));
            return transfer;
        }""",
        data,
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    card = page.locator("article.result")
    card.locator(".tally").wait_for(timeout=WAIT)
    assert card.locator("h2.name").inner_text() == "自评报告.txt"
    assert card.locator(".profile").inner_text().startswith("评分口径：四川")
    assert "按报告所属地区" not in card.locator(".profile").inner_text()
    kinds = card.locator("a.download").evaluate_all("links => links.map(l => l.download)")
    assert kinds == ["自评报告.标注.html", "自评报告.核对结果.json", "自评报告.核对结果.xlsx"]


def test_refusals_are_said_on_the_page(browser_page, tmp_path: Path) -> None:
    page, _server = browser_page
    odd = tmp_path / "setup.exe"
    odd.write_bytes(b"MZ")
    noise = tmp_path / "坏文件.pdf"
    noise.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    page.set_input_files("#files", [str(odd), str(noise)])
    failed = page.locator("article.result.failed")
    failed.nth(1).wait_for(timeout=WAIT)
    messages = sorted(failed.locator(".message").all_inner_texts())
    assert messages[0].startswith("setup.exe：不支持这种文件")
    assert messages[1].startswith("坏文件.pdf：无法读取：")
    page.click("#clear")
    assert page.locator("article.result").count() == 0
