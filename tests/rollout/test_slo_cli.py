"""`caution slo status` on constructed traffic files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import cli

NOW = 1_800_000_000


def traffic(path: Path, error_rate: float, minutes: int = 3 * 24 * 60, silent_for: int = 0) -> None:
    buckets = [
        {"end": NOW - i * 60, "good": 1000 - 1000 * error_rate, "total": 1000}
        for i in range(silent_for, minutes)
    ]
    path.write_text(json.dumps({"buckets": buckets}))


def config(tmp_path: Path, events: str = "events.json", extra: str = "") -> Path:
    path = tmp_path / "slo.yml"
    path.write_text(
        "slos:\n  - name: checkout\n    objective: 99.9\n    min_events: 100\n"
        f"    events: {events}\n{extra}"
    )
    return path


def status(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "slo", "status", "--config", str(path), "--now", str(NOW), *extra)


def test_fast_burn_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traffic(tmp_path / "events.json", 0.02)
    code, out, _ = status(capsys, config(tmp_path), "--format", "json")
    (slo,) = json.loads(out)["slos"]
    assert code == 1 and slo["severity"] == "page"
    assert slo["windows"][0]["firing"] and slo["windows"][0]["long_burn_rate"] == pytest.approx(20)
    code, out, _ = status(capsys, config(tmp_path))
    assert "checkout (99.9 %): PAGE" in out and "burning 20.0x over 1 h" in out


def test_healthy_service_is_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traffic(tmp_path / "events.json", 0.0001)
    code, out, _ = status(capsys, config(tmp_path))
    assert code == 0 and "OK" in out and "90.0% of budget left" in out


def test_silence_is_not_health(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traffic(tmp_path / "events.json", 0.0001, silent_for=60)
    code, out, _ = status(capsys, config(tmp_path))
    assert code == 1 and "STALE" in out and "newest 3600 s old" in out
    code, out, _ = status(capsys, config(tmp_path), "--format", "json")
    (slo,) = json.loads(out)["slos"]
    assert slo["stale"] and slo["severity"] == "stale" and slo["newest_bucket"] == NOW - 3600
    code, out, _ = status(capsys, config(tmp_path, extra="    stale_after: 2h\n"))
    assert code == 0 and "OK" in out
    code, _, err = status(capsys, config(tmp_path, extra="    stale_after: soon\n"))
    assert code == 2 and "slo.yml:" in err and "stale_after" in err


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ('{"buckets": [{"end": 1, "good": 5, "total": 3}]}', "good <= total"),
        ('{"buckets": [{"end": 1, "good": 1}]}', "exactly end, good and total"),
        ("[]", "expected"),
        ("{", "not JSON"),
        (
            '{"buckets": [{"end": 7, "good": 1, "total": 1}, {"end": 7, "good": 1, "total": 1}]}',
            "bucket 1: a second bucket ending at 7",
        ),
    ],
)
def test_bad_events_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], events: str, problem: str
) -> None:
    (tmp_path / "events.json").write_text(events)
    code, _, err = status(capsys, config(tmp_path))
    assert code == 2 and problem in err and "events.json" in err


def test_bad_config_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "slo.yml"
    path.write_text("slos:\n  - name: x\n    objective: 120\n    events: e.json\n")
    code, _, err = status(capsys, path)
    assert code == 2 and "slo.yml:3" in err and "objective" in err


def test_huge_integers_in_events_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "events.json").write_text(
        '{"buckets": [{"end": 1, "good": 1, "total": 1' + "0" * 400 + "}]}"
    )
    code, _, err = status(capsys, config(tmp_path))
    assert code == 2 and "events.json:1:" in err and "too large" in err


def test_counts_whose_sum_would_overflow_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two buckets of 1e308 sum to inf and the burn rate to NaN, which read as OK."""
    big = {"good": 1e308, "total": 1e308}
    (tmp_path / "events.json").write_text(
        json.dumps({"buckets": [{"end": NOW, **big}, {"end": NOW - 60, **big}]})
    )
    code, _, err = status(capsys, config(tmp_path))
    assert code == 2 and "events.json: bucket 0: counts above 2**53" in err


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("min_events: .inf", "slo.yml:3: slos.min_events: Input should be a finite number"),
        ("min_events: -1", "slo.yml:3: slos.min_events: Input should be greater than or equal"),
        ("min_events: 1e300", "less than or equal to"),
        ("stale_after: 9999w", "slo.yml:3: slos.stale_after: duration '9999w' is longer than 366"),
        ("objective: .nan", "slo.yml:3: slos.objective: Input should be a finite number"),
        ("objective: .inf", "finite"),
    ],
)
def test_absurd_slo_settings_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, problem: str
) -> None:
    """An infinite min_events silenced every alert: now it is refused at its line."""
    traffic(tmp_path / "events.json", 0.02)
    path = tmp_path / "slo.yml"
    objective = "" if setting.startswith("objective") else "    objective: 99.9\n"
    path.write_text(f"slos:\n  - name: a\n    {setting}\n    events: events.json\n{objective}")
    code, _, err = status(capsys, path)
    assert code == 2 and problem in err and len(err.strip().splitlines()) == 1, err
