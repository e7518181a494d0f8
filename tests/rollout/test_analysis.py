"""Argo Rollouts' analysis semantics, as a table: measurements in, status out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.rollout.analysis import Limits, Phase, Status, Tally, assess, run, worst

S, F, N, E = Phase.SUCCESSFUL, Phase.FAILED, Phase.INCONCLUSIVE, Phase.ERROR


@pytest.mark.parametrize(
    ("limits", "phases", "expected", "taken"),
    [
        (Limits(count=3), [S, S, S], S, 3),
        (Limits(count=3), [S, S], Phase.RUNNING, 2),
        (Limits(count=3), [], Phase.PENDING, 0),
        # failure_limit 0: the first failure fails the run, later measurements are not taken
        (Limits(count=5), [S, F, S, S, S], F, 2),
        (Limits(count=5, failure_limit=1), [S, F, S, S, S], S, 5),
        (Limits(count=5, failure_limit=1), [F, S, F], F, 3),
        # inconclusive_limit 0: pause for a human at the first inconclusive (no data)
        (Limits(count=5), [S, N], N, 2),
        (Limits(count=3, inconclusive_limit=1), [N, S, S], S, 3),
        # errors do not count towards `count`; five in a row exceed the default limit of 4
        (Limits(count=2), [E, E, E, E, S, S], S, 6),
        (Limits(count=9), [E, E, E, E, E], E, 5),
        (Limits(count=9), [E, E, E, E, S, E, E, E, E], Phase.RUNNING, 9),
        (Limits(count=9, consecutive_error_limit=0), [S, E], E, 2),
        # nothing exceeded and the count not reached: still running
        (Limits(count=9, failure_limit=0, inconclusive_limit=0), [S], Phase.RUNNING, 1),
    ],
)
def test_argo_semantics(limits: Limits, phases: list[Phase], expected: Phase, taken: int) -> None:
    status, tally = run(limits, phases)
    assert status.phase is expected, status.reason
    assert len(tally.phases) == taken


def test_override_order_is_argos() -> None:
    tally = Tally(count=2, failed=1, inconclusive=1, phases=[F, N])
    assert assess(Limits(count=5), tally).phase is N  # inconclusive is checked after failed
    tally = Tally(count=2, failed=1, inconclusive=1, consecutive_error=5, phases=[F, N, E])
    assert assess(Limits(count=5), tally).phase is E


def test_terminating_and_unbounded_runs() -> None:
    assert assess(Limits(), Tally(), terminating=True).phase is S
    status, _ = run(Limits(), [S] * 50)
    assert status.phase is Phase.RUNNING
    assert assess(Limits(), Tally(count=1, successful=1, phases=[S]), terminating=True).phase is S


def test_bad_limits_and_phases() -> None:
    with pytest.raises(ValueError, match="count"):
        Limits(count=0)
    with pytest.raises(ValueError, match="failure_limit"):
        Limits(failure_limit=-1)
    with pytest.raises(ValueError, match="measurement ends"):
        Tally().record(Phase.RUNNING)


def test_worst_status_wins() -> None:
    statuses = [Status(S, ""), Status(N, ""), Status(Phase.RUNNING, "")]
    assert worst(statuses).phase is N
    assert worst([*statuses, Status(F, "")]).phase is F


@given(st.lists(st.sampled_from([S, F, N, E]), max_size=40), st.integers(1, 10))
def test_never_successful_with_too_many_failures(phases: list[Phase], count: int) -> None:
    status, tally = run(Limits(count=count), phases)
    if status.phase is S:
        assert tally.failed == 0 and tally.inconclusive == 0 and tally.count >= count
    assert tally.count <= count or status.phase is not Phase.RUNNING
