"""The Flask app of auditor serve: the page, POST /check (the page's own call: findings as HTML
and every download, base64 in the answer) and POST /api/check (the JSON contract of
`auditor check --format json`, or with annotate=1 the marked-up copy itself).

Nothing is kept: each upload is saved in a temporary folder of its own, checked by a limited
worker (workers.LimitedPool) that sends everything back in memory, and the folder is deleted
before the answer goes out. The downloads travel inside the answer, so no result waits on the
server for a second request. Logs carry counts only: no file names, no content."""

from __future__ import annotations

import base64
import io
import json
import logging
import queue
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request, send_file
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from auditor import __version__
from auditor.checks.ruleset import load_profile, profile_names
from auditor.render.html import CSS as REPORT_CSS
from auditor.serve import ACCEPTED, MB, Settings
from auditor.serve.work import Job
from auditor.workers import LimitedPool

log = logging.getLogger("auditor.serve")  # not __name__: that is Flask's app.logger, silenced
KINDS = "PDF、Word（.docx）、Excel（.xlsx）、文本（.txt）或网页（.html）"
FAILURES = {  # what a person reads when a file could not be checked, by the worker's status
    "unreadable": "无法读取：{error}",
    "timeout": "核对超时（{error}）：文件可能过大或已损坏",
    "crashed": "核对失败（{error}）",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class Refused(Exception):
    """A request that cannot be served as sent: the HTTP status and a message in Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Upload:
    name: str  # as its owner named it (the last part only)
    suffix: str
    storage: FileStorage


def create_app(settings: Settings, pool: LimitedPool, host: str = "127.0.0.1") -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # messages readable as sent
    app.json.sort_keys = False  # type: ignore[attr-defined]  # "error" first, then the contract
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    if host in LOOPBACK:  # a page of another site cannot reach us by a name of its own
        app.config["TRUSTED_HOSTS"] = ["127.0.0.1", "localhost", "::1", "[::1]"]
    app.logger.disabled = True  # its tracebacks may quote a document; errors are logged below

    @app.get("/")
    def page() -> str:
        return render_template(
            "index.html", settings=settings, profiles=profile_choices(), version=__version__
        )

    @app.get("/report.css")
    def report_css() -> Response:  # the HTML report's own look, for the findings on the page
        return Response(REPORT_CSS, mimetype="text/css")

    @app.post("/check")
    def check_for_page() -> Response:
        started = time.monotonic()
        uploads, profile = read_request(settings)
        results = [page_result(run(pool, settings, u, profile, page=True)) for u in uploads]
        log_counts(results, started)
        return jsonify({"results": results})

    @app.post("/api/check")
    def check_for_api() -> Response:
        started = time.monotonic()
        uploads, profile = read_request(settings, single=True)
        annotated = request.form.get("annotate", "") in ("1", "true", "yes")
        answer = run(pool, settings, uploads[0], profile, annotated=annotated)
        log_counts([answer], started)
        return api_response(answer, annotated)

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> tuple[Response, int]:
        log.info("拒绝请求：HTTP %d", exc.status)
        return jsonify({"error": exc.message}), exc.status

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> tuple[Response, int]:
        return refused(Refused(413, too_large_message(settings)))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        return jsonify({"error": f"请求有误（HTTP {exc.code}）"}), exc.code or 400

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.error("内部错误：%s", type(exc).__name__)  # the type only: a message may quote a file
        return jsonify({"error": "服务器内部错误，请稍后再试"}), 500

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response

    return app


def profile_choices() -> list[tuple[str, str, str]]:
    """(name, short label, description) of each regional profile, for the page's select."""
    choices = []
    for name in profile_names():
        description = load_profile(name).description
        choices.append((name, description.split("：")[0], description))
    return choices


def too_large_message(settings: Settings) -> str:
    return (
        f"上传的文件太大：每个文件不超过 {settings.max_file_mb} MB，"
        f"一次上传合计不超过 {settings.max_total_mb} MB"
    )


def read_request(settings: Settings, single: bool = False) -> tuple[list[Upload], str | None]:
    """The uploaded files and the chosen profile, or Refused with what is wrong."""
    storages = [s for s in request.files.getlist("file") if s.filename]
    if not storages:
        raise Refused(400, "没有收到文件：请选择或拖入报告文件（表单字段 file）")
    if single and len(storages) > 1:
        raise Refused(400, "/api/check 一次只核对一个文件")
    if len(storages) > settings.max_files:
        raise Refused(400, f"一次最多上传 {settings.max_files} 个文件，本次收到 {len(storages)} 个")
    uploads = [upload_of(s, settings) for s in storages]
    profile = request.form.get("profile", "").strip() or None
    if profile is not None and profile not in profile_names():
        known = "、".join(profile_names())
        raise Refused(400, f"未知的评分口径 {profile}（可选：{known}；不填则按报告所属地区）")
    return uploads, profile


def upload_of(storage: FileStorage, settings: Settings) -> Upload:
    name = display_name(storage.filename or "")
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        raise Refused(400, f"{name}：不支持这种文件，请上传 {KINDS} 文件")
    size = stream_size(storage)
    if size > settings.max_file_mb * MB:
        raise Refused(
            413,
            f"{name}：文件太大（{size / MB:.1f} MB），每个文件不超过 {settings.max_file_mb} MB",
        )
    return Upload(name, suffix, storage)


def display_name(filename: str) -> str:
    """The file's own name, without any folder a client sent, control characters or excess."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[-120:] or "report"


def stream_size(storage: FileStorage) -> int:
    stream = storage.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def run(
    pool: LimitedPool,
    settings: Settings,
    upload: Upload,
    profile: str | None,
    page: bool = False,
    annotated: bool = False,
) -> dict[str, Any]:
    """Check one upload in a limited worker, inside a temporary folder deleted before returning."""
    with tempfile.TemporaryDirectory(prefix="auditor-serve-", dir=settings.temp_root) as folder:
        path = Path(folder) / f"upload{upload.suffix}"  # never the client's name as a path
        upload.storage.save(path)
        job = Job(str(path), upload.name, profile, page, annotated, secrets.randbelow(10**9))
        try:
            answer = pool.run(job, settings.timeout, settings.wait_limit)
        except queue.Empty:
            raise Refused(503, "服务器繁忙：正在核对的文件太多，请稍后再试") from None
    answer["name"] = upload.name
    return answer


def failure_message(answer: dict[str, Any]) -> str | None:
    status = answer.get("status", "crashed")
    if status == "ok":
        return None
    error = answer.get("error") or "原因不明"
    return f"{answer['name']}：" + FAILURES.get(status, FAILURES["crashed"]).format(error=error)


def page_result(answer: dict[str, Any]) -> dict[str, Any]:
    """One file as the page shows it; the downloads as base64."""
    downloads = []
    for made in answer.get("files", []):
        item = {key: made[key] for key in ("kind", "name", "media", "error") if key in made}
        if "data" in made:
            item["data"] = base64.b64encode(made["data"]).decode("ascii")
        downloads.append(item)
    return {
        "name": answer["name"],
        "status": answer.get("status", "crashed"),
        "error": failure_message(answer),
        "counts": answer.get("counts", {}),
        "profile": answer.get("profile", ""),
        "html": answer.get("html", ""),
        "downloads": downloads,
        "seconds": answer.get("seconds"),
    }


def api_response(answer: dict[str, Any], annotated: bool) -> Response:
    """The contract (200), the marked-up copy (annotate=1), or the error as JSON (422)."""
    error = failure_message(answer)
    if error is not None:
        body = {"error": error}
        if "contract" in answer:  # unreadable: the contract's entry with its `errors` too
            body.update(json.loads(answer["contract"]))
        response = jsonify(body)
        response.status_code = 422
        return response
    if not annotated:
        return Response(answer["contract"], mimetype="application/json")
    copy: dict[str, Any] = next((f for f in answer["files"] if f["kind"] == "annotated"), {})
    if "data" not in copy:
        reason = copy.get("error", "原因不明")
        response = jsonify({"error": f"{answer['name']}：无法写出标注副本：{reason}"})
        response.status_code = 422
        return response
    response = send_file(
        io.BytesIO(copy["data"]),
        mimetype=copy["media"],
        as_attachment=True,
        download_name=copy["name"],
    )
    response.headers["X-Auditor-Errors"] = str(answer["counts"]["error"])
    response.headers["X-Auditor-Warnings"] = str(answer["counts"]["warning"])
    return response


def log_counts(answers: list[dict[str, Any]], started: float) -> None:
    counts = [a.get("counts", {}) for a in answers]
    log.info(
        "核对 %d 个文件（未能核对 %d 个）：错误 %d 条，警告 %d 条，用时 %.1f 秒",
        len(answers),
        sum(a.get("status") != "ok" for a in answers),
        sum(c.get("error", 0) for c in counts),
        sum(c.get("warning", 0) for c in counts),
        time.monotonic() - started,
    )
