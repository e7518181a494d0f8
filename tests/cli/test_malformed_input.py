"""Malformed outside input, command by command, in real `caution` processes: exit 2 with one
line on stderr and no traceback, and never a hang. (The Security issue's items 16 to 18; the
first tests are /work/shared/security/h2.sh.)

Each process has a time limit, so a reader that opens a FIFO or reads /dev/zero fails the
test instead of hanging the suite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import Repo, cli

DEEP_YAML = "[" * 5000 + "]" * 5000
BIG = "9" * 5000
CHECKOUT_POLICY = """\
version: 1
policy:
  approval:
    - {name: checkout, if: {changed_files: {paths: ["services/checkout/**"]}}, requires: {count: 1}}
    - {name: catch-all}
"""


def caution(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "caution", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "CAUTION_GUARD_NO_DAEMON": "1"},
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt this (main) thread after `seconds`: a blocking open() of a FIFO or an
    endless read of /dev/zero becomes a TimeoutError instead of a hung suite."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def input_error(result: tuple[int, str, str], *fragments: str) -> str:
    """Assert exit 2, one line on stderr, no traceback, and each fragment in it."""
    code, out, err = result
    assert code == 2, (code, out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("caution: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


def _branch(repo: Repo, files: dict[str, str | bytes]) -> None:
    """A main branch with `files`, and a feature branch changing the checkout service."""
    repo.commit("base", {"services/checkout/app.py": "1\n", **files})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("change", {"services/checkout/app.py": "2\n"})


# --- h2.sh: 5,000-deep YAML, 5,000-digit integers, a NUL in a catalog target -------------------


def test_deep_yaml_in_the_policy_is_one_line_in_every_command_that_reads_it(repo: Repo) -> None:
    _branch(repo, {".caution.yml": f"version: 1\nx: {DEEP_YAML}\n"})
    where = str(repo.path)
    input_error(caution("-C", where, "check", "main..HEAD"), ".caution.yml:2: nested deeper")
    input_error(caution("-C", where, "reach", "main..HEAD"), ".caution.yml:2: nested deeper")
    input_error(
        caution("-C", where, "deploy", "gate", "--service", "x", "main..HEAD"),
        ".caution.yml:2: nested deeper",
    )
    input_error(
        caution("guard", "check", "--cwd", where, "-c", "ls"), ".caution.yml:2: nested deeper"
    )


def test_deep_yaml_in_any_configuration_file(tmp_path: Path) -> None:
    for name in ("slo.yml", "canary.yml"):
        (tmp_path / name).write_text(f"x:\n  - {DEEP_YAML}\n")
    (tmp_path / "m.json").write_text('{"metrics": {"a": [1]}}')
    slo, canary, metrics = (str(tmp_path / n) for n in ("slo.yml", "canary.yml", "m.json"))
    input_error(caution("slo", "status", "--config", slo), "slo.yml:2: nested deeper")
    input_error(
        caution("canary", "judge", "--config", canary, "--baseline", metrics, "--canary", metrics),
        "canary.yml:2: nested deeper",
    )
    input_error(
        caution("canary", "run", "--config", canary, "--source", "prometheus", "--url", "http://x"),
        "canary.yml:2: nested deeper",
    )


def test_5000_digit_integers_in_every_json_input(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_text("metrics: [{name: latency}]\n")
    metrics = tmp_path / "m.json"
    metrics.write_text('{"metrics": {"latency": [' + BIG + "]}}")
    judged = caution(
        "canary", "judge", "--config", str(tmp_path / "c.yml"),
        "--baseline", str(metrics), "--canary", str(metrics),
    )  # fmt: skip
    input_error(judged, "m.json:1:26: an integer of 5000 digits is too large")
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": [], "x": ' + BIG + "}")
    repo.commit("base", {"a.txt": "1\n"})
    input_error(caution("-C", str(repo.path), "reach", "--plan", str(plan)), "plan.json:1:")
    (tmp_path / "events.json").write_text('{"buckets": [{"end": ' + BIG + "}]}")
    (tmp_path / "slo.yml").write_text("slos: [{name: a, objective: 99, events: events.json}]\n")
    input_error(
        caution("slo", "status", "--config", str(tmp_path / "slo.yml")), "events.json:1:22:"
    )
    record = tmp_path / "record.json"
    record.write_text('{"config": ' + BIG + "}")
    input_error(caution("canary", "report", str(record), "-o", str(tmp_path / "r")), "record.json")
    result = tmp_path / "canary.json"
    result.write_text('{"verdict": "pass", "score": ' + BIG + "}")
    gated = caution(
        "-C", str(repo.path), "deploy", "gate", "--service", "x", "--canary-result", str(result)
    )
    input_error(gated, "canary.json:1:30: an integer of 5000 digits")


def test_5000_digit_integers_in_the_deploy_gates_slo_events(repo: Repo) -> None:
    policy = "version: 1\ndeploy:\n  budget: {slos: ops/slos.yml}\n"
    slos = "slos: [{name: a, objective: 99.9, events: events.json}]\n"
    repo.commit("base", {".caution.yml": policy, "ops/slos.yml": slos})
    repo.write("ops/events.json", '{"buckets": [{"end": 1, "good": ' + BIG + ', "total": 1}]}')
    input_error(
        caution("-C", str(repo.path), "deploy", "gate", "--service", "x"),
        "events.json:1:33: an integer of 5000 digits",
    )


def test_a_nul_in_a_catalog_target_is_a_warning_not_a_crash(repo: Repo) -> None:
    catalog = (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\n"
        'spec: {targets: ["a\\0b"]}\n'
    )
    _branch(repo, {".caution.yml": CHECKOUT_POLICY, "catalog-info.yaml": catalog})
    code, out, err = caution("-C", str(repo.path), "check", "main..HEAD")
    assert code == 1 and "PENDING" in out and "Traceback" not in err  # judged, not crashed
    code, out, err = caution("-C", str(repo.path), "reach", "main..HEAD")
    assert code == 0 and "location target 'a\\x00b' contains a NUL byte; not read" in out


# --- silent misreads: each is refused, naming the place (in this process, for speed) ------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            '{"actions": ["delete"], "actions": ["no-op"]}',
            "plan.json:1:147: duplicate key 'actions'",
        ),
        ('{"actions": "delete"}', "change.actions must be a list of action names"),
        ('{"actions": ["obliterate"]}', "['obliterate'] is not one of Terraform's"),
    ],
    ids=["duplicate key", "string", "unknown action"],
)
def test_a_plan_that_could_hide_a_delete_is_refused(
    repo: Repo, tmp_path: Path, change: str, problem: str
) -> None:
    repo.commit("base", {"a.txt": "1\n"})
    plan = tmp_path / "plan.json"
    plan.write_text(
        '{"format_version": "1.2", "resource_changes": [{"address": "aws_db_instance.orders",'
        f' "type": "aws_db_instance", "change": {change}}}]}}'
    )
    input_error(caution("-C", str(repo.path), "reach", "--plan", str(plan)), problem)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "metrics: [{name: a}]\ngroups: {a: .nan}\n",
            "c.yml:2: groups.a: Input should be a finite",
        ),
        ("metrics:\n  - {name: a, effect_size: {allowed_increase: .inf}}\n", "c.yml:2:"),
        ("metrics: [{name: a}]\nanalysis: {failure_limit: -1}\n", "c.yml:2: analysis.failure"),
        ("metrics: [{name: a}]\nmetrics: [{name: b}]\n", "c.yml:2: duplicate key 'metrics'"),
    ],
)
def test_canary_configurations_that_mean_nothing_are_refused_by_judge_and_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, problem: str
) -> None:
    (tmp_path / "c.yml").write_text(config)
    metrics = tmp_path / "m.json"
    metrics.write_text('{"metrics": {"a": [1, 2, 3]}}')
    c, m = str(tmp_path / "c.yml"), str(metrics)
    input_error(
        cli(capsys, "canary", "judge", "--config", c, "--baseline", m, "--canary", m), problem
    )
    input_error(
        cli(capsys, "canary", "run", "--config", c, "--source", "prometheus", "--url", "http://x"),
        problem,
    )


def test_metrics_with_a_metric_named_twice_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.yml").write_text("metrics: [{name: a}]\n")
    metrics = tmp_path / "m.json"
    metrics.write_text('{"metrics": {"a": [100, 101],\n "a": [1, 2]}}')
    m = str(metrics)
    input_error(
        cli(capsys, "canary", "judge", "--config", str(tmp_path / "c.yml"), "--baseline", m,
                "--canary", m),
        "m.json:2:2: duplicate key 'a'",
    )  # fmt: skip


def test_risk_inputs_that_mean_nothing_are_refused(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from caution.risk.features import FEATURES

    repo.commit("base", {"a.txt": "1\n"})
    features = tmp_path / "f.csv"
    features.write_text("date,bug,la," + ",".join(FEATURES) + "\n")
    input_error(
        cli(capsys, "risk", "evaluate", "--features", str(features)), "f.csv:1: column 'la' appears"
    )
    input_error(
        cli(capsys, "-C", str(repo.path), "risk", "train", "--maturity-days", "nan"),
        "--maturity-days",
    )
    rows = "".join(f"{i},{i % 2}," + ",".join(["1"] * len(FEATURES)) + "\n" for i in range(20))
    features.write_text("date,bug," + ",".join(FEATURES) + "\n" + rows)
    input_error(
        cli(capsys, "risk", "evaluate", "--features", str(features), "--gap-days", "inf"),
        "--gap-days",
    )


def test_the_risk_percentile_of_a_policy_cannot_be_negative(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = "version: 1\npolicy:\n  approval:\n    - {name: r, if: {risk: {percentile: '> -5'}}}\n"
    _branch(repo, {".caution.yml": policy})
    input_error(
        cli(capsys, "-C", str(repo.path), "check", "main..HEAD"),
        ".caution.yml:4: policy.approval.if.risk.percentile: > -5 is out of range",
    )


# --- bounded reads: /dev/zero, FIFOs, directories, huge files ----------------------------------


def _huge(path: Path) -> Path:
    """A sparse file of 600 MiB: larger than any cap, without writing it."""
    with path.open("wb") as out:
        out.truncate(600 << 20)
    return path


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_events_that_are_no_regular_file_exit_2_at_once(tmp_path: Path, kind: str) -> None:
    events = tmp_path / "events.json"
    if kind == "dev-zero":
        target = "/dev/zero"
    else:
        if kind == "fifo":
            os.mkfifo(events)
        elif kind == "directory":
            events.mkdir()
        else:
            _huge(events)
        target = "events.json"
    (tmp_path / "slo.yml").write_text(f"slos: [{{name: a, objective: 99, events: {target}}}]\n")
    problem = {
        "dev-zero": "/dev/zero: cannot read (a device, not a regular file)",
        "fifo": "events.json: cannot read (a FIFO",
        "directory": "events.json: cannot read (a directory",
        "huge": "events.json: cannot read (larger than 64 MiB; not read)",
    }[kind]
    input_error(caution("slo", "status", "--config", str(tmp_path / "slo.yml")), problem)


def test_an_events_link_named_by_the_slo_file_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text('{"buckets": []}')
    (tmp_path / "events.json").symlink_to(tmp_path / "real.json")
    (tmp_path / "slo.yml").write_text("slos: [{name: a, objective: 99, events: events.json}]\n")
    input_error(
        caution("slo", "status", "--config", str(tmp_path / "slo.yml")),
        "events.json: cannot read (a symbolic link; not followed)",
    )


def test_the_deploy_gates_slo_files_are_bounded_reads(repo: Repo) -> None:
    """The SLO file is read as committed (a FIFO in the work tree is never opened); the
    events it names are the work tree's export, read as a regular file or refused."""
    policy = "version: 1\ndeploy:\n  budget: {slos: ops/slos.yml}\n"
    slos = "slos: [{name: a, objective: 99.9, events: events.json}]\n"
    repo.commit("base", {".caution.yml": policy, "ops/slos.yml": slos})
    work_tree_slos = repo.path / "ops" / "slos.yml"
    work_tree_slos.unlink()
    os.mkfifo(work_tree_slos)
    events = repo.path / "ops" / "events.json"
    os.mkfifo(events)
    input_error(
        caution("-C", str(repo.path), "deploy", "gate", "--service", "x"),
        "ops/events.json: cannot read: a FIFO",
    )
    work_tree_slos.unlink()
    events.unlink()
    repo.commit("absolute events", {"ops/slos.yml": slos.replace("events.json", "/dev/zero")})
    input_error(
        caution("-C", str(repo.path), "deploy", "gate", "--service", "x"),
        "events '/dev/zero' must be a path inside the repository",
    )


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_every_file_option_refuses_what_is_no_regular_file(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """In this process, for speed, under a deadline: a reader that hangs on the FIFO or
    reads /dev/zero for ever is interrupted and fails the test."""
    repo.commit("base", {"a.txt": "1\n"})
    repo.git("checkout", "-q", "-b", "change")
    repo.commit("a change", {"b.txt": "2\n"})
    bad = tmp_path / "bad"
    if kind == "dev-zero":
        bad = Path("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(bad)
    elif kind == "directory":
        bad.mkdir()
    else:
        _huge(bad)
    problem = {"dev-zero": "a device", "fifo": "a FIFO", "directory": "a directory"}.get(
        kind, "larger than"
    )
    (tmp_path / "c.yml").write_text("metrics: [{name: a}]\n")
    good = tmp_path / "m.json"
    good.write_text('{"metrics": {"a": [1]}}')
    where, b, c, m = str(repo.path), str(bad), str(tmp_path / "c.yml"), str(good)
    commands = [
        ("-C", where, "check", "main..change", "--config", b),
        ("-C", where, "reach", "--config", b),
        ("-C", where, "reach", "--plan", b),
        ("-C", where, "deploy", "gate", "--service", "x", "--config", b),
        ("-C", where, "deploy", "gate", "--service", "x", "--canary-result", b),
        ("canary", "judge", "--config", b, "--baseline", m, "--canary", m),
        ("canary", "judge", "--config", c, "--baseline", b, "--canary", m),
        ("canary", "run", "--config", b, "--source", "prometheus", "--url", "http://x"),
        ("canary", "report", b, "-o", str(tmp_path / "out")),
        ("slo", "status", "--config", b),
        ("risk", "evaluate", "--features", b),
        ("guard", "eval", b, "--cwd", where),
    ]
    for command in commands:
        with deadline(30):
            input_error(cli(capsys, *command), problem)


def test_a_workspace_policy_that_is_a_fifo_does_not_stop_guard_check(repo: Repo) -> None:
    """The guard reads its settings as committed upstream, never the work tree's file."""
    repo.commit("base", {"a.txt": "1\n"})
    os.mkfifo(repo.path / ".caution.yml")
    code, out, err = caution("guard", "check", "--cwd", str(repo.path), "-c", "ls")
    assert code == 0 and out.startswith("allow") and err == ""


def test_an_agent_trace_file_that_is_a_fifo_does_not_hang_provenance(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "1\n"})
    (repo.path / ".agent-trace").mkdir()
    os.mkfifo(repo.path / ".agent-trace" / "traces.jsonl")
    code, out, err = caution("-C", str(repo.path), "provenance", "HEAD", "--format", "json")
    assert code == 0 and "Traceback" not in err
    assert json.loads(out)["commits"][0]["level"] in ("human", "unknown")


def test_a_nul_in_a_path_a_configuration_names_is_refused_at_its_line(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """os.stat("a\\0b") is a ValueError (`embedded null byte`), which was a traceback."""
    (tmp_path / "slo.yml").write_text('slos:\n  - {name: a, objective: 99, events: "a\\0b"}\n')
    input_error(
        cli(capsys, "slo", "status", "--config", str(tmp_path / "slo.yml")),
        "slo.yml:2: slos.events: the path 'a\\x00b' contains a NUL byte",
    )
    repo.commit("base", {".caution.yml": 'version: 1\ndeploy:\n  budget: {slos: "ops/\\0x"}\n'})
    input_error(
        cli(capsys, "-C", str(repo.path), "deploy", "gate", "--service", "x"),
        ".caution.yml:3: deploy.budget.slos: the path 'ops/\\x00x' contains a NUL byte",
    )


def test_a_work_tree_policy_that_is_no_regular_file_is_not_the_default_policy(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as absent, a FIFO or a directory named .caution.yml was the built-in default
    policy: now it is an error, as any policy that does not load."""
    repo.commit("base", {"a.txt": "1\n"})
    os.mkfifo(repo.path / ".caution.yml")
    with deadline(30):
        input_error(cli(capsys, "-C", str(repo.path), "reach"), ".caution.yml: cannot read: a FIFO")
    (repo.path / ".caution.yml").unlink()
    (repo.path / ".caution.yml").mkdir()
    input_error(cli(capsys, "-C", str(repo.path), "reach"), ".caution.yml: cannot read: a direct")
