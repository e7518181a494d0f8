"""The canary report page: one self-contained HTML file (inline CSS, plots as data: URIs, no
script, and a Content-Security-Policy that forbids fetching anything), every string from the
record escaped."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import UTC, datetime

from caution.report.canary_plots import CONF_LEVEL, Plot, number
from caution.report.canary_record import RunRecord
from caution.report.safe import plain

KNOWN_VERDICTS = ("pass", "marginal", "fail", "inconclusive", "error")  # error: a run

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1060px;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.verdict { display: inline-block; padding: 0.15rem 0.7rem; border-radius: 4px;
           font-weight: bold; letter-spacing: 0.05em; color: #fff; background: #555; }
.verdict-pass { background: #007a5a; }
.verdict-marginal { background: #b36b00; }
.verdict-fail { background: #b33c00; }
.verdict-inconclusive { background: #2a6f97; }
.verdict-error { background: #6b2d8f; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.95rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.missing { background: #fff8e1; border-left: 4px solid #b36b00; padding: 0.5rem 1rem; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.95rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(text: str | None, missing: str = "—") -> str:
    return html.escape(missing if text is None else plain(text))


def _time(at: float | None) -> str:
    if at is None:
        return "—"
    return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(value: float | None, fmt: str = ".4g") -> str:
    return f'<td class="num">{html.escape(number(value, fmt))}</td>'


def record_gaps(record: RunRecord) -> list[str]:
    """What the record does not say, for the reader who wonders why part of the page is empty."""
    gaps = []
    if record.verdict is None:
        gaps.append("The record has no verdict.")
    if record.phase is None and record.reason is None:
        gaps.append("The record has no status.")
    if record.measurements is None:
        gaps.append("The record has no measurements.")
    elif not record.measurements:
        gaps.append("The record's list of measurements is empty.")
    elif record.last_judgement is None:
        gaps.append("No measurement has a judgement, so there is no metrics table.")
    elif not record.last_judgement.metrics:
        gaps.append("The latest judgement lists no metrics.")
    sequential = any(m.sequential is not None for m in record.measurements or ())
    if sequential and record.alpha is None:
        gaps.append("The record does not give the sequential test's alpha.")
    return gaps


def _summary(record: RunRecord) -> str:
    verdict = record.verdict
    kind = verdict if verdict in KNOWN_VERDICTS else "unknown"
    rows = [
        ("verdict", f'<span class="verdict verdict-{kind}">{esc(verdict, "no verdict").upper()}'
                    "</span>"),
        ("configuration", esc(record.config)),
        ("status", esc(record.phase)),
        ("reason", esc(record.reason)),
    ]  # fmt: skip
    if record.alpha is not None:
        rows.append(("alpha (sequential)", html.escape(f"{record.alpha:g}")))
    measurements = record.measurements or ()
    rows.append(("measurements", str(len(measurements))))
    times = [m.at for m in measurements if m.at is not None]
    if times:
        rows.append(("from", _time(min(times))))
        rows.append(("to", _time(max(times))))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl id="summary">{body}</dl>'


def _metrics(record: RunRecord) -> str:
    judged = record.last_judgement
    if judged is None:
        return ""
    head = (
        f"<p>Latest judgement: <strong>{esc(judged.verdict, 'no verdict')}</strong>, score "
        f"{html.escape(number(judged.score, 'g'))}"
        + (f" — {esc(judged.reason)}" if judged.reason else "")
        + "</p>"
    )
    rows = []
    for m in judged.metrics:
        ci = "—" if m.ci is None else f"[{number(m.ci[0])}, {number(m.ci[1])}]"
        critical = " (critical)" if m.critical else ""
        rows.append(
            f"<tr><td>{esc(m.name)}</td><td>{esc(m.classification)}{critical}</td>"
            f'{_cell(m.estimate)}<td class="num">{html.escape(ci)}</td>'
            f"{_cell(m.ratio, '.3f')}<td>{esc(m.reason, '')}</td></tr>"
        )
    table = (
        '<table id="metrics"><thead><tr><th>metric</th><th>classification</th>'
        "<th>estimate (canary − baseline)</th>"
        f"<th>{CONF_LEVEL:.0%} CI</th><th>mean ratio</th><th>why</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    groups = ""
    if judged.groups:
        group_rows = "".join(
            f"<tr><td>{esc(g.name)}</td>{_cell(g.score, '.2f')}"
            f"<td>{'no data' if g.no_data else ''}</td></tr>"
            for g in judged.groups
        )
        groups = (
            '<table id="groups"><thead><tr><th>group</th><th>score</th><th></th></tr></thead>'
            f"<tbody>{group_rows}</tbody></table>"
        )
    return f"<h2>Metrics</h2>{head}{table}{groups}"


def _sequential(record: RunRecord) -> str:
    found = record.last_sequential
    if found is None:
        return ""
    rows = "".join(
        f"<tr><td>{esc(e.name)}</td>{_cell(e.log_e, '.3f')}{_cell(e.log_threshold, '.3f')}"
        f"{_cell(e.estimate)}{_cell(None if e.n_baseline is None else float(e.n_baseline), 'g')}"
        f"{_cell(None if e.n_canary is None else float(e.n_canary), 'g')}</tr>"
        for e in found.evidence
    )
    return (
        "<h2>Sequential test</h2>"
        f"<p>Latest look: <strong>{esc(found.decision, 'no decision')}</strong>"
        + (f" — {esc(found.reason)}" if found.reason else "")
        + "</p>"
        '<table id="sequential"><thead><tr><th>metric</th><th>log e-value</th>'
        "<th>threshold</th><th>estimate</th><th>n baseline</th><th>n canary</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _measurements(record: RunRecord) -> str:
    if not record.measurements:
        return ""
    rows = "".join(
        f'<tr><td class="num">{i}</td><td>{_time(m.at)}</td><td>{esc(m.phase)}</td>'
        f"<td>{esc(m.judgement.verdict if m.judgement else None)}</td>"
        f"{_cell(m.judgement.score if m.judgement else None, 'g')}"
        f"<td>{esc(m.sequential.decision if m.sequential else None)}</td>"
        f"<td>{esc(m.error)}</td></tr>"
        for i, m in enumerate(record.measurements, start=1)
    )
    return (
        '<h2>Measurements</h2><table id="measurements"><thead><tr><th>#</th><th>time</th>'
        "<th>phase</th><th>verdict</th><th>score</th><th>sequential</th><th>error</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _plots(plots: Sequence[Plot]) -> str:
    if not plots:
        return ""
    figures = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(p.png).decode("ascii")}" '
        f'alt="{esc(p.alt)}"><figcaption>{esc(p.caption)}</figcaption></figure>'
        for p in plots
    )
    return f"<h2>Plots</h2>{figures}"


def canary_report_html(record: RunRecord, plots: Sequence[Plot], notes: Sequence[str]) -> str:
    gaps = [*record_gaps(record), *notes]
    missing = (
        '<h2>Not in the record</h2><ul class="missing" id="missing">'
        + "".join(f"<li>{esc(g)}</li>" for g in gaps)
        + "</ul>"
        if gaps
        else ""
    )
    title = "canary report" + (f": {plain(record.config)}" if record.config else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1>{html.escape(title)}</h1>
{_summary(record)}
{_metrics(record)}
{_sequential(record)}
{_measurements(record)}
{missing}
{_plots(plots)}
</body></html>
"""
