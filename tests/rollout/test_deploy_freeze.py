"""Freeze windows at their boundaries, the error budget over a window, exempt trailers and
the gate's decision — pure functions on literal values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caution.git.model import Commit, Person
from caution.git.trailers import parse_trailers
from caution.rollout.burn import DAY, Bucket, Budget, error_budget
from caution.rollout.deploy_settings import DeploySettings, FreezeWindowSettings, window_length
from caution.rollout.exempt import exempt_markers
from caution.rollout.freeze import ExemptMarker, SloBudget, active_window, freeze_status
from caution.rollout.gate import CanaryResult, decide_gate

BERLIN = ZoneInfo("Europe/Berlin")


def window(**fields: object) -> FreezeWindowSettings:
    return FreezeWindowSettings.model_validate({"name": "w", **fields})


# --- windows -----------------------------------------------------------------------------------


def test_a_cron_window_is_in_force_from_its_start_until_just_before_its_end() -> None:
    weekend = window(cron="0 18 * * FRI", duration="62h", timezone="Europe/Berlin").window()
    start = datetime(2026, 1, 9, 17, tzinfo=UTC)  # Friday 18:00 CET
    end = start + timedelta(hours=62)
    assert active_window(weekend, start - timedelta(seconds=1)) is None
    found = active_window(weekend, start)
    assert found is not None and found.start == start and found.until == end
    assert found.until.tzinfo == BERLIN  # shown as the configuration wrote it
    assert active_window(weekend, end - timedelta(seconds=1)) is not None
    assert active_window(weekend, end) is None


def test_a_date_window_covers_whole_days_in_its_zone() -> None:
    year_end = window(**{"from": date(2026, 12, 20), "to": date(2027, 1, 4)}).window()
    assert active_window(year_end, datetime(2026, 12, 19, 23, 59, 59, tzinfo=UTC)) is None
    assert active_window(year_end, datetime(2026, 12, 20, tzinfo=UTC)) is not None
    assert active_window(year_end, datetime(2027, 1, 4, 23, 59, tzinfo=UTC)) is not None  # `to` too
    assert active_window(year_end, datetime(2027, 1, 5, tzinfo=UTC)) is None
    berlin = window(**{"from": "2026-12-20", "to": "2027-01-04", "timezone": "Europe/Berlin"})
    local = berlin.window()
    # midnight in Berlin is 23:00 UTC the day before
    assert active_window(local, datetime(2026, 12, 19, 23, tzinfo=UTC)) is not None
    assert active_window(local, datetime(2027, 1, 4, 23, tzinfo=UTC)) is None


def test_a_timestamp_window_ends_exactly_at_its_end() -> None:
    aware = window(**{"from": "2026-06-01T09:00:00+02:00", "to": "2026-06-01T17:00:00+02:00"})
    naive = window(
        **{"from": "2026-06-01 09:00", "to": "2026-06-01 17:00", "timezone": "Europe/Berlin"}
    )
    for w in (aware.window(), naive.window()):
        assert active_window(w, datetime(2026, 6, 1, 6, 59, tzinfo=UTC)) is None
        assert active_window(w, datetime(2026, 6, 1, 7, tzinfo=UTC)) is not None
        assert active_window(w, datetime(2026, 6, 1, 15, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"cron": "0 18 * * FRI"}, "needs both cron and duration"),
        ({"cron": "0 18 * * FRI", "duration": "62h", "from": "2026-01-01"}, "not both"),
        ({"cron": "0 18 * * FRY", "duration": "62h"}, "day of week"),
        ({"cron": "0 18 * * FRI", "duration": "62"}, "with units"),
        ({"cron": "0 18 * * FRI", "duration": 62}, "needs a unit"),
        ({"cron": "0 18 * * FRI", "duration": "400d"}, "at most 366 days"),
        ({"cron": "0 18 * * FRI", "duration": "1h", "timezone": "Mars/Olympus"}, "time zone"),
        ({"from": "2026-01-05", "to": "2026-01-04"}, "after 'from'"),
        ({"from": "yesterday", "to": "2026-01-04"}, "not an ISO date"),
        ({}, r"cron \+ duration, or from \+ to"),
    ],
)
def test_bad_windows_are_refused(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        window(**fields)


def test_durations() -> None:
    assert window_length("62h") == timedelta(hours=62)
    assert window_length("1d12h") == timedelta(hours=36)
    assert window_length("2w") == timedelta(days=14)
    assert window_length("90m") == timedelta(minutes=90)


def test_services_add_their_freezes_and_replace_the_slo_file() -> None:
    settings = DeploySettings.model_validate(
        {
            "freezes": [{"name": "all", "from": "2026-01-01", "to": "2026-01-02"}],
            "budget": {"slos": "slos.yml", "window_days": 14},
            "services": {
                "checkout": {
                    "slos": "checkout.yml",
                    "freezes": [{"name": "bf", "from": "2026-11-27", "to": "2026-11-30"}],
                },
                "search": {},
            },
        }
    )
    checkout = settings.plan("checkout")
    assert [w.name for w in checkout.windows] == ["all", "bf"]
    assert checkout.slos == (("services.checkout", "checkout.yml"),)
    assert checkout.window_days == 14
    search = settings.plan("search")
    assert [w.name for w in search.windows] == ["all"]
    assert search.slos == (("budget", "slos.yml"),)
    union = settings.plan(None)
    assert [w.name for w in union.windows] == ["all", "bf"]
    assert [p for _, p in union.slos] == ["slos.yml", "checkout.yml"]


# --- error budget ------------------------------------------------------------------------------

NOW = 1_800_000_000.0


def test_the_budget_over_a_window_counts_only_that_window() -> None:
    # 28 days at 0.05 % errors, and an outage 40 days ago that a 30-day budget would not see
    buckets = [Bucket(NOW - i * 3600, 999.5, 1000) for i in range(28 * 24)]
    buckets.append(Bucket(NOW - 40 * DAY, 0, 1_000_000))
    budget = error_budget(buckets, 0.999, NOW, 28 * DAY)
    assert budget.remaining == pytest.approx(0.5)
    assert budget.events == 28 * 24 * 1000
    assert not budget.spent
    assert error_budget(buckets, 0.999, NOW, 50 * DAY).spent
    assert error_budget([], 0.999, NOW, 28 * DAY) == Budget(None, 0.0)
    assert not Budget(None, 0.0).spent
    assert Budget(0.0, 10).spent  # exactly spent is spent


# --- exemption ---------------------------------------------------------------------------------


def commit(sha: str, message: str) -> Commit:
    who = Person("A", "a@example.com", datetime(2026, 1, 1, tzinfo=UTC))
    return Commit(sha, (), who, who, message, parse_trailers(message))


def test_exempt_trailers_match_without_regard_to_case() -> None:
    rules = {"Priority": ["P0"], "Change-Type": ["security"]}
    commits = [
        commit("a" * 40, "fix\n\npriority: p0\n"),
        commit("b" * 40, "fix\n\nCHANGE-TYPE:  Security \n"),
        commit("c" * 40, "fix\n\nPriority: P1\nChange-Type: feature\n"),
        commit("d" * 40, "Priority: P0 in the subject is no trailer"),
    ]
    found = exempt_markers(commits, rules)
    assert [m.commit[0] for m in found] == ["a", "b"]
    assert str(found[0]) == "aaaaaaaaaa has priority: p0"
    assert exempt_markers(commits, {}) == ()


# --- status and decision -----------------------------------------------------------------------


def spent(name: str = "availability") -> SloBudget:
    return SloBudget(name, "slos.yml", 99.9, 28, Budget(-1.5, 10_000))


def healthy() -> SloBudget:
    return SloBudget("latency", "slos.yml", 99.0, 28, Budget(0.4, 10_000))


MARKER = ExemptMarker("a" * 40, "Priority", "P0")
NOON = datetime(2026, 6, 1, 12, tzinfo=UTC)
FROZEN = window(**{"name": "summer", "from": "2026-06-01", "to": "2026-06-02"}).window()


def test_a_spent_budget_holds_unless_exempt() -> None:
    held = decide_gate("checkout", freeze_status([], [spent(), healthy()], [], NOON), None)
    assert held.decision == "hold" and held.frozen and not held.exempt
    ((kind, message),) = [(r.kind, r.message) for r in held.reasons]
    assert kind == "budget"
    assert "'availability'" in message and "250%" in message and "28 days" in message
    allowed = decide_gate("checkout", freeze_status([], [spent()], [MARKER], NOON), None)
    assert allowed.decision == "allow" and allowed.frozen and allowed.exempt
    assert [r.kind for r in allowed.reasons] == ["exempt"]
    assert "Priority: P0" in allowed.reasons[0].message


def test_exemption_needs_every_change_marked() -> None:
    """A marker on one commit does not carry the others of the range through a spent
    budget: each change the deployment ships must be marked."""
    partly = freeze_status([], [spent()], [MARKER], NOON, unmarked=("b" * 40,))
    held = decide_gate("checkout", partly, None)
    assert held.decision == "hold" and held.frozen and not held.exempt
    assert [r.kind for r in held.reasons] == ["budget", "budget"]
    assert "bbbbbbbbbb carries no exempt marker" in held.reasons[-1].message
    calm = freeze_status([], [healthy()], [MARKER], NOON, unmarked=("b" * 40,))
    assert decide_gate("checkout", calm, None).decision == "allow"


def test_exemption_does_not_lift_a_window_or_a_failed_canary() -> None:
    status = freeze_status([FROZEN], [spent()], [MARKER], NOON)
    decision = decide_gate("checkout", status, None)
    assert decision.decision == "hold"
    assert [r.kind for r in decision.reasons] == ["freeze", "exempt"]
    assert "'summer'" in decision.reasons[0].message
    calm = freeze_status([], [healthy()], [MARKER], NOON)
    for verdict in ("marginal", "fail", "inconclusive"):
        held = decide_gate("checkout", calm, CanaryResult(verdict, 42.0, "canary.json"))
        assert held.decision == "hold" and not held.frozen
        assert held.reasons[-1].kind == "canary" and verdict in held.reasons[-1].message
    passed = decide_gate("checkout", calm, CanaryResult("pass", 97.0, "canary.json"))
    assert passed.decision == "allow"


def test_nothing_in_force_allows_without_reasons() -> None:
    decision = decide_gate(
        "checkout", freeze_status([FROZEN], [healthy()], [], NOON.replace(month=7)), None
    )
    assert decision.decision == "allow" and decision.reasons == () and not decision.frozen
