"""The command line: auditor check FILE… | auditor scan PATH… | auditor serve | auditor rules
(scan's run and progress display: auditor.scan_command; serve's: auditor.serve.command)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from auditor import __version__
from auditor.checks.ruleset import RuleFileError, load_rules, load_unit_rules, profile_names
from auditor.model import Audit
from auditor.pipeline import Options, audit_file, audit_units
from auditor.readers import ReadError, reader_for
from auditor.readers.limits import MB, Limits
from auditor.render.json import render_json
from auditor.render.text import print_colored, render_text
from auditor.serve.command import add_serve_options, run_serve

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
    add_limit_options(check)
    check.add_argument("--select", metavar="IDS", default="", help="只运行这些规则（逗号分隔）")
    check.add_argument("--ignore", metavar="IDS", default="", help="不运行这些规则（逗号分隔）")
    check.add_argument("--all", action="store_true", help="同时列出成立的关系")
    add_cross_option(check)
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
        default=2048,
        metavar="MB",
        help="每个工作进程的内存上限（默认 2048 MB；扫描件的 OCR 约需 2 GB）",
    )
    add_rule_options(scan)
    add_limit_options(scan)
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
    add_cross_option(scan)
    rules = sub.add_parser("rules", help="列出规则")
    rules.add_argument("--rules", metavar="PATH")
    rules.add_argument(
        "--kind",
        default="department",
        choices=(*KINDS, "unit"),
        help="报告类型（默认 department；unit 为跨文件规则）",
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
    serve = sub.add_parser(
        "serve",
        help="启动自查网页：在浏览器中拖入报告，查看问题并下载标注副本（需安装 auditor[serve]）",
        description="在本机启动自查网页与 POST /api/check 接口；上传的文件在临时目录中处理，"
        "答复后即删除。默认只监听 127.0.0.1。",
    )
    add_serve_options(serve)
    return parser


def add_limit_options(command: argparse.ArgumentParser) -> None:
    """The limits a user may need to raise (the others guard against hostile files only)."""
    default = Limits()
    command.add_argument(
        "--max-file-size",
        type=positive_float,
        default=default.file_size / MB,
        metavar="MB",
        help=f"单个文件的大小上限（默认 {default.file_size // MB} MB），超过则不读取",
    )
    command.add_argument(
        "--max-pages",
        type=positive_int,
        default=default.pages,
        metavar="N",
        help=f"PDF 页数上限（默认 {default.pages}），超过则不读取",
    )


def limits_of(args: argparse.Namespace) -> Limits:
    return Limits(file_size=int(args.max_file_size * MB), pages=args.max_pages)


def add_cross_option(command: argparse.ArgumentParser) -> None:
    """--no-cross, the same for check and scan."""
    command.add_argument(
        "--no-cross",
        action="store_true",
        help="不做跨文件核对（同一单位同一年度的部门整体报告与项目自评表之间的核对）",
    )


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
        limits=limits_of(args),
    )
    if options.select or options.ignore:  # only then are every kind's rules needed up front
        known = {r.id for kind in KINDS for r in load_rules(kind, args.rules).rules}
        known |= {r.id for r in load_unit_rules(args.rules).rules}
        check_ids(options.select, known, "--select")
        check_ids(options.ignore, known, "--ignore")
    if args.annotate:
        check_annotate_targets(args.files, Path(args.annotate))
    audits = [audit_file(path, options) for path in args.files]
    if len(audits) > 1 and not args.no_cross:
        audits = audit_units(audits, options)
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


def annotated_path(
    source: Path,
    out: Path,
    many: bool,
    inputs: Sequence[Path] = (),
    taken: set[Path] | None = None,
) -> Path:
    """Where the marked-up copy of `source` goes: OUT itself, or OUT/<name>.标注<suffix> for a batch,
    named after the input file only (never after anything the document says). A copy never
    replaces an input, however its path is spelled, nor a copy already written (`taken`)."""
    kind = reader_for(source)
    suffix = kind if kind in (".docx", ".pdf") else ".html"
    target = out
    if many or out.is_dir():
        target, number = out / f"{source.stem}.标注{suffix}", 2
        while taken is not None and target.resolve() in taken:  # report.pdf from two folders
            target, number = out / f"{source.stem}.标注-{number}{suffix}", number + 1
    for path in (source, *inputs):
        if same_file(target, path):
            raise RuleFileError(f"--annotate: 标注副本不能覆盖原文件 {path}（写出位置：{target}）")
    return target


def same_file(one: Path, other: Path) -> bool:
    """The same file: one path through ., .., symlinks, or a hard link to it."""
    if one.resolve() == other.resolve():
        return True
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet)
        return False


def check_annotate_targets(files: Sequence[str], out: Path) -> None:
    """Before anything is read: no marked-up copy may land on an input file (RuleFileError)."""
    sources = [Path(f) for f in files]
    if len(sources) > 1 and out.exists() and not out.is_dir():
        raise RuleFileError(f"--annotate: 核对多个文件时 OUT 应为目录，而 {out} 是文件")
    taken: set[Path] = set()
    for source in sources:
        try:
            taken.add(annotated_path(source, out, len(sources) > 1, sources, taken).resolve())
        except ReadError:
            continue  # a file that cannot be read gets no copy; reading it says why


def annotate_all(audits: list[Audit], out: Path, show_all: bool, lang: str = "zh") -> bool:
    """Write each marked-up copy; True when one could not be written."""
    from auditor.render.annotate import annotate

    failed = False
    many = len(audits) > 1
    if many:
        out.mkdir(parents=True, exist_ok=True)
    inputs = [Path(a.path) for a in audits]
    taken: set[Path] = set()
    for audit in audits:
        if audit.document is None:
            continue
        target = annotated_path(Path(audit.path), out, many, inputs, taken)
        taken.add(target.resolve())
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


def run_rules_listing(args: argparse.Namespace) -> int:
    ruleset = (
        load_unit_rules(args.rules) if args.kind == "unit" else load_rules(args.kind, args.rules)
    )
    if args.format == "md":
        from auditor.rulesdoc import rules_markdown

        sys.stdout.write(rules_markdown(ruleset, load_unit_rules(args.rules)))
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
            from auditor.scan_command import run_scan

            return run_scan(args)
        if args.command == "serve":
            return run_serve(args)
        return run_check(args) if args.command == "check" else run_rules_listing(args)
    except RuleFileError as exc:
        sys.stderr.write(f"auditor: {exc}\n")
        return EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
