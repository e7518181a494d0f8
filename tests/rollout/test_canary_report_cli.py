"""`--report` on `canary judge` and `canary run`, and `caution canary report RECORD`: the
records the commands write are the records the report reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from caution.report.canary import record_to_json
from caution.rollout.canary_run import plan_run, run_canary
from tests.conftest import cli
from tests.rollout.test_canary_cli import setup, write  # noqa: F401 (fixture)
from tests.rollout.test_canary_run import SEQUENTIAL, FakeClock, GrowingSource, config


def test_judge_draws_a_report_beside_its_verdict(
    setup: tuple[Path, Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_path, baseline = setup
    rng = np.random.default_rng(2)
    canary = write(
        tmp_path / "canary.json",
        {
            "latency_ms": rng.normal(150, 10, 300).tolist(),
            "errors": rng.poisson(2, 300).astype(float).tolist(),
        },
    )
    out = tmp_path / "report"
    code, _, err = cli(
        capsys, "canary", "judge", "--config", str(config_path), "--baseline", str(baseline),
        "--canary", str(canary), "--report", str(out),
    )  # fmt: skip
    assert code == 1 and f"report: {out / 'index.html'}" in err
    page = (out / "index.html").read_text()
    assert "latency_ms" in page and "High" in page and "fail" in page.lower()
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert any("latency_ms" in name for name in pngs) and "score.png" in pngs
    assert "sequential.png" not in pngs  # a single judgement has no sequential evidence


def test_a_recorded_sequential_run_is_drawn_by_canary_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(9)
    base = (100 * rng.lognormal(0, 0.1, 400)).tolist()
    slow = (125 * rng.lognormal(0, 0.1, 400)).tolist()
    clock = FakeClock()
    plan = plan_run(config(SEQUENTIAL), sequential=True)
    result = run_canary(plan, GrowingSource(base, slow, 1000.0), clock)
    record = tmp_path / "run.json"
    record.write_text(json.dumps(record_to_json(result, "canary.yml")))
    out = tmp_path / "report"
    code, _, err = cli(capsys, "canary", "report", str(record), "--out", str(out))
    assert code == 0, err
    assert (out / "sequential.png").stat().st_size > 10_000
    page = (out / "index.html").read_text()
    assert "the canary is worse: latency" in page and "canary.yml" in page


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"measurements": {"a": 1}}', "measurements: expected a list"),
        ('{"measurements": [{"at": "yesterday"}]}', "measurements[0].at: expected a time"),
    ],
)
def test_a_malformed_record_exits_2_naming_file_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
) -> None:
    record = tmp_path / "run.json"
    record.write_text(content)
    code, _, err = cli(capsys, "canary", "report", str(record), "--out", str(tmp_path / "r"))
    assert code == 2 and f"{record}:" in err and problem in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "index.html").exists()


def test_a_run_that_ended_in_error_is_reported_as_one_with_its_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from caution.rollout.source import MeasurementError

    def down(query: str, start: float, end: float, step: float) -> list[float]:
        raise MeasurementError("cannot reach Prometheus: connection refused")

    result = run_canary(plan_run(config()), down, FakeClock())
    record = tmp_path / "run.json"
    record.write_text(json.dumps(record_to_json(result, "canary.yml")))
    code, _, err = cli(capsys, "canary", "report", str(record), "--out", str(tmp_path / "r"))
    assert code == 0, err
    page = (tmp_path / "r" / "index.html").read_text()
    assert 'class="verdict verdict-error"' in page
    assert "connection refused" in page
