"""The scan summary as one self-contained HTML page: the report table (click a header to sort),
a bar chart of findings per rule and a histogram of overall scores, both inline SVG.
No network: inline CSS and script, system fonts. Everything from a document is escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

from auditor.render.summary import DocumentRow, RuleCount, Summary, load_summary

CSS = """
:root { --error: #c62828; --error-bg: #ffcdd2; --warning: #b26a00; --warning-bg: #fff2cc;
  --failed-bg: #e0e0e0; --ink: #1f2328; --muted: #656d76; --rule: #d0d7de; --bar: #4a6fa5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px; color: var(--ink);
  background: #f6f8fa; font-size: 14px; line-height: 1.6;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
  "Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif; }
h1 { font-size: 22px; margin: 4px 0 8px; } h2 { font-size: 18px; margin: 24px 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 16px; }
.card { background: #fff; border: 1px solid var(--rule); border-radius: 6px;
  padding: 6px 14px; min-width: 110px; }
.card b { display: block; font-size: 20px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: 8px; }
.chart text { font-size: 12px; fill: var(--ink); }
table.reports { border-collapse: collapse; background: #fff; width: 100%; }
table.reports th, table.reports td { border: 1px solid var(--rule); padding: 3px 8px;
  text-align: left; vertical-align: top; }
table.reports th { background: #eef2f6; cursor: pointer; user-select: none;
  position: sticky; top: 0; white-space: nowrap; }
table.reports th[aria-sort="ascending"]::after { content: " ▲"; }
table.reports th[aria-sort="descending"]::after { content: " ▼"; }
table.reports td.num { text-align: right; white-space: nowrap; }
td.path { word-break: break-all; min-width: 200px; }
tr.error td { background: var(--error-bg); } tr.warning td { background: var(--warning-bg); }
tr.failed td { background: var(--failed-bg); }
ol.top { margin: 0; padding-left: 18px; }
.muted { color: var(--muted); }
"""

# Click a header: sort by that column (numbers as numbers, empty cells last), again to reverse.
SCRIPT = """
document.querySelectorAll("table.reports").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col];
        var v = cell.getAttribute("data-v");
        return v === null ? cell.textContent.trim() : v;
      };
      var numeric = th.getAttribute("data-type") === "num";
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === "" || y === "") { return x === y ? 0 : (x === "" ? 1 : -1); }
        var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh");
        return asc ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""

COLUMNS = (
    ("文件", "text"),
    ("单位", "text"),
    ("年度", "num"),
    ("类型", "text"),
    ("综合得分(报告写)", "num"),
    ("综合得分(重算)", "num"),
    ("等级", "text"),
    ("错误", "num"),
    ("警告", "num"),
    ("状态/原因", "text"),
    ("主要问题", "text"),
)
BINS = 10  # the score histogram: 0–10, 10–20, …, 90–100 (100 in the last bin)


def cell(value: object, numeric: bool = False, css: str = "") -> str:
    shown = "" if value is None else str(value)
    classes = " ".join(c for c in (css, "num" if numeric else "") if c)
    attr = f' class="{classes}"' if classes else ""
    if numeric:
        try:
            attr += f' data-v="{float(shown)}"' if shown else ' data-v=""'
        except ValueError:
            attr += ' data-v=""'
    return f"<td{attr}>{escape(shown)}</td>"


def report_row(d: DocumentRow) -> str:
    top = "".join(f"<li>{escape(m)}</li>" for m in d.top_findings)
    cells = [
        cell(d.path, css="path"),
        cell(d.unit),
        cell(d.year, numeric=True),
        cell(d.kind_name),
        cell(d.score_stated, numeric=True),
        cell(d.score_expected, numeric=True),
        cell(d.grade),
        cell(d.errors, numeric=True),
        cell(d.warnings, numeric=True),
        cell(d.state),
        f'<td><ol class="top">{top}</ol></td>' if top else "<td></td>",
    ]
    return f'<tr class="{d.severity}">{"".join(cells)}</tr>'


def report_table(summary: Summary) -> str:
    head = "".join(
        f'<th data-type="{kind}" title="点击排序">{escape(name)}</th>' for name, kind in COLUMNS
    )
    rows = "\n".join(report_row(d) for d in summary.documents)
    return (
        f'<table class="reports" id="reports"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{rows}\n</tbody></table>"
    )


def rule_chart(counts: list[RuleCount]) -> str:
    """Horizontal bars, one per rule: errors (red) then warnings (amber)."""
    label_w, bar_w, row_h, top = 220, 420, 22, 24
    height = top + row_h * max(len(counts), 1) + 8
    most = max((c.total for c in counts), default=0) or 1
    parts = [
        f'<svg class="chart-rules" role="img" '
        f'width="{label_w + bar_w + 60}" height="{height}" aria-label="各规则问题数">',
        '<text x="0" y="14">各规则问题数（红：错误，黄：警告）</text>',
    ]
    if not counts:
        parts.append(f'<text x="0" y="{top + 14}" class="muted">没有问题</text>')
    for i, c in enumerate(counts):
        y = top + i * row_h
        err_w = bar_w * c.errors / most
        warn_w = bar_w * c.warnings / most
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(c.rule)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{err_w:.1f}" height="{row_h - 6}" '
            f'fill="#c62828"><title>{escape(c.rule)}：错误 {c.errors}</title></rect>'
            f'<rect x="{label_w + err_w:.1f}" y="{y + 3}" width="{warn_w:.1f}" '
            f'height="{row_h - 6}" fill="#e0a030"><title>{escape(c.rule)}：警告 {c.warnings}'
            f"</title></rect>"
            f'<text x="{label_w + err_w + warn_w + 4:.1f}" y="{y + 15}">{c.total}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def score_bins(documents: list[DocumentRow]) -> tuple[list[int], int]:
    """Counts per 10-point bin of the overall scores, and how many documents have no score."""
    bins = [0] * BINS
    missing = 0
    for d in documents:
        score = d.score
        if score is None or not 0 <= score <= 100:
            missing += 1
            continue
        bins[min(int(score // (100 / BINS)), BINS - 1)] += 1
    return bins, missing


def score_chart(documents: list[DocumentRow]) -> str:
    bins, missing = score_bins(documents)
    left, bottom, col_w, plot_h, top = 36, 40, 44, 200, 28
    width = left + col_w * BINS + 12
    height = top + plot_h + bottom
    most = max(bins) or 1
    parts = [
        f'<svg class="chart-scores" role="img" '
        f'width="{width}" height="{height}" aria-label="综合得分分布">',
        f'<text x="0" y="14">综合得分分布（重算，无重算时用报告所写；无得分 {missing} 份）</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        f'stroke="#656d76"/>',
    ]
    step = 100 // BINS
    for i, n in enumerate(bins):
        h = plot_h * n / most
        x = left + i * col_w
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x + 2}" y="{y:.1f}" width="{col_w - 4}" height="{h:.1f}" fill="#4a6fa5">'
            f"<title>{i * step}–{(i + 1) * step} 分：{n} 份</title></rect>"
            f'<text x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{n or ""}</text>'
            f'<text x="{x}" y="{top + plot_h + 14}" text-anchor="middle">{i * step}</text>'
        )
    parts.append(
        f'<text x="{left + BINS * col_w}" y="{top + plot_h + 14}" text-anchor="middle">100</text>'
        f'<text x="{left + BINS * col_w / 2}" y="{top + plot_h + 32}" '
        f'text-anchor="middle">得分</text></svg>'
    )
    return "".join(parts)


def render_summary_html(summary: Summary, title: str = "绩效自评报告批量审核汇总") -> str:
    docs = summary.documents
    failed = sum(1 for d in docs if d.status != "ok")
    with_errors = sum(1 for d in docs if d.status == "ok" and d.errors)
    with_warnings = sum(1 for d in docs if d.status == "ok" and not d.errors and d.warnings)
    cards = "".join(
        f'<div class="card">{escape(name)}<b>{n}</b></div>'
        for name, n in (
            ("报告数", len(docs)),
            ("有错误", with_errors),
            ("仅有警告", with_warnings),
            ("未能审核", failed),
            ("问题总数", sum(1 for f in summary.findings if f.is_problem)),
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class='cards'>{cards}</div>"
        f'<div class="charts"><div class="chart">{rule_chart(summary.rule_counts())}</div>'
        f'<div class="chart">{score_chart(docs)}</div></div>'
        f"<h2>报告（点击表头排序）</h2>{report_table(summary)}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_summary_html(db_path: str | Path, out_path: str | Path) -> Path:
    """Write the summary page of a scan database; returns the path written."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_summary_html(load_summary(db_path)), encoding="utf-8")
    return out
