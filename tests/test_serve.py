"""auditor serve over HTTP, against a real server process: the API gives what `check --format
json` gives; the page's call gives the findings and the downloads; a hostile file, an oversized
file, too many files, a file that hangs or eats memory and 20 uploads at once each get a clear
answer; the server stays up; nothing is left in its temporary folder; its log has counts only."""

from __future__ import annotations

import base64
import io
import json
import os
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from conftest import FIXTURES
from openpyxl import load_workbook
from serving import Server, leftovers

from auditor.cli import main

SEED = FIXTURES / "seed"
SEED_DOCX = SEED / "report.docx"
MAX_MB = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """Two workers, 2 MB a file, 3 files a request, 4 s a file; hang.txt sleeps and hog.txt
    allocates past the memory limit (the scan tests' hook, workers.TEST_HOOK)."""
    temp = tmp_path_factory.mktemp("serve") / "uploads"
    options = ["--jobs", "2", "--max-size", str(MAX_MB), "--max-files", "3", "--max-total", "5"]
    options += ["--timeout", "4", "--memory", "1024"]
    env = {"AUDITOR_SCAN_TEST": "hang.txt=sleep,hog.txt=hog"}
    with Server(temp, *options, env=env) as running:
        yield running
    assert running.process.returncode == 0  # SIGTERM ends it cleanly
    assert leftovers(temp) == []


def cli_json(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> dict:
    capsys.readouterr()
    main(["check", str(path), "--format", "json", *options])
    return json.loads(capsys.readouterr().out)


def without_path(contract: dict) -> dict:
    for document in contract["documents"]:
        document.pop("path")
    return contract


def test_api_gives_what_check_gives(server: Server, capsys) -> None:
    answer = server.post("api/check", [("自评报告.docx", SEED_DOCX.read_bytes())])
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    contract = answer.json()
    assert contract["documents"][0]["path"] == "自评报告.docx"  # the uploaded name, no server path
    assert without_path(contract) == without_path(cli_json(SEED_DOCX, capsys))
    assert len(contract["documents"][0]["findings"]) == 5


def test_api_profile_is_applied(server: Server, capsys) -> None:
    text = SEED / "report.txt"
    answer = server.post("api/check", [("r.txt", text.read_bytes())], profile="sichuan")
    assert answer.status == 200
    assert answer.json()["documents"][0]["profile"] == "sichuan"
    expected = cli_json(text, capsys, "--profile", "sichuan")
    assert without_path(answer.json()) == without_path(expected)
    unknown = server.post("api/check", [("r.txt", text.read_bytes())], profile="火星")
    assert unknown.status == 400 and "未知的评分口径 火星" in unknown.json()["error"]


def test_api_annotate_gives_the_commented_docx(server: Server) -> None:
    answer = server.post("api/check", [("自评报告.docx", SEED_DOCX.read_bytes())], annotate="1")
    assert answer.status == 200
    named = "filename*=UTF-8''" + quote("自评报告.标注.docx")
    assert named in answer.headers["Content-Disposition"]
    assert (answer.headers["X-Auditor-Errors"], answer.headers["X-Auditor-Warnings"]) == ("2", "3")
    word = docx.Document(io.BytesIO(answer.body))
    assert len([c for c in word.comments if c.author == "auditor"]) == 5


def test_page_call_gives_findings_and_downloads(server: Server) -> None:
    answer = server.post("check", [("自评报告.docx", SEED_DOCX.read_bytes())])
    assert answer.status == 200
    (result,) = answer.json()["results"]
    assert result["status"] == "ok" and result["error"] is None
    assert (result["counts"]["error"], result["counts"]["warning"]) == (2, 3)
    assert result["profile"] == "xinjiang"  # 乌鲁木齐 in the report
    for rule in ("stated-count", "project-execution-rate", "indicator-label", "indicator-score"):
        assert f"[{rule}]" in result["html"]
    downloads = {d["kind"]: d for d in result["downloads"]}
    assert set(downloads) == {"annotated", "json", "xlsx"}
    assert downloads["annotated"]["name"] == "自评报告.标注.docx"
    copy = docx.Document(io.BytesIO(base64.b64decode(downloads["annotated"]["data"])))
    assert len(list(copy.comments)) == 5
    contract = json.loads(base64.b64decode(downloads["json"]["data"]))
    assert len(contract["documents"][0]["findings"]) == 5
    book = load_workbook(io.BytesIO(base64.b64decode(downloads["xlsx"]["data"])))
    assert book.sheetnames == ["报告", "问题", "规则统计"]
    rows = list(book["问题"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and {r[0] for r in rows} == {"自评报告.docx"}


def test_hostile_file_gets_a_clear_answer(server: Server) -> None:
    noise = random.Random(8).randbytes(50_000)
    answer = server.post("api/check", [("报告.pdf", noise)])
    assert answer.status == 422
    body = answer.json()
    assert body["error"].startswith("报告.pdf：无法读取：")
    assert body["documents"][0]["errors"]  # the contract's entry for an unreadable file
    page = server.post("check", [("报告.pdf", noise)]).json()["results"][0]
    assert page["status"] == "unreadable" and "无法读取" in page["error"]
    assert page["downloads"] == []
    assert server.alive()


def test_hostile_name_stays_text(server: Server) -> None:
    name = "<img src=x onerror=alert(1)>\x1b[31m.txt"
    answer = server.post("check", [(name, (SEED / "report.txt").read_bytes())])
    (result,) = answer.json()["results"]
    assert result["name"] == "<img src=x onerror=alert(1)>[31m.txt"  # control characters dropped
    assert "<img" not in result["html"] and "&lt;img src=x" in result["html"]
    assert {d["name"] for d in result["downloads"]} >= {
        "<img src=x onerror=alert(1)>[31m.核对结果.json"
    }


def test_unsupported_and_missing_files_are_refused(server: Server) -> None:
    answer = server.post("api/check", [("setup.exe", b"MZ\x90\x00")])
    assert answer.status == 400 and "不支持这种文件" in answer.json()["error"]
    empty = server.post("api/check", [])
    assert empty.status == 400 and "没有收到文件" in empty.json()["error"]


def test_oversized_file_is_refused_with_413(server: Server) -> None:
    big = b"0" * (MAX_MB * 1024 * 1024 + 1)
    answer = server.post("api/check", [("大.txt", big)])
    assert answer.status == 413
    assert answer.json()["error"] == f"大.txt：文件太大（2.0 MB），每个文件不超过 {MAX_MB} MB"
    over_total = server.post("check", [(f"{i}.txt", big[: 2 * 1024 * 1024]) for i in range(3)])
    assert over_total.status == 413 and "合计不超过 5 MB" in over_total.json()["error"]
    assert server.alive()


def test_too_many_files_are_refused(server: Server) -> None:
    answer = server.post("check", [(f"{i}.txt", b"x") for i in range(4)])
    assert answer.status == 400
    assert answer.json()["error"] == "一次最多上传 3 个文件，本次收到 4 个"


def test_hanging_and_greedy_files_cost_only_their_own_answer(server: Server) -> None:
    text = (SEED / "report.txt").read_bytes()
    hang = server.post("api/check", [("hang.txt", text)])
    assert hang.status == 422 and "核对超时" in hang.json()["error"]
    hog = server.post("api/check", [("hog.txt", text)])
    assert hog.status == 422 and "超出内存限制" in hog.json()["error"]
    after = server.post("api/check", [("ok.txt", text)])  # the workers were replaced
    assert after.status == 200 and len(after.json()["documents"][0]["findings"]) == 5


def test_twenty_concurrent_uploads_each_get_their_own_result(server: Server) -> None:
    """Different files at once, each answered with its own findings (queued for 2 workers)."""
    files = {
        ".txt": (SEED / "report.txt").read_bytes(),
        ".docx": SEED_DOCX.read_bytes(),
        ".pdf": (SEED / "report.pdf").read_bytes(),
    }
    uploads = [(f"第{i}份{suffix}", files[suffix]) for i, suffix in enumerate(list(files) * 6)]
    uploads += [("无效.pdf", b"not a pdf"), ("空.txt", b"")]

    def send(upload: tuple[str, bytes]):
        return upload[0], server.post("api/check", [upload], timeout=300)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = dict(pool.map(send, uploads))
    assert len(answers) == 20
    for name, answer in answers.items():
        if name in ("无效.pdf", "空.txt"):
            assert answer.status == 422 and answer.json()["error"].startswith(f"{name}：无法读取")
            continue
        assert answer.status == 200, (name, answer.body[:200])
        (document,) = answer.json()["documents"]
        assert document["path"] == name  # its own result, not a neighbour's
        assert sorted(f["rule"] for f in document["findings"]) == [
            "indicator-label",
            "indicator-score",
            "indicator-score-completion",
            "project-execution-rate",
            "stated-count",
        ]
    assert server.alive()
    assert leftovers(server.temp) == []


def test_other_sites_cannot_reach_it_by_their_own_name(server: Server) -> None:
    """On 127.0.0.1 only the loopback names are served (a DNS-rebinding page gets 400)."""
    assert server.get("", {"Host": "attacker.example"}).status == 400
    assert server.get("", {"Host": "localhost"}).status == 200


def test_page_is_self_contained(server: Server) -> None:
    page = server.get("").body.decode()
    assert "http://" not in page and "https://" not in page
    assert "按报告所属地区自动选择" in page and 'value="sichuan"' in page
    for asset in ("report.css", "static/page.css", "static/page.js"):
        answer = server.get(asset)
        assert answer.status == 200
        assert b"http://" not in answer.body and b"https://" not in answer.body


def test_log_has_counts_only(server: Server) -> None:
    server.post("api/check", [("秘密单位自评报告.docx", SEED_DOCX.read_bytes())])
    log = server.log.read_text()
    assert "核对 1 个文件（未能核对 0 个）：错误 2 条，警告 3 条" in log
    assert "秘密单位" not in log and "report" not in log and "2522.66" not in log


def test_without_the_extra_it_says_how_to_install(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "waitress", None)  # as if not installed
    assert main(["serve"]) == 2
    assert "pip install 'auditor[serve]'" in capsys.readouterr().err


def test_missing_temp_dir_is_a_misuse(tmp_path: Path, capsys) -> None:
    assert main(["serve", "--temp-dir", str(tmp_path / "missing")]) == 2
    assert "临时目录不存在" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
