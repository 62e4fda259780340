"""Run the app: a pool of limited worker processes (workers.LimitedPool, as scan's) behind
waitress, on 127.0.0.1 unless told otherwise. Prints the address it listens on, then serves
until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any, NoReturn

from auditor.pipeline import Options
from auditor.serve import Settings
from auditor.serve.app import LOOPBACK, create_app
from auditor.serve.work import check_upload
from auditor.workers import LimitedPool

log = logging.getLogger("auditor.serve")
EXPOSED = (
    "注意：自查网页对网络开放（{host}），同一网络中的任何人都能打开它并上传文件；"
    "它没有登录验证。只在可信的单位内网使用，或放在有身份验证的反向代理之后。"
)


def stop(*_: Any) -> NoReturn:
    raise KeyboardInterrupt  # SIGTERM ends the server as Ctrl-C does: workers stopped, folders gone


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Callable[[str], None] = print,
) -> None:
    from waitress.server import create_server

    pool = LimitedPool(
        settings.jobs, check_upload, Options(rules=settings.rules), settings.memory_mb
    )
    try:
        app = create_app(settings, pool, host)
        server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=settings.jobs + 4,  # more requests than workers wait in the pool's queue
            max_request_body_size=2 * settings.max_request_bytes,  # past ours, its own 413
            clear_untrusted_proxy_headers=True,
            ident="auditor",
        )
        if host not in LOOPBACK:
            log.warning(EXPOSED.format(host=host))
        for url in urls(server):
            announce(f"自查网页已启动：{url}  （按 Ctrl+C 停止）")
        signal.signal(signal.SIGTERM, stop)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    finally:
        pool.close()


def urls(server: Any) -> list[str]:
    """The address(es) it really listens on (port 0 asks for any free port)."""
    listening = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    found = []
    for host, port in listening:
        shown = f"[{host}]" if ":" in str(host) else host
        found.append(f"http://{shown}:{port}/")
    return found
