"""Reading a canary judgement from the JSON file `caution canary judge --format json` wrote.

Only `verdict` and `score` are read. A file that cannot be read as one is an input error
(exit 2), never a pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from caution.rollout.gate import CANARY_VERDICTS, CanaryResult
from caution.rollout.samples import SampleError


def read_canary_result(path: Path) -> CanaryResult:
    name = str(path)
    try:
        doc = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise SampleError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise SampleError(f"{name}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise SampleError(f"{name}:{exc.lineno}: not JSON ({exc.msg})") from exc
    if not isinstance(doc, dict) or "verdict" not in doc:
        raise SampleError(f"{name}: expected the JSON of `caution canary judge --format json`")
    verdict = doc["verdict"]
    if verdict not in CANARY_VERDICTS:
        raise SampleError(f"{name}: verdict {verdict!r} is not one of {', '.join(CANARY_VERDICTS)}")
    score = doc.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise SampleError(f"{name}: score {score!r} is not a number")
    return CanaryResult(verdict, None if score is None else float(score), name)
