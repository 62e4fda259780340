"""The command line: auditor check FILE… | auditor rules."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from auditor import __version__
from auditor.checks.ruleset import RuleFileError, load_rules
from auditor.model import Audit
from auditor.pipeline import Options, audit_file
from auditor.readers import reader_for
from auditor.render.json import render_json
from auditor.render.text import print_colored, render_text

EXIT_OK, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2
KINDS = ("department", "project", "table", "unknown")  # report kinds, each with its rule file


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # misuse is exit 2, in Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"auditor: 参数错误：{message}\n")
        sys.exit(EXIT_TROUBLE)


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
    check.add_argument("--rules", metavar="PATH", help="规则文件或规则目录（默认使用内置规则）")
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
    rules = sub.add_parser("rules", help="列出规则")
    rules.add_argument("--rules", metavar="PATH")
    rules.add_argument(
        "--kind", default="department", choices=KINDS, help="报告类型（默认 department）"
    )
    rules.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="标题语言：zh 中文（默认）或 en 英文"
    )
    return parser


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
        rules=args.rules, select=id_set(args.select), ignore=id_set(args.ignore), lang=args.lang
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


def run_rules_listing(args: argparse.Namespace) -> int:
    ruleset = load_rules(args.kind, args.rules)
    for rule in ruleset.rules:
        title = (rule.title_en or rule.id) if args.lang == "en" else rule.title
        sys.stdout.write(f"{rule.id:<28} {rule.severity:<8} {rule.kind:<16} {title}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="auditor: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return run_check(args) if args.command == "check" else run_rules_listing(args)
    except RuleFileError as exc:
        sys.stderr.write(f"auditor: {exc}\n")
        return EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
