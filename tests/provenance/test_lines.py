"""Counting lines by origin where later spans win: the sweep agrees with counting line by
line, and a record of tens of thousands of ranges costs its size, not its square."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from caution.provenance.lines import AI, HUMAN, UNKNOWN, LineAttribution, Span

SPANS = st.lists(
    st.tuples(st.integers(1, 60), st.integers(0, 20), st.sampled_from([AI, HUMAN, UNKNOWN])).map(
        lambda t: Span(t[0], t[0] + t[1], t[2], None, "x")
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(SPANS)
def test_counts_agree_with_a_line_by_line_walk(spans: list[Span]) -> None:
    record = LineAttribution("trace", "t", {"f": tuple(spans)})
    expected = {AI: 0, HUMAN: 0, UNKNOWN: 0}
    for line in range(1, 90):
        winner = record.span_at("f", line)
        if winner is not None:
            expected[winner.origin] += 1
    assert record.counts() == expected


def test_eighty_thousand_ranges_are_counted_in_one_pass() -> None:
    spans = tuple(
        Span(2 * i + 1, 2 * i + 1, AI if i % 2 else HUMAN, None, "x") for i in range(80_000)
    )
    record = LineAttribution("trace", "t", {"f": spans})
    assert record.counts() == {AI: 40_000, HUMAN: 40_000, UNKNOWN: 0}
