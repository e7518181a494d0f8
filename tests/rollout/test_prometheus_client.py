"""The Prometheus client and `caution canary run` against a tiny in-process HTTP server that
replays answers recorded from a real Prometheus (tests/data/rollout/prometheus_*)."""

from __future__ import annotations

import json
import math
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from caution.rollout.prometheus import PrometheusClient
from caution.rollout.prometheus_response import PrometheusError, PrometheusQueryError
from caution.rollout.source import QueryError
from tests.conftest import cli

DATA = Path(__file__).parent.parent / "data" / "rollout"
Answer = tuple[int, bytes]


class Replay:
    def __init__(self) -> None:
        self.answer: Callable[[str, dict[str, str]], Answer] = lambda path, q: (200, b"")
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0
        self.url = ""


@pytest.fixture
def replay() -> Iterator[Replay]:
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            state.requests.append((parts.path, query))
            time.sleep(state.delay)
            status, body = state.answer(parts.path, query)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def recorded(name: str, status: int) -> Callable[[str, dict[str, str]], Answer]:
    body = (DATA / name).read_bytes()
    return lambda path, query: (status, body)


def matrix(values: Callable[[str], list[float]]) -> Callable[[str, dict[str, str]], Answer]:
    def answer(path: str, query: dict[str, str]) -> Answer:
        """Values at the asked start, one per asked step (as Prometheus answers), for as
        many steps as the window has."""
        start, end, step = (
            float(query.get(k, d)) for k, d in (("start", 0), ("end", 1e9), ("step", 1))
        )
        room = int((end - start) // step) + 1
        found = values(query["query"])[:room]
        pairs = [[start + i * step, repr(v)] for i, v in enumerate(found)]
        result = [{"metric": {"job": "app"}, "values": pairs}] if pairs else []
        doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        return 200, json.dumps(doc).encode()

    return answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_client_asks_query_range_under_the_url_path(replay: Replay) -> None:
    replay.answer = recorded("prometheus_matrix.json", 200)
    client = PrometheusClient(replay.url + "/prometheus/")
    values = client('up{job="x"}', 1000.5, 1060.0, 10.0)
    assert len(values) >= 4
    ((path, query),) = replay.requests
    assert path == "/prometheus/api/v1/query_range"
    assert query == {"query": 'up{job="x"}', "start": "1000.5", "end": "1060", "step": "10"}


@pytest.mark.parametrize(
    ("name", "status", "kind", "words"),
    [
        ("prometheus_bad_data.json", 400, PrometheusQueryError, "parse error"),
        ("prometheus_execution.json", 422, PrometheusError, "HTTP 422: Prometheus: execution"),
        ("prometheus_not_found.txt", 404, PrometheusQueryError, "HTTP 404: no Prometheus query"),
        ("prometheus_nonfinite.json", 200, PrometheusError, "infinite"),
        ("prometheus_vector.json", 200, PrometheusError, "expected a matrix"),
    ],
)
def test_the_client_names_each_failure(
    replay: Replay, name: str, status: int, kind: type[Exception], words: str
) -> None:
    replay.answer = recorded(name, status)
    with pytest.raises(kind, match=words):
        PrometheusClient(replay.url)("up", 0, 60, 10)


def test_refused_connections_and_timeouts_are_measurement_errors(replay: Replay) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(
        PrometheusError, match=re.escape(f"cannot reach Prometheus at {url}: connection refused")
    ):
        PrometheusClient(url)("up", 0, 60, 10)
    replay.delay = 0.5
    replay.answer = recorded("prometheus_empty.json", 200)
    with pytest.raises(PrometheusError, match=r"no answer within 0\.1s"):
        PrometheusClient(replay.url, timeout=0.1)("up", 0, 60, 10)


@pytest.mark.parametrize("status", ["200 OK", "503 Service Unavailable"])
def test_a_server_that_trickles_its_answer_is_cut_off_at_the_timeout(status: str) -> None:
    """The timeout bounds the whole answer, not each read: a server sending a byte every
    50 ms never lets a single read time out, and would hold a canary run for as long as
    it liked — an error's body as well."""
    body = (DATA / "prometheus_empty.json").read_bytes() * 6
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.sendall(head.encode())
            for i in range(len(body)):
                if stop.is_set():
                    return
                conn.sendall(body[i : i + 1])
                time.sleep(0.05)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(PrometheusError, match=r"no answer within 0\.5s"):
            PrometheusClient(f"http://127.0.0.1:{server.getsockname()[1]}", timeout=0.5)(
                "up", 0, 60, 10
            )
        assert time.monotonic() - started < 1.5
    finally:
        stop.set()
        thread.join(5)
        server.close()


@pytest.mark.parametrize("url", ["localhost:9090", "ftp://host", "http://"])
def test_urls_that_are_not_http_are_bad_input(url: str) -> None:
    with pytest.raises(QueryError, match="--url"):
        PrometheusClient(url)


CONFIG = """\
metrics:
  - {name: latency, query: 'avg(lat{${scope}})', direction: increase}
  - {name: errors, query: 'sum(err{${scope}})', direction: increase}
scopes: {baseline: 'version="v1"', canary: 'version="v2"'}
analysis: {interval: 10ms, count: 2, step: 1s, lookback: 29s, consecutive_error_limit: 0}
"""


def healthy(query: str) -> list[float]:
    """The same values for both arms, in another order for the baseline (two deployments
    never answer identically)."""
    shift = 3 if "v1" in query else 0
    return [100.0 + (i + shift) % 7 for i in range(30)]


def slow(query: str) -> list[float]:
    return [(200.0 if "v2" in query else 100.0) + i % 7 for i in range(30)]


def canary_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, *extra: str, config: str = CONFIG
) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    path = tmp_path / "canary.yml"
    path.write_text(config)
    code, out, err = cli(
        capsys, "canary", "run", "--config", str(path), "--source", "prometheus",
        "--url", url, "--format", "json", *extra,
    )  # fmt: skip
    return code, (json.loads(out) if out else {}), err


def test_run_passes_a_healthy_canary_and_records_the_samples(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.answer = matrix(healthy)
    record = tmp_path / "run.json"
    code, result, err = canary_run(capsys, tmp_path, replay.url, "--record", str(record))
    assert code == 0 and result["verdict"] == "pass"
    assert result["status"]["phase"] == "Successful"
    assert [m["phase"] for m in result["measurements"]] == ["Successful", "Successful"]
    assert result["measurements"][0]["judgement"]["verdict"] == "pass"
    assert result["queries"]["latency"]["canary"] == 'avg(lat{version="v2"})'
    assert len(err.strip().splitlines()) == 2 and "measurement 2 (2 of 2 counted)" in err
    saved = json.loads(record.read_text())
    assert saved["samples"]["canary"]["latency"] == healthy("")
    assert {k: saved[k] for k in result} == result


def test_run_fails_a_slow_canary_at_once(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.answer = matrix(slow)
    code, result, _ = canary_run(capsys, tmp_path, replay.url)
    assert (code, result["verdict"], len(result["measurements"])) == (1, "fail", 1)


def test_run_without_data_is_inconclusive(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.answer = recorded("prometheus_empty.json", 200)
    code, result, _ = canary_run(capsys, tmp_path, replay.url)
    assert (code, result["verdict"]) == (1, "inconclusive")


def test_run_against_failing_prometheus_ends_in_error(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.answer = recorded("prometheus_execution.json", 422)
    code, result, _ = canary_run(capsys, tmp_path, replay.url)
    assert (code, result["verdict"], result["status"]["phase"]) == (1, "error", "Error")
    assert "many-to-many" in result["measurements"][0]["error"]
    code, result, _ = canary_run(capsys, tmp_path, f"http://127.0.0.1:{free_port()}")
    assert (code, result["verdict"]) == (1, "error")
    assert "connection refused" in result["measurements"][0]["error"]


def test_a_query_prometheus_cannot_parse_is_bad_input(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.answer = recorded("prometheus_bad_data.json", 400)
    code, _, err = canary_run(capsys, tmp_path, replay.url)
    assert code == 2 and "bad_data: 1:21: parse error" in err.splitlines()[-1]


def test_a_bad_query_or_url_stops_the_run_before_the_first_interval(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = CONFIG.replace("interval: 10ms", "interval: 3s")
    for name, status, problem in [
        ("prometheus_bad_data.json", 400, "parse error"),
        ("prometheus_not_found.txt", 404, "no Prometheus query API at this address"),
    ]:
        replay.answer = recorded(name, status)
        started = time.monotonic()
        code, _, err = canary_run(capsys, tmp_path, replay.url, config=config)
        assert code == 2 and problem in err.splitlines()[-1]
        assert time.monotonic() - started < 2.5  # no interval was waited for


def test_a_metric_without_query_is_bad_input(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = CONFIG.replace(", query: 'sum(err{${scope}})'", "")
    code, _, err = canary_run(capsys, tmp_path, replay.url, config=config)
    assert code == 2 and "metric 'errors' has no query" in err and not replay.requests
    path = tmp_path / "canary.yml"
    code, _, err = cli(capsys, "canary", "run", "--config", str(path), "--source", "prometheus")
    assert code == 2 and "needs --url" in err


SEQUENTIAL = """\
metrics:
  - {name: errors, query: 'sum(increase(err{${scope}}[1s]))', direction: increase,
     sequential: {test: poisson, exposure: requests}}
  - {name: requests, query: 'sum(increase(req{${scope}}[1s]))'}
scopes: {baseline: 'version="v1"', canary: 'version="v2"'}
analysis: {interval: 10ms, count: 2, step: 1s, consecutive_error_limit: 0}
"""


def test_a_sequential_run_with_nothing_to_test_is_bad_input(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every metric muted or only an exposure: no test could fail the canary, so the run
    would pass on nothing — refused before the first query, one line, exit 2."""
    for config in (
        SEQUENTIAL.replace("direction: increase,", "muted: true, direction: increase,"),
        CONFIG.replace("direction: increase}", "direction: increase, muted: true}").replace(
            " lookback: 29s,", ""
        ),
    ):
        code, _, err = canary_run(capsys, tmp_path, replay.url, "--sequential", config=config)
        assert code == 2 and "nothing to test" in err, err
        assert len(err.strip().splitlines()) == 1 and not replay.requests


def test_negative_counts_are_a_measurement_error_not_a_crash(
    replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`delta()` of a gauge, or a counter reset read with the wrong function, gives negative
    "counts": the count test cannot weigh them, and says so as an Error."""
    replay.answer = matrix(lambda query: [-1.0] * 10 if "err" in query else healthy(query)[:10])
    code, result, err = canary_run(capsys, tmp_path, replay.url, "--sequential", config=SEQUENTIAL)
    assert (code, result["status"]["phase"]) == (1, "Error"), err
    assert "errors: counts cannot be negative" in result["measurements"][0]["error"]


def test_a_series_that_starts_late_stays_on_its_steps(replay: Replay) -> None:
    """The canary's error counter exists only from its first error on: its values land on
    the steps they were measured at, NaN before, as long as the requests they divide."""
    from caution.rollout.prometheus import PrometheusClient

    def answer(path: str, query: dict[str, str]) -> Answer:
        start, step = float(query["start"]), float(query["step"])
        steps = range(7, 10) if "err" in query["query"] else range(10)
        pairs = [[start + i * step, "1"] for i in steps]
        doc = {
            "status": "success",
            "data": {"resultType": "matrix", "result": [{"metric": {}, "values": pairs}]},
        }
        return 200, json.dumps(doc).encode()

    replay.answer = answer
    client = PrometheusClient(replay.url)
    errors = client("sum(err)", 1000.0, 1009.0, 1.0)
    requests = client("sum(req)", 1000.0, 1009.0, 1.0)
    assert len(errors) == len(requests) == 10
    assert [i for i, v in enumerate(errors) if not math.isnan(v)] == [7, 8, 9]


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 1e9])
def test_a_timeout_that_is_no_time_is_refused(timeout: float) -> None:
    with pytest.raises(QueryError, match="--timeout"):
        PrometheusClient("http://localhost:9090", timeout=timeout)
