"""`auditor serve`'s options and what the command does with them; importable without the
`serve` extra, so that the CLI can say how to install it."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_TROUBLE = 0, 2
INSTALL = "auditor: 自查网页需要额外的组件，请先安装：python3 -m pip install 'auditor[serve]'\n"


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    from auditor.cli import positive_float, positive_int  # the CLI's own checks, once loaded

    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址（默认 127.0.0.1，仅本机可用）；0.0.0.0 表示对网络开放："
        "同一网络中任何人都能打开并上传，且没有登录验证",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="端口（默认 8000；0 表示任选一个空闲端口）"
    )
    serve.add_argument(
        "--jobs",
        type=positive_int,
        default=os.cpu_count() or 1,
        help="同时核对的文件数（默认 CPU 核数）；更多的请求排队等候",
    )
    serve.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        metavar="秒",
        help="每个文件的时间上限（默认 60 秒）",
    )
    serve.add_argument(
        "--memory",
        type=positive_int,
        default=2048,
        metavar="MB",
        help="每个工作进程的内存上限（默认 2048 MB；扫描件的 OCR 约需 2 GB）",
    )
    serve.add_argument(
        "--max-size",
        type=positive_int,
        default=20,
        metavar="MB",
        help="每个上传文件的大小上限（默认 20 MB）",
    )
    serve.add_argument(
        "--max-files", type=positive_int, default=10, help="一次上传的文件数上限（默认 10）"
    )
    serve.add_argument(
        "--max-total",
        type=positive_int,
        default=50,
        metavar="MB",
        help="一次上传的合计大小上限（默认 50 MB）",
    )
    serve.add_argument(
        "--temp-dir", metavar="DIR", help="处理上传文件的临时目录（默认系统临时目录）"
    )
    serve.add_argument("--rules", metavar="PATH", help="规则文件或规则目录（默认使用内置规则）")


def run_serve(args: argparse.Namespace) -> int:
    try:
        import flask  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        sys.stderr.write(INSTALL)
        return EXIT_TROUBLE
    from auditor.checks.ruleset import load_rules
    from auditor.serve import Settings
    from auditor.serve.server import serve

    if args.temp_dir and not Path(args.temp_dir).is_dir():
        sys.stderr.write(f"auditor: 参数错误：临时目录不存在：{args.temp_dir}\n")
        return EXIT_TROUBLE
    load_rules("department", args.rules)  # a broken rule file is a misuse, said before starting
    settings = Settings(
        jobs=args.jobs,
        timeout=args.timeout,
        memory_mb=args.memory,
        max_file_mb=args.max_size,
        max_files=args.max_files,
        max_total_mb=max(args.max_total, args.max_size),
        temp_root=args.temp_dir,
        rules=args.rules,
    )
    logging.getLogger("auditor.serve").setLevel(logging.INFO)
    try:
        serve(settings, args.host, args.port, lambda line: print(line, flush=True))
    except OSError as exc:  # the port is taken, or the address is not this machine's
        reason = exc.strerror or str(exc)
        sys.stderr.write(f"auditor: 无法在 {args.host}:{args.port} 上启动：{reason}\n")
        return EXIT_TROUBLE
    return EXIT_OK
