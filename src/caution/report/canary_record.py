"""A canary run record (the JSON a canary run leaves behind) read into typed values.

Real records are partial: any key may be absent or null, and the report shows what there is
and says what is not. A key that is present with the wrong type is a different matter — a
report drawn from a half-understood record could show a canary nobody saw — so it raises
`RecordError` naming where in the record the problem is (`measurements[2].judgement.score`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class RecordError(ValueError):
    """A run record that cannot be read."""


@dataclass(frozen=True)
class MetricResult:
    name: str
    classification: str | None
    reason: str | None
    critical: bool | None
    estimate: float | None
    ci: tuple[float | None, float | None] | None
    effect: float | None
    ratio: float | None


@dataclass(frozen=True)
class GroupResult:
    name: str
    score: float | None
    no_data: bool | None


@dataclass(frozen=True)
class Thresholds:
    pass_: float | None
    marginal: float | None


@dataclass(frozen=True)
class JudgementResult:
    verdict: str | None
    score: float | None
    reason: str | None
    metrics: tuple[MetricResult, ...]
    groups: tuple[GroupResult, ...]
    thresholds: Thresholds | None


@dataclass(frozen=True)
class EvidenceResult:
    name: str
    log_e: float | None
    log_threshold: float | None
    estimate: float | None
    n_baseline: int | None
    n_canary: int | None


@dataclass(frozen=True)
class SequentialResult:
    decision: str | None
    reason: str | None
    evidence: tuple[EvidenceResult, ...]


@dataclass(frozen=True)
class Measurement:
    at: float | None  # seconds since the epoch
    phase: str | None
    judgement: JudgementResult | None
    sequential: SequentialResult | None
    error: str | None = None  # why the measurement could not be taken (an Error phase)


@dataclass(frozen=True)
class Side:
    """One side's values of one metric: the finite ones, and how many were null or not finite."""

    values: tuple[float, ...]
    dropped: int


@dataclass(frozen=True)
class RunRecord:
    config: str | None
    verdict: str | None
    phase: str | None
    reason: str | None
    alpha: float | None
    thresholds: Thresholds | None
    measurements: tuple[Measurement, ...] | None  # None: the record has no measurements key
    baseline: dict[str, Side] | None
    canary: dict[str, Side] | None

    @property
    def last_judgement(self) -> JudgementResult | None:
        for m in reversed(self.measurements or ()):
            if m.judgement is not None:
                return m.judgement
        return None

    @property
    def last_sequential(self) -> SequentialResult | None:
        for m in reversed(self.measurements or ()):
            if m.sequential is not None:
                return m.sequential
        return None

    @property
    def score_thresholds(self) -> Thresholds | None:
        """The pass/marginal thresholds: the record's own, else the latest judgement's."""
        if self.thresholds is not None:
            return self.thresholds
        for m in reversed(self.measurements or ()):
            if m.judgement is not None and m.judgement.thresholds is not None:
                return m.judgement.thresholds
        return None


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _object(value: object, where: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RecordError(f"{where}: expected an object, got {_describe(value)}")
    return value


def _list(value: object, where: str) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError(f"{where}: expected a list, got {_describe(value)}")
    return value


def _text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: expected a string, got {_describe(value)}")
    return value


def _flag(value: object, where: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise RecordError(f"{where}: expected true or false, got {_describe(value)}")
    return value


def _number(value: object, where: str) -> float | None:
    """A number; null, NaN and infinities (which JSON cannot hold but Python writes) are None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{where}: expected a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _moment(value: object, where: str) -> float | None:
    """Unix seconds, or an ISO 8601 time as `caution canary run` writes it."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RecordError(f"{where}: expected a time, got {_describe(value)}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return _number(value, where)


def _count(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{where}: expected a count, got {_describe(value)}")
    return value


def _thresholds(value: object, where: str) -> Thresholds | None:
    data = _object(value, where)
    if data is None:
        return None
    found = Thresholds(
        _number(data.get("pass"), f"{where}.pass"),
        _number(data.get("marginal"), f"{where}.marginal"),
    )
    return None if found.pass_ is None and found.marginal is None else found


def _metric(value: object, where: str, index: int) -> MetricResult:
    data = _object(value, where) or {}
    ci = _list(data.get("ci"), f"{where}.ci")
    if ci is not None and len(ci) != 2:
        raise RecordError(f"{where}.ci: expected [low, high], got {len(ci)} values")
    return MetricResult(
        name=_text(data.get("name"), f"{where}.name") or f"(unnamed metric {index + 1})",
        classification=_text(data.get("classification"), f"{where}.classification"),
        reason=_text(data.get("reason"), f"{where}.reason"),
        critical=_flag(data.get("critical"), f"{where}.critical"),
        estimate=_number(data.get("estimate"), f"{where}.estimate"),
        ci=None
        if ci is None
        else (_number(ci[0], f"{where}.ci[0]"), _number(ci[1], f"{where}.ci[1]")),
        effect=_number(data.get("effect"), f"{where}.effect"),
        ratio=_number(data.get("ratio"), f"{where}.ratio"),
    )


def _group(value: object, where: str, index: int) -> GroupResult:
    data = _object(value, where) or {}
    return GroupResult(
        name=_text(data.get("name"), f"{where}.name") or f"(unnamed group {index + 1})",
        score=_number(data.get("score"), f"{where}.score"),
        no_data=_flag(data.get("no_data"), f"{where}.no_data"),
    )


def _judgement(value: object, where: str) -> JudgementResult | None:
    data = _object(value, where)
    if data is None:
        return None
    metrics = _list(data.get("metrics"), f"{where}.metrics") or []
    groups = _list(data.get("groups"), f"{where}.groups") or []
    return JudgementResult(
        verdict=_text(data.get("verdict"), f"{where}.verdict"),
        score=_number(data.get("score"), f"{where}.score"),
        reason=_text(data.get("reason"), f"{where}.reason"),
        metrics=tuple(_metric(m, f"{where}.metrics[{i}]", i) for i, m in enumerate(metrics)),
        groups=tuple(_group(g, f"{where}.groups[{i}]", i) for i, g in enumerate(groups)),
        thresholds=_thresholds(data.get("thresholds"), f"{where}.thresholds"),
    )


def _evidence(value: object, where: str, index: int) -> EvidenceResult:
    data = _object(value, where) or {}
    return EvidenceResult(
        name=_text(data.get("name"), f"{where}.name") or f"(unnamed metric {index + 1})",
        log_e=_number(data.get("log_e"), f"{where}.log_e"),
        log_threshold=_number(data.get("log_threshold"), f"{where}.log_threshold"),
        estimate=_number(data.get("estimate"), f"{where}.estimate"),
        n_baseline=_count(data.get("n_baseline"), f"{where}.n_baseline"),
        n_canary=_count(data.get("n_canary"), f"{where}.n_canary"),
    )


def _sequential(value: object, where: str) -> SequentialResult | None:
    data = _object(value, where)
    if data is None:
        return None
    found = _list(data.get("evidence"), f"{where}.evidence") or []
    return SequentialResult(
        decision=_text(data.get("decision"), f"{where}.decision"),
        reason=_text(data.get("reason"), f"{where}.reason"),
        evidence=tuple(_evidence(e, f"{where}.evidence[{i}]", i) for i, e in enumerate(found)),
    )


def _measurement(value: object, where: str) -> Measurement:
    data = _object(value, where)
    if data is None:
        raise RecordError(f"{where}: expected an object, got null")
    return Measurement(
        at=_moment(data.get("at"), f"{where}.at"),
        phase=_text(data.get("phase"), f"{where}.phase"),
        judgement=_judgement(data.get("judgement"), f"{where}.judgement"),
        sequential=_sequential(data.get("sequential"), f"{where}.sequential"),
        error=_text(data.get("error"), f"{where}.error"),
    )


def _side(value: object, where: str) -> dict[str, Side] | None:
    data = _object(value, where)
    if data is None:
        return None
    sides: dict[str, Side] = {}
    for name, values in data.items():
        path = f"{where}[{name!r}]"
        items = _list(values, path)
        if items is None:
            sides[str(name)] = Side((), 0)
            continue
        kept: list[float] = []
        for i, item in enumerate(items):
            number = _number(item, f"{path}[{i}]")
            if number is not None:
                kept.append(number)
        sides[str(name)] = Side(tuple(kept), len(items) - len(kept))
    return sides


def parse_run_record(data: object) -> RunRecord:
    """The record as typed values; raises RecordError naming the first malformed key."""
    record = _object(data, "the run record")
    if record is None:
        raise RecordError("the run record: expected an object, got null")
    status = _object(record.get("status"), "status") or {}
    measurements = _list(record.get("measurements"), "measurements")
    samples = _object(record.get("samples"), "samples") or {}
    alpha = _number(record.get("alpha"), "alpha")
    if alpha is not None and not 0 < alpha < 1:
        raise RecordError(f"alpha: expected a number between 0 and 1, got {alpha:g}")
    return RunRecord(
        config=_text(record.get("config"), "config"),
        verdict=_text(record.get("verdict"), "verdict"),
        phase=_text(status.get("phase"), "status.phase"),
        reason=_text(status.get("reason"), "status.reason"),
        alpha=alpha,
        thresholds=_thresholds(record.get("thresholds"), "thresholds"),
        measurements=None
        if measurements is None
        else tuple(_measurement(m, f"measurements[{i}]") for i, m in enumerate(measurements)),
        baseline=_side(samples.get("baseline"), "samples.baseline"),
        canary=_side(samples.get("canary"), "samples.canary"),
    )
