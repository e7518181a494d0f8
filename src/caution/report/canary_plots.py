"""A canary run drawn: one PNG per metric (baseline against canary), the sequential evidence
over time, the judge's score per measurement, and a self-contained page showing them.

matplotlib is imported inside the functions that draw — it takes longer to import than the
rest of caution's startup, and only this report needs it. Figures are built on `Figure`
objects with the Agg canvas (no pyplot, no global figure state) under matplotlib's default
style, so a user's matplotlibrc does not change the output, and the PNGs carry no software
version: the same record gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caution.report.canary_record import (
    Measurement,
    MetricResult,
    RunRecord,
    Side,
    Thresholds,
    parse_run_record,
)
from caution.report.safe import plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
BASELINE, CANARY = "#0072B2", "#D55E00"
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
VERDICT_MARKERS = {"pass": "o", "marginal": "s", "fail": "X", "inconclusive": "D"}
VERDICT_COLOURS = {
    "pass": "#009E73",
    "marginal": "#E69F00",
    "fail": "#D55E00",
    "inconclusive": "#56B4E9",
}
CLIP_FACTOR = 10  # the sequential plot shows log e up to this many thresholds
STRIP_POINTS = 400  # at most this many points per side in the strip plot
CONF_LEVEL = 0.98  # the judge's Mann-Whitney interval (caution.rollout.judge.CONF_LEVEL)

_STYLE: dict[RcKeyType, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "timezone": "UTC",
    "svg.hashsalt": "caution",
}


@dataclass(frozen=True)
class Plot:
    filename: str
    alt: str  # what the picture shows, for people who cannot see it
    caption: str
    png: bytes


def label(text: str, limit: int = 60) -> str:
    """Record text made fit for a figure: one line, no control characters, bounded length."""
    text = plain(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number(value: float | None, fmt: str = ".4g") -> str:
    return "n/a" if value is None else format(value, fmt)


def slug(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40]
    return cleaned or "metric"


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"):  # a user's matplotlibrc changes nothing
        matplotlib.rcParams.update(_STYLE)
        yield


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _side_label(side: str, values: Side | None) -> str:
    if values is None:
        return f"{side} (no data)"
    text = f"{side} (n={len(values.values)}"
    if values.dropped:
        text += f", {values.dropped} null dropped"
    return text + ")"


def _bins(values: Sequence[float]) -> Any:
    import numpy as np

    data = np.asarray(values, dtype=float)
    low, high = float(data.min()), float(data.max())
    if low == high:
        return np.array([low - 0.5, low + 0.5])
    if np.all(data == np.round(data)) and high - low <= 60:
        return np.arange(low - 0.5, high + 1.5)  # counts: one bar per value
    edges = np.histogram_bin_edges(data, bins="auto")
    return edges if len(edges) <= 61 else np.linspace(low, high, 61)


def _metric_title(name: str, result: MetricResult | None) -> tuple[str, str]:
    if result is None:
        return label(name), "not judged in the latest measurement"
    head = f"{label(name)}: {result.classification or 'no classification'}"
    if result.critical:
        head += " (critical)"
    parts = [f"shift canary − baseline {number(result.estimate)}"]
    if result.ci is not None:
        parts.append(f"{CONF_LEVEL:.0%} CI [{number(result.ci[0])}, {number(result.ci[1])}]")
    parts.append(f"mean ratio {number(result.ratio, '.3f')}")
    return head, ", ".join(parts)


def metric_figure(
    name: str, baseline: Side | None, canary: Side | None, result: MetricResult | None
) -> bytes:
    """Overlaid histograms (as a share of each side's samples) and a box plot with the points."""
    import numpy as np

    sides = [
        (side, values, colour, style)
        for side, values, colour, style in (
            ("baseline", baseline, BASELINE, "-"),
            ("canary", canary, CANARY, "--"),
        )
    ]
    present = [(s, v, c, ls) for s, v, c, ls in sides if v is not None and v.values]
    every = [x for _, v, _, _ in present for x in v.values]
    with _style():
        figure = _new_figure(10, 4.6)
        head, detail = _metric_title(name, result)
        figure.suptitle(f"{head}\n{detail}", parse_math=False)
        histogram, boxes = figure.subplots(1, 2, width_ratios=[2, 1])
        bins = _bins(every)
        for side, values, colour, linestyle in sides:
            if values is None or not values.values:
                continue
            weights = np.full(len(values.values), 1 / len(values.values))
            histogram.hist(
                values.values, bins=bins, weights=weights, color=colour, alpha=0.3,
                histtype="stepfilled",
            )  # fmt: skip
            histogram.hist(
                values.values, bins=bins, weights=weights, color=colour, linewidth=2,
                linestyle=linestyle, histtype="step", label=_side_label(side, values),
            )  # fmt: skip
        histogram.set_xlabel(label(name), parse_math=False)
        histogram.set_ylabel("share of samples")
        histogram.set_title("distribution")
        missing = [_side_label(s, v) for s, v, _, _ in sides if v is None or not v.values]
        handles, labels = histogram.get_legend_handles_labels()
        if missing:
            from matplotlib.lines import Line2D

            handles += [Line2D([], [], linestyle="none") for _ in missing]
            labels += [f"{m}: no values" for m in missing]
        histogram.legend(handles, labels, loc="best", frameon=False)
        _box_and_strip(boxes, sides, name)
        return _png(figure)


def _box_and_strip(axes: Axes, sides: list[tuple[str, Side | None, str, str]], name: str) -> None:
    import numpy as np

    rng = np.random.default_rng(0)  # the jitter: fixed, so the picture is repeatable
    positions, ticks = [], []
    for position, (side, values, colour, _) in enumerate(sides, start=1):
        ticks.append(f"{side}\nn={0 if values is None else len(values.values)}")
        positions.append(position)
        if values is None or not values.values:
            continue
        data = np.asarray(values.values, dtype=float)
        axes.boxplot(
            [data], positions=[position], widths=0.5, showfliers=False,
            medianprops={"color": "black", "linewidth": 2},
            boxprops={"color": colour, "linewidth": 1.5},
            whiskerprops={"color": colour}, capprops={"color": colour},
        )  # fmt: skip
        shown = data if len(data) <= STRIP_POINTS else rng.choice(data, STRIP_POINTS, False)
        jitter = rng.uniform(-0.18, 0.18, len(shown))
        axes.scatter(position + jitter, shown, s=9, color=colour, alpha=0.45, linewidths=0)
        if len(shown) < len(data):
            ticks[-1] += f" ({STRIP_POINTS} dots)"
    axes.set_xticks(positions, ticks)
    axes.set_xlim(0.4, len(sides) + 0.6)
    axes.set_ylabel(label(name, 40), parse_math=False)
    axes.set_title("box (quartiles) and samples")


def _x_axis(measurements: Sequence[Measurement]) -> tuple[list[Any], str]:
    """Measurement times when every measurement has one and they differ (a date axis around a
    single time spans years), else their numbers from 1."""
    times = [m.at for m in measurements]
    if None not in times and len(set(times)) > 1:
        return [datetime.fromtimestamp(m.at or 0.0, tz=UTC) for m in measurements], "time (UTC)"
    return list(range(1, len(measurements) + 1)), "measurement"


def _finish_x(axes: Axes, xs: list[Any]) -> None:
    if xs and isinstance(xs[0], datetime):
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    else:
        from matplotlib.ticker import MaxNLocator

        axes.set_xlim(0.5, len(xs) + 0.5)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def sequential_figure(measurements: Sequence[Measurement]) -> bytes:
    """log e-value per metric over the looks, each metric's rejection threshold dashed."""
    looks = [m for m in measurements if m.sequential is not None]
    xs, xlabel = _x_axis(looks)
    names: list[str] = []
    for m in looks:
        for e in m.sequential.evidence if m.sequential else ():
            if e.name not in names:
                names.append(e.name)
    series: list[list[float]] = []
    thresholds: dict[str, float] = {}
    for name in names:
        ys: list[float] = []
        for m in looks:
            found = [e for e in (m.sequential.evidence if m.sequential else ()) if e.name == name]
            value = found[0].log_e if found else None
            ys.append(math.nan if value is None else value)
            if found and found[0].log_threshold is not None:
                thresholds[name] = found[0].log_threshold
        series.append(ys)
    distinct = sorted(set(thresholds.values()))
    # A clearly bad canary's evidence runs far past the threshold (log e of 100 and more);
    # drawn to scale, the threshold and the early looks would sit flat on the axis.
    cap = CLIP_FACTOR * max(distinct) if distinct and max(distinct) > 0 else None
    with _style():
        figure = _new_figure(10, 4.8)
        axes = figure.subplots()
        handles: list[Any] = []
        labels: list[str] = []
        clipped_any = False
        for i, (name, ys) in enumerate(zip(names, series, strict=True)):
            colour, marker = SERIES[i % len(SERIES)], MARKERS[i % len(MARKERS)]
            gaps = sum(1 for y in ys if math.isnan(y))
            shown = [y if cap is None or math.isnan(y) else min(y, cap) for y in ys]
            (line,) = axes.plot(xs, shown, color=colour, marker=marker, linewidth=2, markersize=6)
            over = [(x, cap) for x, y in zip(xs, ys, strict=True) if cap is not None and y > cap]
            if over:
                clipped_any = True
                axes.scatter([p[0] for p in over], [p[1] for p in over], marker="^", s=110,
                             color=colour, edgecolors="black", zorder=3)  # fmt: skip
            handles.append(line)
            labels.append(label(name, 40) + (f" ({gaps} looks without a value)" if gaps else ""))
        if len(distinct) == 1:
            line = axes.axhline(distinct[0], color="black", linestyle="--", linewidth=1.5)
            handles.append(line)
            evalue = math.exp(distinct[0])
            labels.append(
                f"rejection threshold log(m/α) = {distinct[0]:.2f} (e-value {evalue:.3g})"
            )
        else:
            for i, name in enumerate(names):
                if name in thresholds:
                    colour = SERIES[i % len(SERIES)]
                    line = axes.axhline(thresholds[name], color=colour, linestyle="--")
                    handles.append(line)
                    labels.append(f"{label(name, 30)} threshold {thresholds[name]:.2f}")
        if clipped_any and cap is not None:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], marker="^", linestyle="none", color="grey",
                                  markeredgecolor="black", markersize=9))  # fmt: skip
            labels.append(f"above {cap:.3g}: drawn at {cap:.3g}")
        if distinct:  # room above the threshold, so it does not run into the legend
            low, high = axes.get_ylim()
            axes.set_ylim(min(low, -0.5), max(high, max(distinct) * 1.4))
        axes.axhline(0, color="grey", linewidth=0.8)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("log e-value (evidence the canary is worse)")
        axes.set_title("sequential test: the canary fails when a metric crosses its threshold")
        _finish_x(axes, xs)
        legend = axes.legend(handles, labels, loc="best", frameon=False)
        for text in legend.get_texts():
            text.set_parse_math(False)
        return _png(figure)


def score_figure(measurements: Sequence[Measurement], thresholds: Thresholds | None) -> bytes:
    """The judge's score per measurement, marked by verdict, with the thresholds when known."""
    judged = [m for m in measurements if m.judgement is not None]
    xs, xlabel = _x_axis(judged)
    scores = [
        math.nan if m.judgement is None or m.judgement.score is None else m.judgement.score
        for m in judged
    ]
    with _style():
        figure = _new_figure(10, 4.2)
        axes = figure.subplots()
        axes.plot(xs, scores, color="grey", linewidth=1.5, zorder=1)
        verdicts = [m.judgement.verdict if m.judgement else None for m in judged]
        for verdict in sorted({v or "unknown" for v in verdicts}):
            points = [
                (x, s) for x, s, v in zip(xs, scores, verdicts, strict=True)
                if (v or "unknown") == verdict and not math.isnan(s)
            ]  # fmt: skip
            if points:
                axes.scatter(
                    [p[0] for p in points], [p[1] for p in points],
                    marker=VERDICT_MARKERS.get(verdict, "*"), s=70, zorder=2,
                    color=VERDICT_COLOURS.get(verdict, "black"),
                    label=label(verdict, 20),
                )  # fmt: skip
        if thresholds is not None and thresholds.pass_ is not None:
            axes.axhline(thresholds.pass_, color="#009E73", linestyle="--",
                         label=f"pass ≥ {thresholds.pass_:g}")  # fmt: skip
        if thresholds is not None and thresholds.marginal is not None:
            axes.axhline(thresholds.marginal, color="#E69F00", linestyle=":", linewidth=2,
                         label=f"marginal ≥ {thresholds.marginal:g}")  # fmt: skip
        axes.set_ylim(-3, 103)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("score (0–100)")
        axes.set_title("the judge's score per measurement")
        _finish_x(axes, xs)
        legend = axes.legend(loc="best", frameon=False)
        for text in legend.get_texts():
            text.set_parse_math(False)
        return _png(figure)


def _metric_names(record: RunRecord) -> list[str]:
    judged = record.last_judgement
    names = [m.name for m in judged.metrics] if judged else []
    for side in (record.baseline or {}, record.canary or {}):
        names += sorted(n for n in side if n not in names)
    return names


def draw(record: RunRecord) -> tuple[list[Plot], list[str]]:
    """The record's plots, and a note for each plot it could not draw and why."""
    plots: list[Plot] = []
    notes: list[str] = []
    judged = record.last_judgement
    results = {m.name: m for m in judged.metrics} if judged else {}
    if record.baseline is None and record.canary is None:
        notes.append("The record has no samples, so there are no distribution plots.")
    else:
        for i, name in enumerate(_metric_names(record), start=1):
            baseline = (record.baseline or {}).get(name)
            canary = (record.canary or {}).get(name)
            if not (baseline and baseline.values) and not (canary and canary.values):
                notes.append(f"{name}: no sample values on either side, so no distribution plot.")
                continue
            result = results.get(name)
            png = metric_figure(name, baseline, canary, result)
            _, detail = _metric_title(name, result)
            plots.append(
                Plot(
                    f"metric-{i:02d}-{slug(name)}.png",
                    f"Distributions of {name}, baseline against canary: "
                    f"{_side_label('baseline', baseline)}, {_side_label('canary', canary)}. "
                    f"{detail}.",
                    f"{name}: {result.classification if result else 'not judged'}",
                    png,
                )
            )
    measurements = record.measurements or ()
    if any(m.sequential is not None for m in measurements):
        plots.append(
            Plot(
                "sequential.png",
                "Log e-value of each metric at each look, with the rejection threshold dashed.",
                "sequential test: evidence over time",
                sequential_figure(measurements),
            )
        )
    else:
        notes.append("No measurement carries sequential evidence: no sequential plot.")
    if any(m.judgement is not None and m.judgement.score is not None for m in measurements):
        thresholds = record.score_thresholds
        plots.append(
            Plot(
                "score.png",
                "The judge's score at each measurement"
                + (
                    "."
                    if thresholds is None
                    else f", with the pass ({number(thresholds.pass_, 'g')}) and marginal "
                    f"({number(thresholds.marginal, 'g')}) thresholds."
                ),
                "the judge's score per measurement",
                score_figure(measurements, thresholds),
            )
        )
        if thresholds is None:
            notes.append("The record has no score thresholds: the score plot shows none.")
    else:
        notes.append("No measurement has a judge's score: no score plot.")
    return plots, notes


def write_canary_report(record: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write the plots of a canary run record and `index.html` showing them into `out_dir`;
    return the files written. Raises RecordError (a ValueError) for a malformed record,
    before anything is written."""
    from caution.report.canary_page import canary_report_html

    run = parse_run_record(record)
    plots, notes = draw(run)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for plot in plots:
        path = out_dir / plot.filename
        path.write_bytes(plot.png)
        written.append(path)
    page = out_dir / "index.html"
    page.write_text(canary_report_html(run, plots, notes), encoding="utf-8")
    written.append(page)
    return written
