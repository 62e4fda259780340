"""The command line: auditor check FILE… | auditor scan PATH… | auditor rules."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from auditor import __version__
from auditor.checks.ruleset import RuleFileError, load_rules, profile_names
from auditor.model import Audit
from auditor.pipeline import Options, audit_file
from auditor.readers import reader_for
from auditor.render.json import render_json
from auditor.render.text import print_colored, render_text

if TYPE_CHECKING:
    from auditor.batch import ScanStats

EXIT_OK, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2
KINDS = ("department", "project", "table", "unknown")  # report kinds, each with its rule file


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # misuse is exit 2, in Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"auditor: 参数错误：{message}\n")
        sys.exit(EXIT_TROUBLE)


def add_rule_options(command: argparse.ArgumentParser) -> None:
    """--rules and --profile, the same for check and scan."""
    command.add_argument("--rules", metavar="PATH", help="规则文件或规则目录（默认使用内置规则）")
    profiles = profile_names()
    command.add_argument(
        "--profile",
        choices=profiles,
        metavar="NAME",
        help="地区评分配置（rules/profiles/：" + "、".join(profiles) + "）；"
        "默认按报告标题与首段所写的地区选择，未写地区用 national（财预〔2020〕10号）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="auditor", description="核对预算绩效自评报告中的数字：比率、合计、得分、等级、个数。"
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="核对一份或多份报告")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="输出格式（默认 text）"
    )
    check.add_argument(
        "--annotate",
        metavar="OUT",
        help="写出标注副本：DOCX 加批注、PDF 加高亮，其他格式生成 HTML（多个文件时 OUT 为目录）",
    )
    add_rule_options(check)
    check.add_argument("--select", metavar="IDS", default="", help="只运行这些规则（逗号分隔）")
    check.add_argument("--ignore", metavar="IDS", default="", help="不运行这些规则（逗号分隔）")
    check.add_argument("--all", action="store_true", help="同时列出成立的关系")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="按严重程度着色（auto：输出到终端时着色）",
    )
    check.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="输出语言：zh 中文（默认）或 en 英文"
    )
    scan = sub.add_parser(
        "scan",
        help="批量核对文件夹中的全部报告，结果写入 SQLite 数据库（可中断后续跑）",
        description="并行核对路径下的全部报告（txt pdf docx xlsx html …），每个文件核对完即写入数据库；"
        "重新运行时跳过未改动的文件。",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="文件或文件夹")
    scan.add_argument(
        "--jobs", type=positive_int, default=os.cpu_count() or 1, help="并行进程数（默认 CPU 核数）"
    )
    scan.add_argument(
        "--db", default="results.sqlite", metavar="FILE", help="结果数据库（默认 results.sqlite）"
    )
    scan.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        metavar="秒",
        help="每个文件的时间上限（默认 60 秒）",
    )
    scan.add_argument(
        "--memory",
        type=positive_int,
        default=1024,
        metavar="MB",
        help="每个工作进程的内存上限（默认 1024 MB）",
    )
    add_rule_options(scan)
    scan.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="在哪里核对：local 为本机工作进程（默认）；dask 为 Dask 分布式集群（需安装 auditor[dask]）",
    )
    scan.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask 调度器地址，如 tcp://主机:8786（仅用于 --executor dask；不给则在本机启动 --jobs 个工作进程）",
    )
    scan.add_argument(
        "--xlsx", metavar="FILE", help="写出汇总表（Excel：报告、问题、规则统计三张表）"
    )
    scan.add_argument("--html", metavar="FILE", help="写出汇总网页（可排序的表格与统计图）")
    rules = sub.add_parser("rules", help="列出规则")
    rules.add_argument("--rules", metavar="PATH")
    rules.add_argument(
        "--kind", default="department", choices=KINDS, help="报告类型（默认 department）"
    )
    rules.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="标题语言：zh 中文（默认）或 en 英文"
    )
    rules.add_argument(
        "--format",
        choices=("text", "md"),
        default="text",
        help="text：每条一行；md：完整的规则文档（即 docs/rules.md）",
    )
    return parser


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正数：{text}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"应为正数：{text}")
    return value


def id_set(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def check_ids(ids: frozenset[str], known: set[str], flag: str) -> None:
    unknown = sorted(ids - known)
    if unknown:
        raise RuleFileError(
            f"{flag}: 未知的规则 {', '.join(unknown)}（可用：{', '.join(sorted(known))}）"
        )


def run_check(args: argparse.Namespace) -> int:
    options = Options(
        rules=args.rules,
        select=id_set(args.select),
        ignore=id_set(args.ignore),
        lang=args.lang,
        profile=args.profile,
    )
    if options.select or options.ignore:  # only then are every kind's rules needed up front
        known = {r.id for kind in KINDS for r in load_rules(kind, args.rules).rules}
        check_ids(options.select, known, "--select")
        check_ids(options.ignore, known, "--ignore")
    audits = [audit_file(path, options) for path in args.files]
    colored = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if args.format == "text" and colored:
        print_colored(audits, args.all, sys.stdout, args.lang)
    else:
        sys.stdout.write(render(audits, args.format, args.all, args.lang) + "\n")
    for audit in audits:
        for error in audit.errors:
            sys.stderr.write(f"auditor: {audit.path}: {error}\n")
    unwritten = bool(args.annotate) and annotate_all(
        audits, Path(args.annotate), args.all, args.lang
    )
    if unwritten or any(a.document is None for a in audits):  # a file not read, a copy not written
        return EXIT_TROUBLE
    broken = any(f.severity == "error" and f.holds is False for a in audits for f in a.findings)
    return EXIT_FINDINGS if broken else EXIT_OK


def render(audits: list[Audit], form: str, show_all: bool, lang: str = "zh") -> str:
    if form == "json":  # the messages are already in `lang`; the keys never change
        return render_json(audits, __version__, show_all)
    if form == "html":
        from auditor.render.html import render_html

        return render_html(audits, __version__, show_all, lang)
    return render_text(audits, show_all, lang)


def annotated_path(source: Path, out: Path, many: bool) -> Path:
    """Where the marked-up copy of `source` goes: OUT itself, or OUT/<name>.标注<suffix> for a batch.
    A copy never replaces its source."""
    kind = reader_for(source)
    suffix = kind if kind in (".docx", ".pdf") else ".html"
    target = out / f"{source.stem}.标注{suffix}" if many or out.is_dir() else out
    if target.resolve() == source.resolve():
        raise RuleFileError(f"--annotate: 标注副本不能覆盖原文件 {source}")
    return target


def annotate_all(audits: list[Audit], out: Path, show_all: bool, lang: str = "zh") -> bool:
    """Write each marked-up copy; True when one could not be written."""
    from auditor.render.annotate import annotate

    failed = False
    many = len(audits) > 1
    if many:
        out.mkdir(parents=True, exist_ok=True)
    for audit in audits:
        if audit.document is None:
            continue
        target = annotated_path(Path(audit.path), out, many)
        try:
            annotate(audit, target, __version__, show_all, reader_for(Path(audit.path)), lang)
        except Exception as exc:  # noqa: BLE001 — one file's copy must not cost the others
            sys.stderr.write(
                f"auditor: {audit.path}: 无法写出标注副本：{type(exc).__name__}: {exc}\n"
            )
            failed = True
            continue
        sys.stderr.write(f"auditor: 标注副本已写入 {target}\n")
    return failed


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
    return (
        f"扫描完成：共 {stats.total} 个文件，本次核对 {stats.audited} 个，跳过未改动的 "
        f"{stats.skipped} 个{'；' + trouble if trouble else ''}；错误 {stats.errors} 条，"
        f"警告 {stats.warnings} 条；结果在 {db}（用时 {duration(elapsed)}）"
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
    options = Options(rules=args.rules, profile=args.profile)
    outputs = [p for p in (args.xlsx, args.html) if p]
    limits = {
        "jobs": args.jobs,
        "timeout": args.timeout,
        "memory_mb": args.memory,
        "exclude": outputs,
        "executor": args.executor,
        "scheduler": args.scheduler,
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


def run_rules_listing(args: argparse.Namespace) -> int:
    ruleset = load_rules(args.kind, args.rules)
    if args.format == "md":
        from auditor.rulesdoc import rules_markdown

        sys.stdout.write(rules_markdown(ruleset))
        return EXIT_OK
    for rule in ruleset.rules:
        title = (rule.title_en or rule.id) if args.lang == "en" else rule.title
        sys.stdout.write(f"{rule.id:<28} {rule.severity:<8} {rule.kind:<16} {title}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="auditor: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return run_scan(args)
        return run_check(args) if args.command == "check" else run_rules_listing(args)
    except RuleFileError as exc:
        sys.stderr.write(f"auditor: {exc}\n")
        return EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
