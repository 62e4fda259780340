"""The fixed words of the output in both languages, side by side: Chinese (the default) and
English (--lang en). Messages about figures are made by the rule engine; these are the words
around them. A key with {placeholders} is a format string."""

from __future__ import annotations

LANGS = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    # severities, and what became of a relation
    "error": ("错误", "error"),
    "warning": ("警告", "warning"),
    "info": ("提示", "note"),
    "holds": ("成立", "holds"),
    "broken": ("不成立", "does not hold"),
    "unknown": ("无法判断", "cannot be decided"),
    # places
    "page_prefix": ("第{page}页:", "p{page}:"),
    "line_on_page": ("第 {page} 页第 {line} 行", "page {page}, line {line}"),
    "line": ("第 {line} 行", "line {line}"),
    # a finding in text
    "stated_expected": (
        "报告写：{stated}    应为：{expected}",
        "stated: {stated}    should be: {expected}",
    ),
    "cause": ("可能原因：{why}", "possible cause: {why}"),
    "evidence": ("依据：", "evidence: "),
    "paren": ("（{x}）", " ({x})"),
    "list_sep": ("；", "; "),
    # summaries
    "unreadable": ("{path}: 无法读取：{errors}", "{path}: cannot be read: {errors}"),
    "partly_unread": ("；部分内容未读：{errors}", "; partly unread: {errors}"),
    "ocr_read": (
        "；第 {pages} 页为扫描件，由 OCR 识别，数字请核对原件",
        "; pages {pages} are scanned and were read by OCR: check their figures against the original",
    ),
    "page_sep": ("、", ", "),
    "ocr_meta": (
        "第 {pages} 页为扫描件，由 OCR 识别（数字请核对原件）",
        "pages {pages} scanned, read by OCR (check their figures against the original)",
    ),
    "file_summary": (
        "{path}: {errors} 个错误，{warnings} 个警告（共核对 {checked} 项关系）{partly}",
        "{path}: errors: {errors}, warnings: {warnings} (relations checked: {checked}){partly}",
    ),
    "run_summary": (
        "共 {reports} 份报告：{errors} 个错误，{warnings} 个警告，{clean} 份未发现问题{tail}",
        "reports: {reports}; errors: {errors}, warnings: {warnings}; without problems: {clean}{tail}",
    ),
    "run_unreadable": ("，{n} 份无法读取", "; unreadable: {n}"),
    # the HTML page
    "html_lang": ("zh-CN", "en"),
    "page_title": (
        "预算绩效自评报告核对结果",
        "Budget performance self-evaluation reports: check results",
    ),
    "file_title": ("{path} · 核对结果", "{path} · check results"),
    "page_counts": (
        "{files} 份文件 · {errors} 个错误 · {warnings} 个警告",
        "files: {files} · errors: {errors} · warnings: {warnings}",
    ),
    "with_holding": ("（含成立的关系）", " (holding relations included)"),
    "toc_counts": (
        "：{errors} 个错误，{warnings} 个警告",
        ": errors: {errors}, warnings: {warnings}",
    ),
    "footer": (
        "由 auditor {version} 生成。标色的数字是报告所写、经重算不符的数；虚下划线是据以重算的数。",
        "Made by auditor {version}. Colored figures are stated in the report and do not match "
        "the recomputation; dotted underlines mark the figures it was recomputed from.",
    ),
    "year": ("{year} 年度", "year {year}"),
    "pages": ("{pages} 页", "pages: {pages}"),
    "rules": ("规则 {version}", "rules {version}"),
    "cannot_read": ("无法读取：{error}", "cannot be read: {error}"),
    "relations_checked": ("核对的关系", "Relations checked"),
    "rule": ("规则", "Rule"),
    "errors_head": ("错误", "Errors"),
    "warnings_head": ("警告", "Warnings"),
    "findings": ("发现", "Findings"),
    "nothing_broken": ("未发现不成立的关系。", "No broken relation found."),
    "total_score": ("综合得分", "Overall score"),
    "total_score_pair": ("综合得分（报告写 → 重算）", "Overall score (stated → recomputed)"),
    "not_stated": ("未写明", "not stated"),
    "not_recomputed": ("无法重算", "cannot be recomputed"),
    "stated_arrow": ("报告写 ", "stated "),
    "should_arrow": (" → 应为 ", " → should be "),
    # report kinds
    "department": ("部门整体支出绩效自评报告", "department spending performance self-evaluation"),
    "project": ("项目支出绩效自评报告", "project spending performance self-evaluation"),
    "table": ("绩效自评表", "performance self-evaluation table"),
    "kind_unknown": ("未识别的报告类型", "report kind not recognized"),
    # why a figure is off, said only when the rule engine gives no explanation of its own
    "reason_base": (
        "换一个基数即可得出报告所写的数，疑似用错了基数",
        "another base gives the stated figure: the wrong base was probably used",
    ),
    "reason_truncation": (
        "报告所写的数像是截断而非四舍五入所得",
        "the stated figure looks truncated rather than rounded",
    ),
    "reason_consequence": ("系前述错误所致", "a consequence of an error found above"),
    "reason_completion": (
        "得分与完成值相符，不符的是所写的完成率",
        "the score matches the actual value; it is the stated completion rate that does not",
    ),
    "reason_boundary": (
        "综合得分恰在等级分界上",
        "the overall score lies right on a grade boundary",
    ),
}


def say(lang: str, key: str, **values: object) -> str:
    """The words for `key` in `lang` (Chinese unless "en"), with the values filled in."""
    zh, en = WORDS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
