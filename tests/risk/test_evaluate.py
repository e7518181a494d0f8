"""Risk evaluation: metrics with hand-computed values, the CSV reader, the time-ordered
protocol, and the JSON interface of `caution risk evaluate`."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.cli import main
from caution.risk.evaluate import EvaluationError, evaluate, split
from caution.risk.features import FEATURES, Dataset, FeatureError, read_features
from caution.risk.metrics import auc, brier, capture_at, popt, recall_at_effort

SAMPLE = Path(__file__).parent.parent / "data" / "risk" / "openstack_sample.csv"


def test_auc_brier_capture() -> None:
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert auc([0, 1], [0.5, 0.5]) == 0.5  # ties count half
    assert math.isnan(auc([1, 1], [0.1, 0.2]))
    assert brier([0, 1], [0.2, 0.6]) == pytest.approx((0.04 + 0.16) / 2)
    assert capture_at([1, 0, 0, 1, 0, 0, 0, 0, 0, 0], [9, 8, 7, 1, 0, 0, 0, 0, 0, 0], 0.1) == 0.5


def test_effort_aware_measures() -> None:
    labels, efforts = [1, 0, 1, 0], [10.0, 10.0, 10.0, 10.0]
    perfect = [4.0, 1.0, 3.0, 2.0]
    assert popt(labels, perfect, efforts) == pytest.approx(1.0)
    worst = [1.0, 4.0, 2.0, 3.0]
    assert popt(labels, worst, efforts) == pytest.approx(0.0)
    assert recall_at_effort(labels, perfect, efforts, 0.5) == 1.0
    assert recall_at_effort(labels, worst, efforts, 0.5) == 0.0


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "f.csv"
    path.write_text(text)
    return path


def test_reader_takes_aliases_and_ignores_extra_columns(tmp_path: Path) -> None:
    header = "x,date,buggy,ns,nd,nf,entrophy,la,ld,lt,fix,ndev,age,nuc,aexp,arexp,asexp\n"
    data = read_features(
        _csv(tmp_path, header + "a,100,True,1,1,2,0.5,10,2,50,0,3,1.5,4,9,2.5,3\n")
    )
    assert data.labels == [1] and data.times == [100.0]
    assert data.rows[0][FEATURES.index("entropy")] == 0.5
    assert data.rows[0][FEATURES.index("sexp")] == 3.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("ns,nd\n1,2\n", "missing columns"),
        (
            "date,bug," + ",".join(FEATURES) + "\n1,maybe," + ",".join("1" * len(FEATURES)) + "\n",
            "f.csv:2: bug must be",
        ),
        (
            "date,bug," + ",".join(FEATURES) + "\n1,1," + ",".join(["x"] + ["1"] * 13) + "\n",
            "f.csv:2: ns is not a number",
        ),
        ("date,bug,la," + ",".join(FEATURES) + "\n", "f.csv:1: column 'la' appears twice"),
        ("date,bug,entrophy," + ",".join(FEATURES) + "\n", "column 'entropy' appears twice"),
        ("date,bug," + ",".join(FEATURES) + "\n1,1,\xff", "f.csv:2: not UTF-8"),
    ],
)
def test_reader_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(FeatureError, match=message):
        read_features(path)


def test_features_that_are_no_regular_file_are_refused(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    for name, problem in [("fifo.csv", "a FIFO"), ("zero.csv", "a device")]:
        with pytest.raises(FeatureError, match=f"{name}: cannot read: {problem}"):
            read_features(tmp_path / name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_csv_text_reads_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    with contextlib.suppress(FeatureError):
        read_features(path)


def test_split_is_time_ordered_with_a_gap() -> None:
    day = 86400.0
    data = Dataset(
        [[0.0] * len(FEATURES)] * 10, [0, 1] * 5, [day * i for i in (9, 0, 1, 2, 3, 4, 5, 6, 7, 8)]
    )
    parts = split(data, 0.8, 0)
    assert [data.times[i] / day for i in parts.train] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert [data.times[i] / day for i in parts.test] == [8, 9]
    gapped = split(data, 0.8, 2)
    assert max(data.times[i] for i in gapped.train) / day == 5  # nothing within 2 days of the cut
    with pytest.raises(EvaluationError):
        split(data, 1.5, 0)


def test_evaluate_on_real_data_beats_lines_added() -> None:
    result = evaluate(read_features(SAMPLE))
    assert result["n_train"] == 2400 and result["n_test"] == 600
    assert result["model"] == "ensemble"
    assert result["auc"] > result["baseline_la_auc"] - 0.02
    assert 0 < result["brier"] < 0.25
    assert 0 <= result["capture_at_5"] <= result["capture_at_10"] <= result["capture_at_20"] <= 1


def test_short_history_falls_back_to_lines_added() -> None:
    rows = [[1.0] * len(FEATURES) for _ in range(20)]
    for i, row in enumerate(rows):
        row[FEATURES.index("la")] = float(i)
    data = Dataset(rows, [0] * 15 + [1] * 5, [float(i) for i in range(20)])
    assert evaluate(data, 0.5)["model"] == "lines-added"


def test_cli_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["risk", "evaluate", "--features", str(SAMPLE), "--format", "json"])
    assert exit_info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert {
        "auc",
        "brier",
        "capture_at_5",
        "capture_at_10",
        "capture_at_20",
        "recall_at_20_effort",
        "popt",
        "n_train",
        "n_test",
        "baseline_la_auc",
        "baseline_size_popt",
    } <= set(data)


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["risk", "evaluate", "--features", str(tmp_path / "none.csv")])
    assert exit_info.value.code == 2
    assert "cannot read" in capsys.readouterr().err
