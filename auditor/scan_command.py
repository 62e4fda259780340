"""`auditor scan`: runs the batch (auditor.batch) with a progress display on the terminal, or a
plain progress line every few seconds in logs, then writes the summaries asked for."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.cli import EXIT_OK, EXIT_TROUBLE, limits_of
from auditor.pipeline import Options

if TYPE_CHECKING:
    from auditor.batch import ScanStats


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分"
    if seconds >= 60:
        return f"{seconds // 60} 分 {seconds % 60} 秒"
    return f"{seconds} 秒"


def progress_line(stats: ScanStats) -> str:
    """One plain progress line for logs: 已完成 120/500 …"""
    elapsed = time.monotonic() - stats.started
    rate = stats.audited / elapsed if elapsed > 0 else 0.0
    left = stats.total - stats.done
    eta = f"，预计剩余 {duration(left / rate)}" if rate > 0 and left else ""
    skipped = f"（跳过未改动的 {stats.skipped} 个）" if stats.skipped else ""
    return (
        f"已完成 {stats.done}/{stats.total}{skipped}，发现问题 {stats.findings} 条，"
        f"每秒 {rate:.1f} 个{eta}"
    )


def summary_line(stats: ScanStats, db: str) -> str:
    elapsed = time.monotonic() - stats.started
    trouble = "，".join(
        f"{name} {stats.statuses[key]} 个"
        for key, name in (("unreadable", "无法读取"), ("timeout", "超时"), ("crashed", "崩溃"))
        if stats.statuses[key]
    )
    units = f"（含跨文件核对 {stats.units} 个单位）" if stats.units else ""
    return (
        f"扫描完成：共 {stats.total} 个文件，本次核对 {stats.audited} 个，跳过未改动的 "
        f"{stats.skipped} 个{'；' + trouble if trouble else ''}；错误 {stats.errors} 条，"
        f"警告 {stats.warnings} 条{units}；结果在 {db}（用时 {duration(elapsed)}）"
    )


class PlainProgress:
    """A progress line every few seconds, for logs."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.last = 0.0

    def __call__(self, stats: ScanStats) -> None:
        now = time.monotonic()
        if now - self.last >= self.every or stats.done == stats.total:
            self.last = now
            sys.stderr.write(f"auditor: {progress_line(stats)}\n")
            sys.stderr.flush()


def run_scan(args: argparse.Namespace) -> int:
    from auditor.batch import ScanError, rules_version, scan

    if args.scheduler and args.executor != "dask":
        sys.stderr.write("auditor: 参数错误：--scheduler 只能与 --executor dask 一起使用\n")
        return EXIT_TROUBLE
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        sys.stderr.write(f"auditor: 参数错误：路径不存在：{'、'.join(missing)}\n")
        return EXIT_TROUBLE
    rules_version(args.rules)  # a broken rule file is a misuse, before any worker starts
    if args.executor == "dask":
        try:  # Dask reports every worker start and stop at INFO; only its warnings matter here
            import distributed  # noqa: F401

            logging.getLogger("distributed").setLevel(logging.WARNING)
        except ImportError:
            pass  # scan() says what to install
    options = Options(rules=args.rules, profile=args.profile, limits=limits_of(args))
    outputs = [p for p in (args.xlsx, args.html) if p]
    limits = {
        "jobs": args.jobs,
        "timeout": args.timeout,
        "memory_mb": args.memory,
        "exclude": outputs,
        "executor": args.executor,
        "scheduler": args.scheduler,
        "units": not args.no_cross,
    }
    try:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            columns = (
                TextColumn("核对"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("问题 {task.fields[findings]} 条"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("剩余"),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=Console(stderr=True)) as bar:
                task = bar.add_task("scan", total=None, findings=0, rate="")

                def show(stats: ScanStats) -> None:
                    elapsed = time.monotonic() - stats.started
                    rate = f"{stats.audited / elapsed:.1f} 个/秒" if elapsed > 0 else ""
                    bar.update(
                        task,
                        total=stats.total,
                        completed=stats.done,
                        findings=stats.findings,
                        rate=rate,
                    )

                stats = scan(args.paths, args.db, options=options, progress=show, **limits)
        else:
            stats = scan(args.paths, args.db, options=options, progress=PlainProgress(), **limits)
    except KeyboardInterrupt:
        sys.stderr.write("auditor: 已中断；已完成的结果都在数据库中，再次运行即可继续\n")
        return 130
    except (ScanError, sqlite3.Error) as exc:
        sys.stderr.write(f"auditor: 扫描失败：{exc}\n")
        return EXIT_TROUBLE
    sys.stderr.write(f"auditor: {summary_line(stats, args.db)}\n")
    write_summaries(args.db, args.xlsx, args.html)
    return EXIT_OK


def write_summaries(db: str, xlsx: str | None, html: str | None) -> None:
    """The sortable summaries an auditor opens, made from the whole database (this run and earlier ones)."""
    if xlsx:
        from auditor.render.summary_xlsx import write_summary_xlsx

        write_summary_xlsx(db, xlsx)
        sys.stderr.write(f"auditor: 汇总表已写入 {xlsx}\n")
    if html:
        from auditor.render.summary_html import write_summary_html

        write_summary_html(db, html)
        sys.stderr.write(f"auditor: 汇总网页已写入 {html}\n")
