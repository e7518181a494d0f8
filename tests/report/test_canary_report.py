"""The canary report: plots and page from run records built of real judgements and looks,
partial records, hostile strings, malformed records, and the page in headless Chromium."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from caution.report.canary import judgement_to_json
from caution.report.canary_plots import write_canary_report
from caution.report.canary_record import RecordError
from caution.rollout.config import Direction, canary_config_from_doc
from caution.rollout.judge import judge
from caution.rollout.sequential import Evidence, SequentialSpec, look
from caution.yaml_source import parse_yaml
from tests.browser import CHROMIUM, chromium_page
from tests.rollout.test_config import EXAMPLE

PNG = b"\x89PNG\r\n\x1a\n"
START = 1_767_225_600.0


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "name": e.name,
        "log_e": e.log_e,
        "log_threshold": e.log_threshold,
        "estimate": None if math.isnan(e.estimate) else e.estimate,
        "n_baseline": e.n_baseline,
        "n_canary": e.n_canary,
    }


def run_record(*, slowdown: float = 12.0, looks: int = 5, seed: int = 7) -> dict[str, Any]:
    """A sequential canary run: at each look, the judge and the mSPRT on everything so far."""
    config = canary_config_from_doc(parse_yaml(EXAMPLE, "canary.yml"))
    specs = [SequentialSpec("latency_ms", direction=Direction.INCREASE)]
    rng = np.random.default_rng(seed)
    size = 40 * looks
    baseline = {
        "latency_ms": rng.normal(100, 10, size).tolist(),
        "errors": rng.poisson(2, size).astype(float).tolist(),
    }
    canary = {
        "latency_ms": rng.normal(100 + slowdown, 10, size).tolist(),
        "errors": rng.poisson(2, size).astype(float).tolist(),
    }
    canary["latency_ms"][3] = math.nan  # a scrape that returned nothing
    measurements = []
    for k in range(1, looks + 1):
        seen_b = {n: v[: 40 * k] for n, v in baseline.items()}
        seen_c = {n: v[: 40 * k] for n, v in canary.items()}
        judgement = judge(config, seen_b, seen_c)
        seen = look(specs, seen_b, seen_c, alpha=0.05, final=k == looks)
        measurements.append(
            {
                "at": START + 600 * k,
                "phase": "Progressing",
                "judgement": judgement_to_json(judgement),
                "sequential": {
                    "decision": str(seen.decision),
                    "reason": seen.reason,
                    "evidence": [_evidence(e) for e in seen.evidence],
                },
            }
        )
    final = measurements[-1]["judgement"]
    return {
        "config": "canary.yml",
        "verdict": final["verdict"],
        "status": {"phase": "Failed", "reason": measurements[-1]["sequential"]["reason"]},
        "alpha": 0.05,
        "thresholds": {"pass": 95, "marginal": 75},
        "measurements": measurements,
        "samples": {
            side: {n: [None if math.isnan(x) else x for x in v] for n, v in data.items()}
            for side, data in (("baseline", baseline), ("canary", canary))
        },
    }


def single_judge_record() -> dict[str, Any]:
    """What one `caution canary judge` leaves: one measurement, no sequential evidence."""
    record = run_record(slowdown=0.0, looks=1)
    del record["measurements"][0]["sequential"], record["alpha"], record["thresholds"]
    record["status"] = {"phase": "Successful", "reason": "judged once"}
    return record


def png_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        return image.size


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return run_record()


def test_a_sequential_run_gives_a_plot_per_metric_the_evidence_the_score_and_a_page(
    record: dict[str, Any], tmp_path: Path
) -> None:
    written = write_canary_report(record, tmp_path / "out")
    names = [p.name for p in written]
    assert names == [
        "metric-01-latency_ms.png",
        "metric-02-errors.png",
        "sequential.png",
        "score.png",
        "index.html",
    ]
    for path in written[:-1]:
        assert path.read_bytes()[:8] == PNG
        width, height = png_size(path)
        assert 800 <= width <= 1200 and 350 <= height <= 600, (path.name, width, height)
        assert path.stat().st_size > 20_000  # something was drawn
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4
    assert "latency_ms" in page and "errors" in page
    assert 'class="verdict verdict-fail"' in page
    assert "the canary is worse: latency_ms" in page  # the status reason
    assert "1 null dropped" in page  # the canary's missing latency, in the alt text
    assert "No measurement carries" not in page and "no score thresholds" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page


def test_the_same_record_gives_the_same_bytes(record: dict[str, Any], tmp_path: Path) -> None:
    first = write_canary_report(record, tmp_path / "a")
    second = write_canary_report(record, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_the_metrics_table_shows_the_latest_judgement(
    record: dict[str, Any], tmp_path: Path
) -> None:
    write_canary_report(record, tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    table = page[page.index('<table id="metrics">') : page.index("</table>")]
    latency = record["measurements"][-1]["judgement"]["metrics"][0]
    assert latency["classification"] == "High"
    assert "<td>latency_ms</td><td>High</td>" in table
    assert f"{latency['estimate']:.4g}" in table
    assert f"[{latency['ci'][0]:.4g}, {latency['ci'][1]:.4g}]" in table
    assert f"{latency['ratio']:.3f}" in table
    assert "<td>errors</td><td>Pass (critical)</td>" not in table  # not critical when passing


def test_one_judgement_without_sequential_evidence_says_so(tmp_path: Path) -> None:
    written = write_canary_report(single_judge_record(), tmp_path)
    assert [p.name for p in written] == [
        "metric-01-latency_ms.png",
        "metric-02-errors.png",
        "score.png",
        "index.html",
    ]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "No measurement carries sequential evidence" in page
    assert "no score thresholds" in page
    assert 'class="verdict verdict-pass"' in page


def test_a_record_without_samples_or_measurements_still_gives_a_page(tmp_path: Path) -> None:
    written = write_canary_report({"verdict": "inconclusive"}, tmp_path)
    assert [p.name for p in written] == ["index.html"]
    page = written[0].read_text(encoding="utf-8")
    for gap in (
        "The record has no status.",
        "The record has no measurements.",
        "The record has no samples",
        "No measurement carries sequential evidence",
        "No measurement has a judge",
    ):
        assert gap in page
    assert "INCONCLUSIVE" in page

    written = write_canary_report({"measurements": [], "samples": None}, tmp_path / "empty")
    page = written[-1].read_text(encoding="utf-8")
    assert "The record&#x27;s list of measurements is empty." in page
    assert "The record has no verdict." in page and "NO VERDICT" in page


def test_nulls_everywhere_are_gaps_not_crashes(record: dict[str, Any], tmp_path: Path) -> None:
    partial = copy.deepcopy(record)
    partial["status"] = None
    partial["alpha"] = None
    partial["thresholds"] = None
    first = partial["measurements"][0]
    first["at"] = None  # one measurement without a time: the plots number the looks instead
    first["judgement"]["score"] = None
    first["judgement"]["metrics"][0].update(estimate=None, ci=None, ratio=None, name=None)
    first["sequential"]["evidence"][0]["log_e"] = None
    partial["measurements"][1]["sequential"] = None
    partial["measurements"][2]["judgement"] = None
    partial["samples"]["baseline"]["errors"] = None
    partial["samples"]["canary"]["errors"] = [None, None]
    partial["samples"]["canary"]["latency_ms"] = []
    written = write_canary_report(partial, tmp_path)
    names = [p.name for p in written]
    assert names == ["metric-01-latency_ms.png", "sequential.png", "score.png", "index.html"]
    page = written[-1].read_text(encoding="utf-8")
    assert "errors: no sample values on either side" in page
    assert "does not give the sequential test" in page
    assert "canary (no data)" not in page and "canary (n=0)" in page


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda r: r.update(measurements={"0": {}}), "measurements: expected a list"),
        (
            lambda r: r["samples"]["canary"]["latency_ms"].__setitem__(2, "12.5"),
            "samples.canary['latency_ms'][2]: expected a number, got '12.5'",
        ),
        (lambda r: r["samples"].update(canary=[1, 2]), "samples.canary: expected an object"),
        (lambda r: r["samples"]["baseline"].update(errors=True), "expected a list, got True"),
        (
            lambda r: r["measurements"][1]["judgement"].update(score="97"),
            "measurements[1].judgement.score: expected a number",
        ),
        (
            lambda r: r["measurements"][0]["judgement"]["metrics"][0].update(ci=[1]),
            "measurements[0].judgement.metrics[0].ci: expected [low, high]",
        ),
        (
            lambda r: r["measurements"][0]["sequential"]["evidence"][0].update(n_canary=-1),
            "measurements[0].sequential.evidence[0].n_canary: expected a count",
        ),
        (lambda r: r["measurements"].append(None), "measurements[5]: expected an object"),
        (lambda r: r.update(alpha=5), "alpha: expected a number between 0 and 1"),
        (lambda r: r.update(status="Failed"), "status: expected an object"),
        (lambda r: r.update(verdict=["fail"]), "verdict: expected a string"),
    ],
)
def test_a_malformed_record_is_a_value_error_naming_the_problem(
    record: dict[str, Any], tmp_path: Path, broken: Any, message: str
) -> None:
    bad = copy.deepcopy(record)
    broken(bad)
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        write_canary_report(bad, tmp_path / "out")
    assert isinstance(caught.value, RecordError)
    assert not (tmp_path / "out").exists()  # nothing written from a record not understood


def test_a_record_that_is_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="the run record: expected an object"):
        write_canary_report([], tmp_path)  # type: ignore[arg-type]


HOSTILE = '<script>alert("x")</script> $\\frac{a}{$ _x ../../etc'


def hostile_record(record: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(record)
    for m in bad["measurements"]:
        m["judgement"]["metrics"][0]["name"] = HOSTILE
        m["judgement"]["metrics"][0]["reason"] = '<img src="https://evil.example/x.png">'
        m["sequential"]["evidence"][0]["name"] = HOSTILE
        m["phase"] = "<b>bold</b>"
    bad["samples"] = {
        side: {HOSTILE: values["latency_ms"], "errors": values["errors"]}
        for side, values in bad["samples"].items()
    }
    bad["config"] = "</title><script>alert(1)</script>"
    bad["status"]["reason"] = '"><iframe src="http://evil.example/">'
    bad["verdict"] = 'fail" onmouseover="alert(1)'
    return bad


def test_hostile_strings_are_escaped_and_drawn_as_text(
    record: dict[str, Any], tmp_path: Path
) -> None:
    written = write_canary_report(hostile_record(record), tmp_path)
    first = written[0]
    assert first.parent == tmp_path  # the metric name does not choose the path
    assert re.fullmatch(r"metric-01-[A-Za-z0-9_-]+\.png", first.name)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<iframe" not in page and '<img src="https' not in page
    assert "<b>bold</b>" not in page and 'onmouseover="' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;/title&gt;&lt;script&gt;" in page
    assert "verdict-unknown" in page


def test_matplotlib_loads_only_when_a_report_is_drawn() -> None:
    probe = (
        "import sys, caution.cli, caution.report.canary_plots, caution.report.canary_page; "
        "print('matplotlib' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (CI installs it)",
)
def test_the_page_in_headless_chromium(record: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import Request

    write_canary_report(hostile_record(record), tmp_path / "hostile")
    write_canary_report(record, tmp_path)
    failed: list[str] = []
    requested: list[str] = []
    dialogs: list[str] = []
    with chromium_page() as page:

        def on_request(request: Request) -> None:
            requested.append(request.url)

        page.on("request", on_request)
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((tmp_path / "index.html").as_uri())
        images = page.locator("figure img")
        assert images.count() == 4
        for i in range(images.count()):
            image = images.nth(i)
            assert image.get_attribute("alt")
            assert image.evaluate("img => img.complete && img.naturalWidth") > 800
        assert "FAIL" in page.locator("#summary").inner_text()
        assert page.locator("#metrics tbody tr").count() == 2
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        page.goto((tmp_path / "hostile" / "index.html").as_uri())
        assert HOSTILE in page.locator("#metrics").inner_text()
    assert failed == []
    assert all(url.startswith(("file://", "data:")) for url in requested), requested
    assert dialogs == []  # no injected script ran
    assert shot.read_bytes()[:8] == PNG
    assert shot.stat().st_size > 50_000
    if os.environ.get("CAUTION_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["CAUTION_KEEP_SCREENSHOT"])
        shutil.copytree(tmp_path, os.environ["CAUTION_KEEP_SCREENSHOT"] + ".d", dirs_exist_ok=True)


def test_the_record_survives_a_json_round_trip(record: dict[str, Any], tmp_path: Path) -> None:
    """The record reaches the report through a file: what json writes, the report reads."""
    text = json.dumps(record)
    assert "NaN" not in text
    written = write_canary_report(json.loads(text), tmp_path)
    assert written[-1].name == "index.html"
