"""`caution canary`: judge a canary against its baseline, from files or live."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from caution.cli.options import Format

canary_app = typer.Typer(
    help="Judge a canary deployment against a baseline running at the same time.",
    no_args_is_help=True,
)


@canary_app.command("judge")
def judge(
    config: Path = typer.Option(..., "--config", help="Canary configuration (YAML)."),
    baseline: Path = typer.Option(..., "--baseline", help="Baseline metrics (JSON)."),
    canary: Path = typer.Option(..., "--canary", help="Canary metrics (JSON)."),
    output: Format = typer.Option(Format.text, "--format", "-f"),
    report: Path | None = typer.Option(
        None, "--report", help="Also draw the report here: a PNG per metric and index.html."
    ),
) -> None:
    """Judge the canary's metrics against the baseline's, as Kayenta does.

    Exit code 0 when the canary passes, 1 when it is marginal, fails or is inconclusive (no
    data is never a pass), 2 when an input is malformed.
    """
    from caution.report.canary import judgement_to_json, render_judgement
    from caution.rollout.config import load_canary_config
    from caution.rollout.judge import judge as run_judge
    from caution.rollout.samples import read_samples

    settings = load_canary_config(config)
    base_samples, canary_samples = read_samples(baseline), read_samples(canary)
    result = run_judge(
        settings,
        base_samples,
        canary_samples,
        baseline_name=str(baseline),
        canary_name=str(canary),
    )
    if report is not None:
        import time

        from caution.report.canary import judgement_record

        record = judgement_record(
            result,
            settings,
            base_samples,
            canary_samples,
            config_name=str(config),
            at=time.time(),
        )
        _draw(record, report)
    if output is Format.json:
        sys.stdout.write(json.dumps(judgement_to_json(result), indent=2) + "\n")
    else:
        render_judgement(result, sys.stdout)
    raise typer.Exit(0 if result.verdict == "pass" else 1)


class Source(StrEnum):
    prometheus = "prometheus"


@canary_app.command("run")
def run(
    config: Path = typer.Option(..., "--config", help="Canary configuration (YAML)."),
    source: Source = typer.Option(..., "--source", help="Where the metrics come from."),
    url: str | None = typer.Option(None, "--url", help="Prometheus base URL."),
    record: Path | None = typer.Option(
        None, "--record", help="Also write the run and the last samples as JSON here."
    ),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for each query."),
    report: Path | None = typer.Option(
        None, "--report", help="Also draw the report here: PNG plots and index.html."
    ),
    sequential: bool = typer.Option(
        False,
        "--sequential",
        help="Decide with an anytime-valid sequential test (false alarms stay at "
        "sequential.alpha however often it looks) instead of the judge at every interval.",
    ),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Measure a live canary every `analysis.interval`, judge each measurement as Kayenta
    does, and stop as Argo Rollouts would (failure, inconclusive and error limits, `count`).

    With --sequential the run stops as soon as a metric is clearly worse (its mixture
    likelihood ratio reaches metrics/alpha), and passes when `count` measurements end
    without that; the judge's score is still shown.

    Exit code 0 when the run is Successful, 1 when it ends Failed, Inconclusive or in Error
    (no data is never a pass), 2 when the configuration, URL or a query is malformed.
    """
    from caution.cli.errors import CautionError
    from caution.report.canary import record_to_json, render_run, run_to_json
    from caution.report.canary_progress import LiveProgress, PlainProgress
    from caution.report.console import stderr_console
    from caution.rollout.analysis import Phase
    from caution.rollout.canary_run import plan_run, run_canary
    from caution.rollout.clock import SystemClock
    from caution.rollout.config import load_canary_config
    from caution.rollout.prometheus import PrometheusClient

    if url is None:
        raise CautionError(f"--source {source} needs --url (e.g. http://localhost:9090)")
    plan = plan_run(load_canary_config(config), sequential=sequential)
    client = PrometheusClient(url, timeout=timeout)
    count = plan.limits.count or 1
    if sys.stderr.isatty():
        with LiveProgress(stderr_console(), count) as live:
            result = run_canary(plan, client, SystemClock(), progress=live)
    else:
        result = run_canary(plan, client, SystemClock(), progress=PlainProgress(sys.stderr, count))
    recorded = record_to_json(result, str(config))
    if record is not None:
        record.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
    if report is not None:
        _draw(recorded, report)
    if output is Format.json:
        sys.stdout.write(json.dumps(run_to_json(result), indent=2) + "\n")
    else:
        render_run(result, sys.stdout)
    raise typer.Exit(0 if result.status.phase is Phase.SUCCESSFUL else 1)


@canary_app.command("report")
def report_command(
    record: Path = typer.Argument(..., help="A run record (`caution canary run --record`)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the PNG plots and index.html."),
) -> None:
    """Draw a canary report from a run record: baseline against canary per metric, the
    sequential evidence over time, the score per measurement, and a self-contained HTML page
    (no script, nothing fetched) that embeds them."""
    from caution.cli.errors import CautionError
    from caution.json_file import JsonFileError, read_json

    try:
        data = read_json(record)
    except JsonFileError as exc:
        raise CautionError(str(exc)) from exc
    _draw(data, out, source=str(record))


def _draw(record: object, out: Path, *, source: str = "the record") -> None:
    from caution.cli.errors import CautionError
    from caution.report.canary_plots import write_canary_report
    from caution.report.canary_record import RecordError

    if not isinstance(record, dict):
        raise CautionError(f"{source}: expected a JSON object")
    try:
        written = write_canary_report(record, out)
    except RecordError as exc:
        raise CautionError(f"{source}: {exc}") from exc
    except OSError as exc:
        raise CautionError(f"{out}: cannot write the report ({exc.strerror or exc})") from exc
    page = next((p for p in written if p.name == "index.html"), written[-1])
    print(f"report: {page}", file=sys.stderr)
