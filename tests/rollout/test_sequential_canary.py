"""The configured sequential test of a whole canary: metrics, exposures, and config errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from caution.rollout.config import load_canary_config
from caution.rollout.sequential import Decision
from caution.rollout.sequential_canary import sequential_look, specs_of
from caution.yaml_source import SourceError

CONFIG = """\
metrics:
  - {name: latency_ms, direction: increase}
  - name: errors
    direction: increase
    critical: true
    sequential: {test: poisson, exposure: requests}
  - {name: requests, direction: either}
  - {name: debug, muted: true}
sequential: {alpha: 0.01}
"""


def _config(tmp_path: Path, text: str = CONFIG):
    path = tmp_path / "canary.yml"
    path.write_text(text)
    return load_canary_config(path)


def _arm(rng: np.random.Generator, latency: float, error_rate: float, requests: float):
    traffic = rng.poisson(requests, 60).astype(float)
    return {
        "latency_ms": (latency * rng.lognormal(0, 0.1, 60)).tolist(),
        "errors": rng.poisson(traffic * error_rate).astype(float).tolist(),
        "requests": traffic.tolist(),
        "debug": [1.0] * 60,
    }


def test_exposure_and_muted_metrics_are_not_tested(tmp_path: Path) -> None:
    specs = specs_of(_config(tmp_path))
    assert [(s.name, s.test.value) for s in specs] == [
        ("latency_ms", "mean"),
        ("errors", "poisson"),
    ]
    assert specs[1].scale == pytest.approx(math.log(2))


def test_errors_are_judged_per_request(tmp_path: Path) -> None:
    """The canary takes a quarter of the baseline's traffic with the same error rate: its
    raw counts are lower, so only the exposure keeps this from reading as better or worse;
    with double the rate per request it fails despite fewer errors in total."""
    config = _config(tmp_path)
    rng = np.random.default_rng(8)
    base = _arm(rng, 100, 0.01, 1000)
    same = _arm(rng, 100, 0.01, 250)
    worse = _arm(rng, 100, 0.03, 250)
    assert sum(worse["errors"]) < sum(base["errors"])
    assert sequential_look(config, base, same, final=True).decision is Decision.PASS
    state = sequential_look(config, base, worse, final=False)
    assert state.decision is Decision.FAIL
    assert state.reason.startswith("the canary is worse: errors")


def test_missing_metrics_are_inconclusive_at_the_end(tmp_path: Path) -> None:
    config = _config(tmp_path)
    state = sequential_look(config, {"latency_ms": [1.0] * 10}, {}, final=True)
    assert state.decision is Decision.INCONCLUSIVE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "metrics:\n  - {name: e, sequential: {test: poisson, exposure: nope}}\n",
            "exposure 'nope' is not a metric",
        ),
        (
            "metrics:\n  - {name: e, sequential: {exposure: e}}\n",
            "exposure needs test: poisson",
        ),
        ("metrics:\n  - {name: e, sequential: {test: median}}\n", "test"),
        ("metrics:\n  - {name: e}\nsequential: {alpha: 1.5}\n", "alpha"),
        ("metrics:\n  - {name: e, sequential: {scale: 0}}\n", "scale"),
    ],
)
def test_bad_sequential_settings_name_file_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    with pytest.raises(SourceError) as caught:
        _config(tmp_path, text)
    assert "canary.yml:" in str(caught.value) and problem in str(caught.value)
