"""The canary configuration: the issue's example, Kayenta's defaults, and errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from caution.rollout.config import (
    Direction,
    EffectMeasure,
    NanStrategy,
    Outliers,
    canary_config_from_doc,
    load_canary_config,
)
from caution.yaml_source import SourceError, parse_yaml

EXAMPLE = """\
metrics:
  - name: latency_ms
    group: latency
    direction: increase          # increase | decrease | either
    critical: false
    must_have_data: false
    nan_strategy: remove         # remove | replace
    outliers: keep               # keep | remove  (outlier_factor: 3.0)
    effect_size: {measure: mean_ratio, allowed_increase: 1.0, allowed_decrease: 1.0}
  - {name: errors, group: errors, direction: increase, critical: true}
groups: {latency: 50, errors: 50}
thresholds: {pass: 95, marginal: 75}
"""


def test_the_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "canary.yml"
    path.write_text(EXAMPLE)
    config = load_canary_config(path)
    latency, errors = config.metrics
    assert latency.direction is Direction.INCREASE and latency.group == "latency"
    assert latency.effect_size.measure is EffectMeasure.MEAN_RATIO
    assert errors.critical and not errors.must_have_data
    assert config.groups == {"latency": 50, "errors": 50}
    assert (config.thresholds.pass_, config.thresholds.marginal) == (95, 75)


def test_kayenta_defaults() -> None:
    config = canary_config_from_doc(parse_yaml("metrics: [{name: cpu}]\n", "c.yml"))
    (cpu,) = config.metrics
    assert cpu.direction is Direction.EITHER
    assert cpu.nan_strategy is NanStrategy.REMOVE and cpu.outliers is Outliers.KEEP
    assert cpu.outlier_factor == 3.0 and not cpu.critical and not cpu.must_have_data
    assert cpu.effect_size.allowed_increase == cpu.effect_size.allowed_decrease == 1.0
    assert config.groups == {}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 0, "expected a mapping"),
        ("metrics: []\n", 1, "metrics"),
        ("metrics:\n  - name: a\n    direction: up\n", 3, "direction"),
        ("metrics:\n  - name: a\n    colour: red\n", 3, "unknown key 'colour'"),
        ("metrics: [{name: a}, {name: a}]\n", 0, "unique"),
        ("metrics: [{name: a}]\ngroups: {x: 80, y: 30}\n", 0, "more than 100"),
        ("metrics: [{name: a}]\nthresholds: {pass: 50, marginal: 75}\n", 2, "marginal"),
        ("metrics: [{name: a, outlier_factor: -1}]\n", 1, "outlier_factor"),
        ("metrics:\n  - name: a\n    effect_size: {measure: median}\n", 3, "measure"),
    ],
)
def test_errors_name_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(SourceError, match=problem) as caught:
        canary_config_from_doc(parse_yaml(text, "canary.yml"))
    if line:
        assert caught.value.line == line


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        load_canary_config(tmp_path / "absent.yml")


RUN = """\
metrics:
  - name: latency
    query: avg(app_latency_seconds{${scope}})
  - {name: cpu}
scopes: {baseline: 'version="v1"', canary: 'version="v2"'}
analysis: {interval: 30s, count: 10, step: 10s, lookback: 5m, failure_limit: 1}
"""


def test_run_keys_load() -> None:
    config = canary_config_from_doc(parse_yaml(RUN, "c.yml"))
    assert config.metrics[0].query == "avg(app_latency_seconds{${scope}})"
    assert config.metrics[1].query is None
    assert config.scopes is not None and config.scopes.canary == 'version="v2"'
    a = config.analysis
    assert (a.interval, a.count, a.step, a.lookback) == (30, 10, 10, 300)
    assert (a.failure_limit, a.inconclusive_limit, a.consecutive_error_limit) == (1, 0, 4)


def test_run_keys_default_to_nothing() -> None:
    config = canary_config_from_doc(parse_yaml("metrics: [{name: cpu}]\n", "c.yml"))
    assert config.scopes is None and config.metrics[0].query is None
    a = config.analysis
    assert (a.interval, a.count, a.step, a.lookback) == (None, None, 60, None)
    assert (a.failure_limit, a.inconclusive_limit, a.consecutive_error_limit) == (0, 0, 4)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("metrics: [{name: x, query: up}]\n", 1, "must contain ${scope}"),
        ("metrics: [{name: x, query: 'up{${scpe}}'}]\n", 1, "unknown placeholder ${scpe}"),
        ("metrics: [{name: x}]\nanalysis: {interval: 30}\n", 2, "unit"),
        ("metrics: [{name: x}]\nanalysis: {interval: 3 days}\n", 2, "invalid duration"),
        ("metrics: [{name: x}]\nanalysis: {interval: 0s, count: 1}\n", 2, "greater than 0"),
        ("metrics: [{name: x}]\nanalysis: {count: 3}\n", 2, "needs an interval"),
        ("metrics: [{name: x}]\nanalysis: {interval: 1m}\n", 2, "needs a count"),
        ("metrics: [{name: x}]\nanalysis: {intervall: 1m}\n", 2, "unknown key 'intervall'"),
        ("metrics: [{name: x}]\nscopes: {baseline: a}\n", 2, "missing 'canary'"),
        ("metrics: [{name: x}]\nscopes: {baseline: a, canary: a}\n", 2, "the same"),
        # a blank scope makes `up{ }`, which selects both arms
        ("metrics: [{name: x}]\nscopes: {baseline: ' ', canary: a}\n", 2, "blank"),
        # inside a string literal the matchers become part of a label value
        (
            "metrics: [{name: x, query: 'up{job=\"${scope}\"}'}]\n",
            1,
            "inside a string literal",
        ),
        (
            'metrics: [{name: x, query: "up{${scope}} + on() '
            "label_replace(up, 'a', '${scope}', '', '')\"}]\n",
            1,
            "inside a string literal",
        ),
    ],
)
def test_bad_run_keys_name_line_and_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(SourceError) as info:
        canary_config_from_doc(parse_yaml(text, "c.yml"))
    assert info.value.line == line and problem in info.value.problem


def test_scope_outside_strings_is_fine_even_with_quotes_and_escapes() -> None:
    query = r'sum(rate(a{${scope},path="/a\"b"}[1m])) / sum(b{${scope},q=`x\`})'
    config = canary_config_from_doc(parse_yaml(f"metrics: [{{name: x, query: '{query}'}}]", "c"))
    assert config.metrics[0].query == query


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("metrics: [{name: x}]\ngroups: {a: .nan}\n", 2, "groups.a: Input should be a finite"),
        ("metrics: [{name: x}]\ngroups: {a: .inf}\n", 2, "finite"),
        ("metrics: [{name: x}]\ngroups: {a: -5}\n", 2, "greater than or equal to 0"),
        ("metrics: [{name: x}]\ngroups:\n  a: 150\n", 3, "less than or equal to 100"),
        ("metrics:\n  - name: x\n    effect_size: {allowed_increase: .inf}\n", 3, "finite"),
        ("metrics:\n  - name: x\n    effect_size: {critical_decrease: .nan}\n", 3, "finite"),
        ("metrics:\n  - name: x\n    effect_size: {allowed_increase: 1e300}\n", 3, "1000"),
        ("metrics:\n  - name: x\n    outlier_factor: .inf\n", 3, "finite"),
        ("metrics:\n  - name: x\n    sequential: {scale: .nan}\n", 3, "finite"),
        ("metrics: [{name: x}]\nthresholds: {pass: .nan}\n", 2, "finite"),
        ("metrics: [{name: x}]\nsequential: {alpha: .nan}\n", 2, "finite"),
        ("metrics: [{name: x}]\nanalysis: {interval: 1m, count: 1000000000}\n", 2, "10000"),
        ("metrics: [{name: x}]\nanalysis: {interval: 1m, count: -1}\n", 2, "greater than"),
        ("metrics: [{name: x}]\nanalysis: {failure_limit: -1}\n", 2, "failure_limit"),
        ("metrics: [{name: x}]\nanalysis: {consecutive_error_limit: .inf}\n", 2, "consecutive"),
        ("metrics: [{name: x}]\nanalysis: {inconclusive_limit: 99999999}\n", 2, "10000"),
        ("metrics: [{name: x}]\nanalysis: {step: 99999999w}\n", 2, "longer than 366 days"),
    ],
)
def test_nan_infinite_and_absurd_numbers_are_refused_at_their_line(
    text: str, line: int, problem: str
) -> None:
    """A NaN weight failed no comparison and counted for nothing; an infinite allowed
    increase passed every canary."""
    with pytest.raises(SourceError) as info:
        canary_config_from_doc(parse_yaml(text, "c.yml"))
    assert info.value.line == line and problem in info.value.problem, info.value
