"""`caution deploy gate` and the `deploy` policy predicate on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo, cli

# Friday 2026-03-06 12:00 UTC: before the weekend freeze; Saturday noon: inside it
FRIDAY = 1_772_798_400
SATURDAY = FRIDAY + 86_400

SLOS = "slos:\n  - name: availability\n    objective: 99.9\n    events: events.json\n"
CONFIG = """\
version: 1
deploy:
  freezes:
    - name: weekend
      cron: "0 18 * * FRI"
      duration: 62h
      timezone: Europe/Berlin
  budget:
    slos: ops/slos.yml
    window_days: 28
"""


def events(repo: Repo, error_rate: float, now: int = FRIDAY) -> None:
    """Hourly buckets over the last 28 days."""
    buckets = [
        {"end": now - i * 3600, "good": 1000 - 1000 * error_rate, "total": 1000}
        for i in range(28 * 24)
    ]
    repo.write("ops/events.json", json.dumps({"buckets": buckets}))


@pytest.fixture
def shop(repo: Repo) -> Repo:
    # the events are what monitoring exports at deploy time, not a committed file
    repo.commit(
        "base", {".caution.yml": CONFIG, "ops/slos.yml": SLOS, ".gitignore": "ops/events.json\n"}
    )
    events(repo, 0.0001)  # 10 % of the budget spent
    return repo


def gate(
    capsys: pytest.CaptureFixture[str], repo: Repo, *args: str, now: int = FRIDAY
) -> tuple[int, dict[str, object], str]:
    code, out, err = cli(
        capsys, "-C", str(repo.path), "deploy", "gate", "--service", "checkout",
        "--now", str(now), "--format", "json", *args,
    )  # fmt: skip
    return code, (json.loads(out) if out else {}), err


def test_no_freeze_allows(shop: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    shop.commit("feature", {"a.txt": "1\n"})
    code, data, _ = gate(capsys, shop)
    assert code == 0
    assert data == {
        "service": "checkout",
        "decision": "allow",
        "reasons": [],
        "frozen": False,
        "exempt": False,
        "note": None,
    }
    code, out, _ = cli(
        capsys, "-C", str(shop.path), "deploy", "gate", "--service", "checkout",
        "--now", str(FRIDAY),
    )  # fmt: skip
    assert code == 0 and out == "deploy checkout: ALLOW — no freeze in force\n"


def test_a_freeze_window_holds_and_says_until_when(
    shop: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.commit("feature", {"a.txt": "1\n"})
    events(shop, 0.0001, now=SATURDAY)  # fresh events: only the window holds
    code, data, _ = gate(capsys, shop, now=SATURDAY)
    assert code == 1 and data["decision"] == "hold" and data["frozen"] is True
    assert data["reasons"] == [
        {
            "kind": "freeze",
            "message": "freeze window 'weekend' in force until 2026-03-09 08:00 CET",
        }
    ]
    # the same with a P0 trailer: a window is not lifted by exemption
    shop.commit("hotfix\n\nPriority: P0\n")
    code, data, _ = gate(capsys, shop, now=SATURDAY)
    assert code == 1 and data["exempt"] is True
    code, out, _ = cli(
        capsys, "-C", str(shop.path), "deploy", "gate", "--service", "checkout",
        "--now", str(SATURDAY),
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "deploy checkout: HOLD (1 reason)"
    assert lines[1].startswith("  freeze: freeze window 'weekend'")
    assert lines[2].startswith("  exempt: ")


def test_a_spent_budget_holds_unless_a_commit_is_marked(
    shop: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    events(shop, 0.002)  # twice the allowed error rate: 200 % of the budget
    base = shop.commit("ordinary change", {"a.txt": "1\n"})
    code, data, _ = gate(capsys, shop)
    assert code == 1 and data["frozen"] is True and data["exempt"] is False
    (reason,) = data["reasons"]  # type: ignore[misc]
    assert reason["kind"] == "budget"
    assert "'availability'" in reason["message"] and "200%" in reason["message"]

    fix = shop.commit("fix the outage\n\nchange-type: SECURITY\n", {"a.txt": "2\n"})
    code, data, _ = gate(capsys, shop, f"{base}..HEAD")
    assert code == 0 and data["decision"] == "allow" and data["exempt"] is True
    assert [r["kind"] for r in data["reasons"]] == ["exempt"]  # type: ignore[union-attr]
    assert "change-type: SECURITY" in data["reasons"][0]["message"]  # type: ignore[index]
    # an unmarked change riding along with the fix is not exempt, whichever comes last:
    # every change the deployment ships must carry a marker
    follow = shop.commit("follow-up", {"a.txt": "3\n"})
    for spec in (f"{base}..HEAD", "HEAD"):
        code, data, _ = gate(capsys, shop, spec)
        assert code == 1 and data["exempt"] is False, spec
    kinds = [r["kind"] for r in data["reasons"]]  # type: ignore[union-attr]
    assert kinds == ["budget"]
    code, data, _ = gate(capsys, shop, f"{base}..HEAD")
    message = data["reasons"][-1]["message"]  # type: ignore[index]
    assert message.startswith(f"not exempt: {follow[:10]} carries no exempt marker")
    assert f"{fix[:10]} has change-type: SECURITY" in message
    shop.commit("follow-up, reviewed as part of the fix\n\nPriority: P0\n", {"a.txt": "4\n"})
    code, data, _ = gate(capsys, shop, f"{fix}..HEAD")
    assert code == 1  # `follow` is still in the range


def test_exempt_trailers_are_configurable(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG + "  exempt:\n    trailers:\n      Urgency: [critical]\n"
    repo.commit("base", {".caution.yml": config, "ops/slos.yml": SLOS})
    events(repo, 0.01)
    repo.commit("fix\n\nPriority: P0\n")
    assert gate(capsys, repo)[0] == 1  # the default marker no longer counts
    repo.commit("fix\n\nUrgency: Critical\n")
    code, data, _ = gate(capsys, repo)
    assert code == 0 and data["exempt"] is True


def test_a_service_uses_its_own_slos_and_freezes(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        CONFIG
        + "  services:\n"
        + "    checkout:\n      slos: ops/checkout.yml\n"
        + "      freezes: [{name: launch, from: 2026-03-06, to: 2026-03-06}]\n"
        + "    search: {}\n"
    )
    checkout_slos = SLOS.replace("events.json", "checkout.json").replace("availability", "pay")
    repo.commit(
        "base", {".caution.yml": config, "ops/slos.yml": SLOS, "ops/checkout.yml": checkout_slos}
    )
    events(repo, 0.01)  # the shared SLO is spent …
    repo.write(
        "ops/checkout.json", json.dumps({"buckets": [{"end": FRIDAY, "good": 1, "total": 1}]})
    )
    code, data, _ = gate(capsys, repo)
    assert code == 1
    assert [r["kind"] for r in data["reasons"]] == ["freeze"]  # type: ignore[union-attr]
    assert "'launch'" in data["reasons"][0]["message"]  # type: ignore[index]
    code, out, _ = cli(
        capsys, "-C", str(repo.path), "deploy", "gate", "--service", "search",
        "--now", str(FRIDAY), "-f", "json",
    )  # fmt: skip
    assert code == 1 and [r["kind"] for r in json.loads(out)["reasons"]] == ["budget"]
    code, _, err = cli(
        capsys, "-C", str(repo.path), "deploy", "gate", "--service", "chekout", "--now", "0"
    )
    assert code == 2 and "unknown service 'chekout'" in err


@pytest.mark.parametrize(
    ("verdict", "expected"), [("pass", 0), ("marginal", 1), ("fail", 1), ("inconclusive", 1)]
)
def test_a_canary_that_did_not_pass_holds(
    shop: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, verdict: str, expected: int
) -> None:
    result = tmp_path / "canary.json"
    result.write_text(json.dumps({"verdict": verdict, "score": 61.5, "reason": "", "metrics": []}))
    code, data, _ = gate(capsys, shop, "--canary-result", str(result))
    assert code == expected
    kinds = [r["kind"] for r in data["reasons"]]  # type: ignore[union-attr]
    assert kinds == ([] if verdict == "pass" else ["canary"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{", "canary.json:1: not JSON"),
        ('{"score": 90}', "expected the JSON of `caution canary judge"),
        ('{"verdict": "ok"}', "verdict 'ok' is not one of"),
        ('{"verdict": "pass", "score": "high"}', "score 'high' is not a number"),
        ('{"verdict": "pass", "score": 1e999}', "score inf is not a number from 0 to 100"),
        ('{"verdict": "pass", "score": -3}', "score -3 is not a number from 0 to 100"),
        ('{"verdict": "pass", "score": NaN}', "canary.json:1:30: NaN is not JSON"),
        ('{"verdict": "fail", "verdict": "pass"}', "canary.json:1:21: duplicate key 'verdict'"),
        ('{"verdict": "pass", "score": ' + "9" * 5000 + "}", "canary.json:1:30: an integer"),
    ],
)
def test_a_bad_canary_file_exits_2(
    shop: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, problem: str
) -> None:
    result = tmp_path / "canary.json"
    result.write_text(content)
    code, _, err = gate(capsys, shop, "--canary-result", str(result))
    assert code == 2 and problem in err and len(err.splitlines()) == 1


def test_bad_ranges_exit_2(shop: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(capsys, shop, "nope..HEAD")
    assert code == 2 and "nope: not a commit" in err
    code, _, err = gate(capsys, shop, "HEAD..HEAD")
    assert code == 2 and "has no commits" in err


@pytest.mark.parametrize(
    ("deploy", "line", "problem"),
    [
        ("deploy:\n  freezs: []\n", 3, "unknown key 'freezs'"),
        ("deploy:\n  freezes:\n    - name: x\n      cron: '0 25 * * *'\n      duration: 1h\n",
         5, "hour: 25 is outside 0-23"),
        ("deploy:\n  freezes:\n    - name: x\n      cron: '0 1 * * *'\n      duration: 1h\n"
         "      timezone: Europe/Berln\n", 7, "unknown time zone"),
        ("deploy:\n  freezes:\n    - name: x\n      from: 2026-01-02\n      to: 2026-01-01\n",
         4, "'to' must come after 'from'"),
        ("deploy:\n  budget:\n    slos: ops/slos.yml\n    window_days: 0\n", 5, "window_days"),
        ("deploy:\n  services:\n    checkout:\n      slo: x.yml\n", 5, "unknown key 'slo'"),
        ("deploy:\n  budget:\n    slos: ops/missing.yml\n", 4, "ops/missing.yml: no such file"),
        ("deploy: [1]\n", 2, "deploy must be a mapping"),
        ("deploy:\n  freezes:\n    - name: x\n      cron: '0 1 * * *'\n"
         "      duration: 99999999999999999999w\n", 6, "at most 366 days"),
        ("deploy:\n  freezes:\n    - name: x\n      cron: '0 0 31 2 *'\n      duration: 1h\n",
         5, "never starts"),
        # a number is not a date: pydantic would read 1 as a second after 1970
        ("deploy:\n  freezes:\n    - name: x\n      from: 1\n      to: 2\n", 5, "ISO date"),
    ],
)  # fmt: skip
def test_a_malformed_deploy_section_exits_2_with_its_line(
    repo: Repo, capsys: pytest.CaptureFixture[str], deploy: str, line: int, problem: str
) -> None:
    repo.commit("base", {".caution.yml": "version: 1\n" + deploy, "ops/slos.yml": SLOS})
    events(repo, 0.0)
    code, out, err = gate(capsys, repo)
    assert code == 2 and out == {}
    assert err.startswith(f"caution: .caution.yml:{line}: ") and problem in err, err


@pytest.mark.parametrize("now", ["nan", "inf", "-inf", "1e300", "-1e12"])
def test_a_time_that_is_no_time_exits_2(
    shop: Repo, capsys: pytest.CaptureFixture[str], now: str
) -> None:
    code, _, err = cli(capsys, "-C", str(shop.path), "deploy", "gate", "--service", "x",
                       "--now", now)  # fmt: skip
    assert code == 2 and "--now" in err and len(err.splitlines()) == 1, err
    slos = str(shop.path / "ops" / "slos.yml")
    code, _, err = cli(capsys, "slo", "status", "--config", slos, "--now", now)
    assert code == 2 and "--now" in err and len(err.splitlines()) == 1, err


def test_a_bad_slo_file_names_itself(shop: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    bad = "slos:\n  - name: x\n    objective: 100\n    events: e.json\n"
    shop.commit("objective", {"ops/slos.yml": bad})
    code, _, err = gate(capsys, shop)
    assert code == 2 and "ops/slos.yml:3" in err and "objective" in err


def test_the_gate_reads_the_slo_file_as_committed_not_the_work_tree(
    shop: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    events(shop, 0.002)  # 200 % of the budget spent: the budget holds
    shop.commit("feature", {"a.txt": "1\n"})
    shop.write("ops/slos.yml", SLOS.replace("99.9", "50"))  # lowered in the work tree only
    code, data, _ = gate(capsys, shop)
    assert code == 1 and data["decision"] == "hold"


# --- the `deploy` predicate in `caution check` -------------------------------------------------

POLICY = """\
version: 1
deploy:
  freezes:
    - {{name: {name}, from: "{start}", to: "{end}"}}
  budget:
    slos: ops/slos.yml
policy:
  block:
    - name: deploy-freeze
      if:
        deploy: {{frozen: true}}
      message: deploys are frozen
  approval:
    - name: calm-period
      if:
        deploy: {{frozen: false}}
"""


def checked(repo: Repo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code, out, err = cli(capsys, "-C", str(repo.path), "check", "main..HEAD", "-f", "json")
    assert out, err
    return code, json.loads(out)


def rules_of(data: dict[str, object]) -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in data["rules"]}  # type: ignore[attr-defined, index]


def branch(repo: Repo, policy: str, message: str = "work") -> Repo:
    repo.commit("base", {".caution.yml": policy, "ops/slos.yml": SLOS})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(message, {"a.txt": "1\n"})
    return repo


def test_the_predicate_blocks_during_a_freeze(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    events(repo, 0.0)
    branch(repo, POLICY.format(name="forever", start="2000-01-01", end="2100-01-01"))
    code, data = checked(repo, capsys)
    assert code == 1 and data["decision"] == "blocked"
    rules = rules_of(data)
    assert rules["deploy-freeze"]["status"] == "blocked"
    assert "freeze window 'forever' in force" in rules["deploy-freeze"]["reason"]
    assert rules["calm-period"]["status"] == "skipped"


def test_the_predicate_passes_outside_a_freeze(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    events(repo, 0.0, now=int(time.time()))  # `caution check` judges at the real time
    branch(repo, POLICY.format(name="past", start="2000-01-01", end="2000-01-02"))
    code, data = checked(repo, capsys)
    assert code == 0 and data["decision"] == "pass"
    rules = rules_of(data)
    assert rules["calm-period"]["status"] == "approved"
    assert "no deploy freeze in force" in rules["calm-period"]["reason"]


def test_the_predicate_sees_a_spent_budget_and_exemptions(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    events(repo, 0.01, now=int(time.time()))
    policy = POLICY.format(name="past", start="2000-01-01", end="2000-01-02")
    branch(repo, policy)
    code, data = checked(repo, capsys)
    assert code == 1
    assert "'availability'" in rules_of(data)["deploy-freeze"]["reason"]
    repo.commit("hotfix\n\nPriority: P0\n")
    code, data = checked(repo, capsys)
    assert code == 1  # the branch's first commit ("work") is not marked
    assert "carries no exempt marker" in rules_of(data)["deploy-freeze"]["reason"]
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "hotfix")
    repo.commit("hotfix\n\nPriority: P0\n")
    code, data = checked(repo, capsys)
    assert code == 0
    assert "exempt" in rules_of(data)["calm-period"]["reason"]


def test_check_reads_no_slo_file_unless_a_rule_asks(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = (
        "version: 1\ndeploy:\n  budget:\n    slos: ops/missing.yml\n"
        "policy:\n  approval:\n    - name: always\n"
    )
    branch(repo, policy)
    code, data = checked(repo, capsys)
    assert code == 0, data  # no rule uses `deploy`: the missing file is never read
    repo.git("checkout", "-q", "main")
    block = "  block:\n    - name: f\n      if: {deploy: {frozen: true}}\n"
    repo.commit("policy", {".caution.yml": policy + block})
    repo.git("checkout", "-q", "feature")
    repo.git("rebase", "-q", "main")
    code, data = checked(repo, capsys)
    assert code == 1 and data["decision"] == "blocked"  # unknown is not safe
    (rule,) = [r for r in data["rules"] if r["name"] == "f"]  # type: ignore[attr-defined]
    assert (
        ".caution.yml:4" in rule["unknown"] and "ops/missing.yml: no such file" in rule["unknown"]
    )


def test_a_budget_nobody_can_see_holds_all_but_exempt_changes(
    shop: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Events that stopped 30 days ago leave the 28-day budget unknown: unknown is not
    safe, so the gate holds — and says why — unless the change is exempt."""
    events(shop, 0.0, now=FRIDAY - 30 * 86400)
    shop.commit("feature", {"a.txt": "1\n"})
    code, data, _ = gate(capsys, shop, "--format", "json")
    assert code == 1 and data["decision"] == "hold"
    assert any("error budget is unknown" in r["message"] for r in data["reasons"])  # type: ignore[attr-defined, index]
    shop.commit("fix\n\nChange-Type: security\n")
    code, data, _ = gate(capsys, shop, "--format", "json")
    assert code == 0 and data["exempt"] is True


def test_events_that_stopped_arriving_leave_the_budget_unknown_and_hold(
    shop: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 28-day budget computed from events that stopped an hour ago would look healthy;
    past the SLO's stale_after (15m by default) it is unknown, and unknown holds."""
    shop.commit("feature", {"a.txt": "1\n"})
    code, data, _ = gate(capsys, shop, now=FRIDAY + 600)
    assert code == 0, data  # ten minutes: still fresh
    code, data, _ = gate(capsys, shop, now=FRIDAY + 3600)
    assert code == 1 and data["decision"] == "hold"
    (reason,) = data["reasons"]  # type: ignore[misc]
    assert reason["kind"] == "budget" and "has no events since" in reason["message"]


def test_a_policy_without_a_deploy_section_says_so(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("base", {".caution.yml": "version: 1\npolicy:\n  approval:\n    - name: any\n"})
    code, data, _ = gate(capsys, repo)
    assert code == 0 and data["decision"] == "allow"
    assert "has no deploy: section" in str(data["note"])
    code, out, _ = cli(capsys, "-C", str(repo.path), "deploy", "gate", "--service", "x")
    assert "note: " in out and "no freeze or budget can hold this" in out


@pytest.mark.parametrize("error_rate", [0.0001, None])
def test_slo_status_and_the_gate_agree_on_fresh_buckets_without_traffic(
    shop: Repo, capsys: pytest.CaptureFixture[str], error_rate: float | None
) -> None:
    """Fresh buckets that count no events: slo status said OK (exit 0) while the gate held
    on an unknown budget. Both now read it as unknown: status exits 1, the gate holds."""
    if error_rate is None:
        buckets = [{"end": FRIDAY - i * 3600, "good": 0, "total": 0} for i in range(40 * 24)]
        shop.write("ops/events.json", json.dumps({"buckets": buckets}))
    shop.commit("feature", {"a.txt": "1\n"})
    slos = str(shop.path / "ops" / "slos.yml")
    status, out, _ = cli(capsys, "slo", "status", "--config", slos, "--now", str(FRIDAY))
    gate_code, data, _ = gate(capsys, shop)
    assert (status, gate_code) == ((0, 0) if error_rate else (1, 1))
    if error_rate is None:
        assert "availability (99.9 %): UNKNOWN, no traffic" in out
        assert data["decision"] == "hold"
        assert any("no events over the last 28 days" in r["message"] for r in data["reasons"])  # type: ignore[attr-defined, index]
        _, out, _ = cli(
            capsys, "slo", "status", "--config", slos, "--now", str(FRIDAY), "-f", "json"
        )
        (slo,) = json.loads(out)["slos"]
        assert slo["severity"] == "unknown" and slo["budget_remaining"] is None
        assert not slo["stale"]
