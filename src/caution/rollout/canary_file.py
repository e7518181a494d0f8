"""Reading a canary judgement from the JSON file `caution canary judge --format json` wrote.

Only `verdict` and `score` are read. A file that cannot be read as one is an input error
(exit 2), never a pass.
"""

from __future__ import annotations

from pathlib import Path

from caution.json_file import JsonFileError, read_json
from caution.rollout.gate import CANARY_VERDICTS, CanaryResult
from caution.rollout.samples import SampleError


def read_canary_result(path: Path) -> CanaryResult:
    name = str(path)
    try:
        doc = read_json(path)
    except JsonFileError as exc:
        raise SampleError(str(exc)) from exc
    if not isinstance(doc, dict) or "verdict" not in doc:
        raise SampleError(f"{name}: expected the JSON of `caution canary judge --format json`")
    verdict = doc["verdict"]
    if verdict not in CANARY_VERDICTS:
        raise SampleError(f"{name}: verdict {verdict!r} is not one of {', '.join(CANARY_VERDICTS)}")
    score = doc.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100
    ):  # `not 0 <= score <= 100` holds for NaN and 1e999 (infinity) too
        raise SampleError(f"{name}: score {score!r} is not a number from 0 to 100")
    return CanaryResult(verdict, None if score is None else float(score), name)
