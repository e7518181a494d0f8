"""The fitted model, kept beside the training set so scoring does not refit (3 s on a
10,000-commit history) — without ever unpickling something a repository could plant.

The pickle is signed with HMAC-SHA256 under a key that lives in the user's own cache
folder (`$XDG_CACHE_HOME/caution/model-key`, mode 0600), never in the repository. A file
committed by someone else, or one made for another training set, fails the check and the
model is simply refitted. The signature covers the training set's digest, so a model
never outlives the data it was fitted on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from pathlib import Path

from caution.cache import read_cache, try_write_cache
from caution.risk.model import RiskModel, fit
from caution.risk.scoring import Scorer
from caution.risk.store import TRAINING_FILE, TrainingSet

MODEL_FILE = "risk-model.bin"
_MAGIC = b"caution-model-v2\n"  # v2: percentiles of raw scores


def _key_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "caution" / "model-key"


def _key() -> bytes | None:
    """The user's signing key, created on first use; None when it cannot be kept safely."""
    path = _key_path()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
        if path.stat().st_uid != os.getuid() or path.stat().st_mode & 0o077:
            return None
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except OSError:
        return None


def _digest(repo: Path) -> bytes:
    return hashlib.sha256(read_cache(repo, TRAINING_FILE)).digest()


def _signature(key: bytes, digest: bytes, body: bytes) -> bytes:
    return hmac.new(key, _MAGIC + digest + body, hashlib.sha256).digest()


def _load(repo: Path, key: bytes) -> Scorer | None:
    try:
        blob = read_cache(repo, MODEL_FILE)
        digest = _digest(repo)
    except OSError:
        return None
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 64:
        return None
    mac = blob[len(_MAGIC) : len(_MAGIC) + 32]
    stored_digest = blob[len(_MAGIC) + 32 : len(_MAGIC) + 64]
    body = blob[len(_MAGIC) + 64 :]
    if not hmac.compare_digest(stored_digest, digest):
        return None  # fitted on another training set
    if not hmac.compare_digest(mac, _signature(key, digest, body)):
        return None  # not written by this user: never unpickle it
    try:
        scorer = pickle.loads(body)
    except Exception:  # a library upgrade can break old pickles: refit
        return None
    return scorer if isinstance(scorer, Scorer) else None


def _save(repo: Path, key: bytes, scorer: Scorer) -> None:
    body = pickle.dumps(scorer, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        digest = _digest(repo)
    except OSError:
        return
    try_write_cache(repo, MODEL_FILE, _MAGIC + _signature(key, digest, body) + digest + body)


def fitted_scorer(repo: Path, training: TrainingSet) -> Scorer:
    """The scorer for the stored training set: from the signed cache, else fitted now."""
    key = _key()
    if key is not None:
        cached = _load(repo, key)
        if cached is not None:
            return cached
    data = training.data
    model: RiskModel = fit(data.rows, data.labels, data.times)
    scorer = Scorer.build(model, data.rows)
    if key is not None:
        _save(repo, key, scorer)
    return scorer
