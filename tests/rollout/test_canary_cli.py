"""`caution canary judge` end to end: files in, verdict and exit code out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import cli
from tests.rollout.test_config import EXAMPLE


def write(path: Path, metrics: dict[str, list[float | None]]) -> Path:
    path.write_text(json.dumps({"metrics": metrics}))
    return path


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "canary.yml"
    config.write_text(EXAMPLE)
    rng = np.random.default_rng(1)
    baseline = write(
        tmp_path / "baseline.json",
        {
            "latency_ms": rng.normal(100, 10, 300).tolist(),
            "errors": rng.poisson(2, 300).astype(float).tolist(),
        },
    )
    return config, baseline


def judge(
    capsys: pytest.CaptureFixture[str], config: Path, baseline: Path, canary: Path
) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code, out, err = cli(
        capsys,
        "canary",
        "judge",
        "--config",
        str(config),
        "--baseline",
        str(baseline),
        "--canary",
        str(canary),
        "--format",
        "json",
    )
    return code, (json.loads(out) if out else {}), err


def test_a_healthy_canary_passes(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    rng = np.random.default_rng(2)
    canary = write(
        tmp_path / "canary.json",
        {
            "latency_ms": rng.normal(100, 10, 300).tolist(),
            "errors": rng.poisson(2, 300).astype(float).tolist(),
        },
    )
    code, result, _ = judge(capsys, config, baseline, canary)
    assert code == 0 and result["verdict"] == "pass" and result["score"] == 100.0
    latency = result["metrics"][0]
    assert set(latency) >= {"name", "classification", "estimate", "ci", "effect"}
    assert latency["classification"] == "Pass" and len(latency["ci"]) == 2
    assert {g["name"] for g in result["groups"]} == {"latency", "errors"}


def test_slower_canary_fails_and_more_errors_fail_critically(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    rng = np.random.default_rng(3)
    slow = write(
        tmp_path / "slow.json",
        {
            "latency_ms": rng.normal(130, 10, 300).tolist(),
            "errors": rng.poisson(2, 300).astype(float).tolist(),
        },
    )
    code, result, _ = judge(capsys, config, baseline, slow)
    assert code == 1 and result["verdict"] == "fail" and result["score"] == 50.0
    assert result["metrics"][0]["classification"] == "High"
    failing = write(
        tmp_path / "errors.json",
        {
            "latency_ms": rng.normal(100, 10, 300).tolist(),
            "errors": rng.poisson(8, 300).astype(float).tolist(),
        },
    )
    code, result, _ = judge(capsys, config, baseline, failing)
    assert code == 1 and result["score"] == 0.0 and result["metrics"][1]["critical"]


def test_no_data_is_never_a_pass(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    empty = write(tmp_path / "empty.json", {"latency_ms": [None, None], "errors": []})
    code, result, _ = judge(capsys, config, baseline, empty)
    assert code == 1 and result["verdict"] in {"inconclusive", "fail"}
    assert {m["classification"] for m in result["metrics"]} == {"Nodata"}


def test_bad_inputs_exit_2_with_one_line(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    broken = tmp_path / "broken.json"
    broken.write_text('{"metrics": {"latency_ms": ["fast"]}}')
    code, _, err = judge(capsys, config, baseline, broken)
    assert code == 2 and "broken.json" in err and len(err.strip().splitlines()) == 1
    bad_config = tmp_path / "bad.yml"
    bad_config.write_text("metrics:\n  - name: x\n    direction: sideways\n")
    code, _, err = judge(capsys, bad_config, baseline, baseline)
    assert code == 2 and "bad.yml:3" in err and "Traceback" not in err


def test_no_data_without_critical_metrics_is_inconclusive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "plain.yml"
    config.write_text("metrics: [{name: latency_ms}, {name: errors}]\n")
    baseline = write(tmp_path / "b.json", {"latency_ms": [1.0, 2.0, 3.0], "errors": [0.0, 1.0]})
    empty = write(tmp_path / "c.json", {"latency_ms": [None], "errors": []})
    code, result, _ = judge(capsys, config, baseline, empty)
    assert (code, result["verdict"], result["score"]) == (1, "inconclusive", 0.0)


def test_a_misspelt_metric_is_an_error_not_a_pass(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    rng = np.random.default_rng(4)
    canary = write(
        tmp_path / "typo.json",
        {"latency_ms": rng.normal(100, 10, 300).tolist(), "error_count": [90.0] * 300},
    )
    code, _, err = judge(capsys, config, baseline, canary)
    assert code == 2 and "typo.json: no metric 'errors'" in err and "error_count" in err


def test_an_ungrouped_metric_is_its_own_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "plain.yml"
    config.write_text("metrics: [{name: latency_ms}]\n")
    same = write(tmp_path / "same.json", {"latency_ms": [float(v) for v in range(50)]})
    code, result, _ = judge(capsys, config, same, same)
    assert (code, result["verdict"], result["score"]) == (0, "pass", 100.0)


def test_huge_integers_are_bad_input(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, baseline = setup
    huge = tmp_path / "huge.json"
    huge.write_text('{"metrics": {"latency_ms": [1' + "0" * 400 + '], "errors": [1]}}')
    code, _, err = judge(capsys, config, baseline, huge)
    assert code == 2 and "huge.json" in err and "too large" in err
