"""`caution canary run` against a real Prometheus scraping a real application.

The fixture starts tests/rollout/prometheus_app.py twice (a healthy canary and a degraded
one, each beside its baseline) and Debian's `prometheus` binary with its own configuration,
storage, loopback port and a 1 s scrape interval, then waits until it is ready and has
samples. Skipped when the binary is missing — except in CI (`CI` set), where it fails: the
plumbing to a real Prometheus is what these tests are for.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli

APP = Path(__file__).parent / "prometheus_app.py"

CONFIG = """\
metrics:
  - name: latency
    query: 'avg(app_latency_seconds{${scope}})'
    group: latency
    direction: increase
  - name: error_rate
    query: 'sum(rate(app_errors_total{${scope}}[3s])) / sum(rate(app_requests_total{${scope}}[3s]))'
    group: errors
    direction: increase
    critical: true
groups: {latency: 50, errors: 50}
scopes: {baseline: 'job="JOB",version="v1"', canary: 'job="JOB",version="CANARY"'}
analysis: {interval: 1s, count: 3, step: 1s, lookback: 12s}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=2) as response:
        body: bytes = response.read()
        return body


def wait_for(what: str, ready: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if callable(ready) and ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def samples(url: str, selector: str) -> int:
    query = urllib.parse.urlencode({"query": f"count_over_time({selector}[1m])"})
    doc = json.loads(get(f"{url}/api/v1/query?{query}"))
    result = doc["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("the prometheus binary is missing in CI (.ci/run installs it)")
        pytest.skip("the prometheus binary is not installed (apt-get install prometheus)")
    if importlib.util.find_spec("prometheus_client") is None:
        pytest.fail("prometheus_client is missing: install caution's dev extra")
    home = tmp_path_factory.mktemp("prometheus")
    ports = {"healthy": free_port(), "degraded": free_port()}
    web = free_port()
    procs = [
        subprocess.Popen([sys.executable, str(APP), str(port), job], stderr=subprocess.DEVNULL)
        for job, port in ports.items()
    ]
    jobs = "".join(
        f"  - job_name: {job}\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
        for job, port in ports.items()
    )
    (home / "prometheus.yml").write_text(
        f"global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nscrape_configs:\n{jobs}"
    )
    log = (home / "prometheus.log").open("wb")
    procs.append(
        subprocess.Popen(
            [
                binary,
                f"--config.file={home / 'prometheus.yml'}",
                f"--storage.tsdb.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{web}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    url = f"http://127.0.0.1:{web}"
    try:
        wait_for("Prometheus to be ready", lambda: b"Ready" in get(f"{url}/-/ready"))
        for job in ports:
            wait_for(
                f"samples from {job}",
                lambda job=job: samples(url, f'app_errors_total{{job="{job}",version="v2"}}') >= 5,
            )
        yield url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def canary_run(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    url: str,
    job: str,
    canary: str = "v2",
    *extra: str,
    text: str = CONFIG,
) -> tuple[int, dict]:  # type: ignore[type-arg]
    config = tmp_path / "canary.yml"
    config.write_text(text.replace("JOB", job).replace("CANARY", canary))
    code, out, err = cli(
        capsys, "canary", "run", "--config", str(config), "--source", "prometheus",
        "--url", url, "--format", "json", "--record", str(tmp_path / "run.json"), *extra,
    )  # fmt: skip
    assert out, err
    return code, json.loads(out)


def test_a_healthy_canary_passes(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = canary_run(capsys, tmp_path, prometheus, "healthy")
    assert (code, result["verdict"]) == (0, "pass"), result
    assert [m["phase"] for m in result["measurements"]] == ["Successful"] * 3
    recorded = json.loads((tmp_path / "run.json").read_text())["samples"]
    assert len(recorded["canary"]["latency"]) >= 5 and len(recorded["baseline"]["error_rate"]) >= 5


def test_a_degraded_canary_fails(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = canary_run(capsys, tmp_path, prometheus, "degraded")
    assert (code, result["verdict"]) == (1, "fail"), result
    judgement = result["measurements"][-1]["judgement"]
    assert {m["name"]: m["classification"] for m in judgement["metrics"]} == {
        "latency": "High",
        "error_rate": "High",
    }


def test_no_data_or_no_prometheus_is_never_a_pass(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = canary_run(capsys, tmp_path, prometheus, "healthy", canary="v9")
    assert code == 1 and result["verdict"] in {"inconclusive", "fail"}
    assert result["measurements"][0]["phase"] in {"Inconclusive", "Failed"}
    down = f"http://127.0.0.1:{free_port()}"
    config = tmp_path / "canary.yml"
    config.write_text(
        CONFIG.replace("JOB", "healthy")
        .replace("CANARY", "v2")
        .replace("count: 3", "count: 3, consecutive_error_limit: 0")
    )
    code, out, _ = cli(
        capsys, "canary", "run", "--config", str(config), "--source", "prometheus",
        "--url", down, "--format", "json",
    )  # fmt: skip
    assert code == 1 and json.loads(out)["verdict"] == "error"


SEQUENTIAL = CONFIG.replace("count: 3, step: 1s, lookback: 12s", "count: 10, step: 1s")


def test_a_sequential_run_stops_a_degraded_canary_early_and_passes_a_healthy_one(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report"
    code, result = canary_run(
        capsys, tmp_path, prometheus, "degraded", "v2", "--sequential", "--report", str(report),
        text=SEQUENTIAL,
    )  # fmt: skip
    assert (code, result["verdict"]) == (1, "fail"), result
    assert (report / "sequential.png").is_file() and (report / "index.html").is_file()
    assert len(result["measurements"]) < 10 and result["alpha"] == 0.05
    last = result["measurements"][-1]["sequential"]
    assert last["decision"] == "fail" and any(e["rejected"] for e in last["evidence"])
    code, result = canary_run(
        capsys, tmp_path, prometheus, "healthy", "v2", "--sequential", text=SEQUENTIAL
    )
    assert (code, result["verdict"]) == (0, "pass"), result
    assert len(result["measurements"]) == 10
    assert result["measurements"][-1]["sequential"]["decision"] == "pass"
