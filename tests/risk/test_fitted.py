"""The signed model cache: reused when it is ours and fits the training set, refitted
(never unpickled) otherwise."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from caution.cache import cache_path
from caution.risk import fitted
from caution.risk.store import TrainingSet, save
from tests.risk.test_scoring import synthetic


def model_key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "caution" / "model-key"


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, TrainingSet]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    repo = tmp_path / "repo"
    training = TrainingSet("a" * 40, 90, synthetic(300))
    save(repo, training)
    return repo, training


def count_fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = fitted.fit

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fitted, "fit", counting)
    return calls


def test_the_model_is_fitted_once(
    stored: tuple[Path, TrainingSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, training = stored
    fits = count_fits(monkeypatch)
    first = fitted.fitted_scorer(repo, training)
    second = fitted.fitted_scorer(repo, training)
    assert len(fits) == 1
    assert second.training_scores == first.training_scores
    key = model_key_path()
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_planted_model_is_never_unpickled(
    stored: tuple[Path, TrainingSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, training = stored
    fitted.fitted_scorer(repo, training)
    path = cache_path(repo, fitted.MODEL_FILE)
    blob = path.read_bytes()
    header = len(fitted._MAGIC)
    planted = pickle.dumps(["not", "a", "scorer"])
    path.write_bytes(blob[:header] + b"\0" * 32 + blob[header + 32 : header + 64] + planted)

    loaded: list[bytes] = []  # recorded, not raised: _load swallows exceptions from loads
    monkeypatch.setattr(fitted.pickle, "loads", lambda body: loaded.append(body))
    fits = count_fits(monkeypatch)
    assert fitted.fitted_scorer(repo, training).model.kind == "ensemble"
    assert len(fits) == 1
    assert loaded == [], "an unauthenticated pickle was loaded"


def test_a_new_training_set_refits(
    stored: tuple[Path, TrainingSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, training = stored
    fitted.fitted_scorer(repo, training)
    newer = TrainingSet("b" * 40, 90, synthetic(320, seed=2))
    save(repo, newer)
    fits = count_fits(monkeypatch)
    fitted.fitted_scorer(repo, newer)
    assert len(fits) == 1


def test_someone_elses_key_is_not_trusted(
    stored: tuple[Path, TrainingSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, training = stored
    fitted.fitted_scorer(repo, training)
    model_key_path().chmod(0o644)  # readable by others: not a secret any more
    fits = count_fits(monkeypatch)
    fitted.fitted_scorer(repo, training)
    assert len(fits) == 1
