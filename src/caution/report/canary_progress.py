"""Progress of `caution canary run` on stderr: a live panel on a terminal (which measurement,
when the next one is due, the last score and each metric's class), one plain line per
measurement otherwise, so CI logs and pipes read well."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from caution.rollout.analysis import Phase, Status, Tally
from caution.rollout.canary_run import Measurement

STYLE = {
    Phase.SUCCESSFUL: "green",
    Phase.FAILED: "red",
    Phase.INCONCLUSIVE: "yellow",
    Phase.ERROR: "magenta",
}


def _clock(unix: float) -> str:
    return datetime.fromtimestamp(unix).strftime("%H:%M:%S")


def _summary(m: Measurement) -> str:
    if m.judgement is None:
        return m.error or ""
    classes = ", ".join(f"{j.config.name} {j.classification.label}" for j in m.judgement.metrics)
    summary = f"score {m.judgement.score:g} ({m.judgement.verdict}); {classes}"
    if m.sequential is not None:
        evidence = ", ".join(
            f"{e.name} e={math.exp(min(e.log_e, 700)):.3g}/{math.exp(e.log_threshold):g}"
            for e in m.sequential.evidence
        )
        summary += f"; sequential {m.sequential.decision}: {evidence}"
    return summary


class PlainProgress:
    def __init__(self, out: TextIO, count: int) -> None:
        self.out, self.count = out, count

    def waiting(self, index: int, due: float) -> None:
        pass

    def measured(self, measurement: Measurement, status: Status, tally: Tally) -> None:
        self.out.write(
            f"measurement {measurement.index} ({tally.count} of {self.count} counted) at "
            f"{_clock(measurement.window.end)}: {measurement.phase} — {_summary(measurement)}"
            f" — run {status.phase}\n"
        )
        self.out.flush()


class LiveProgress:
    """Use as a context manager around the run."""

    def __init__(self, console: Console, count: int) -> None:
        self.count = count
        self.header = Text("canary run: starting")
        self.last: Measurement | None = None
        self.status: Status | None = None
        self.live = Live(self._render(), console=console, refresh_per_second=4, transient=False)

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def waiting(self, index: int, due: float) -> None:
        self.header = Text(
            f"canary run: measurement {index} (of {self.count} to count) due at {_clock(due)}"
        )
        self.live.update(self._render())

    def measured(self, measurement: Measurement, status: Status, tally: Tally) -> None:
        self.last, self.status = measurement, status
        self.header = Text(
            f"canary run: {tally.count} of {self.count} measurements counted — run {status.phase}"
        )
        self.live.update(self._render())

    def _render(self) -> Group:
        parts: list[Text | Table] = [self.header]
        m = self.last
        if m is not None:
            line = Text(f"last: #{m.index} at {_clock(m.window.end)} ")
            line.append(str(m.phase), style=STYLE.get(m.phase, ""))
            if m.judgement is not None:
                line.append(f" — score {m.judgement.score:g} ({m.judgement.verdict})")
                table = Table(box=None, show_header=False, padding=(0, 2))
                for j in m.judgement.metrics:
                    table.add_row(j.config.name, str(j.classification.label))
                parts += [line, table]
            else:
                parts += [line, Text(m.error or "", style="magenta")]
        return Group(*parts)
