"""Risk from a repository: mine the metrics, label with SZZ, train, score, evaluate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caution.git.errors import GitError
from caution.git.log import read_commits, rev_list, revision_args
from caution.git.merge import merge_result, tree_of
from caution.git.model import Commit
from caution.git.process import run_git
from caution.git.repo import parents_of
from caution.risk.features import FEATURES, Dataset
from caution.risk.history import metrics_of, mine_history
from caution.risk.mining import ChangeMetrics
from caution.risk.settings import RiskSettings
from caution.risk.store import (
    TrainingSet,
    TrainingStoreError,
    load,
    load_szz_cache,
    save,
    save_szz_cache,
)
from caution.risk.szz import labels

if TYPE_CHECKING:  # numpy and scikit-learn load only where a model is fitted or used
    from caution.risk.scoring import Score


def _history(repo: Path, spec: str) -> list[Commit]:
    return sorted(read_commits(repo, spec, reachable=True), key=lambda c: c.author.time)


Progress = Callable[[str, int, int | None], None]  # phase, done, total


def mined_dataset(
    repo: Path, settings: RiskSettings | None = None, progress: Progress | None = None
) -> Dataset:
    """Every labelled non-merge commit reachable from HEAD, oldest first. The metrics are
    the mined-history cache's, the very numbers `risk score` and `check` use (parents mined
    before children); blamed fixes are cached too, so a second run blames only new ones."""
    history = _history(repo, "HEAD")
    if progress is not None:
        progress("read commits", len(history), len(history))
    settings = settings or RiskSettings()
    pattern = settings.fix_regex()
    cache = load_szz_cache(repo)
    marks = labels(
        repo,
        history,
        settings.maturity_days,
        cache,
        None if progress is None else (lambda n, total: progress("blame fixes (SZZ)", n, total)),
        pattern,
    )
    save_szz_cache(repo, cache)
    mined = mine_history(repo, fix_pattern=pattern).metrics
    rows, ys, times = [], [], []
    for commit in history:  # time order, as the model's calibration split expects
        change, label = mined.get(commit.sha), marks.get(commit.sha)
        if change is None or label is None:
            continue  # a merge, or too young to label
        rows.append([change.values[f] for f in FEATURES])
        ys.append(label)
        times.append(change.time)
    return Dataset(rows, ys, times)


def evaluate_repository(
    repo: Path,
    train_fraction: float,
    gap_days: float,
    settings: RiskSettings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    from caution.risk.evaluate import evaluate

    return evaluate(mined_dataset(repo, settings, progress), train_fraction, gap_days)


@dataclass(frozen=True)
class TrainSummary:
    path: Path
    changes: int
    defects: int
    model_kind: str
    note: str


def train_repository(
    repo: Path, settings: RiskSettings | None = None, progress: Progress | None = None
) -> TrainSummary:
    """Mine and label HEAD's history and store it as the training set."""
    settings = settings or RiskSettings()
    maturity_days = settings.maturity_days
    head = run_git(["rev-parse", "--verify", "HEAD^{commit}"], repo).decode().strip()
    data = mined_dataset(repo, settings, progress)
    if not len(data):
        raise TrainingStoreError(
            f"no labelled changes: every non-merge commit is younger than {maturity_days:g} days "
            "(try a smaller --maturity-days)"
        )
    training = TrainingSet(head, maturity_days, data, settings.fix_regex().pattern)
    path = save(repo, training)
    from caution.risk.fitted import fitted_scorer

    model = fitted_scorer(repo, training).model
    return TrainSummary(path, len(data), sum(data.labels), model.kind, model.note)


@dataclass(frozen=True)
class RangeRisk:
    scores: list[Score]
    model_kind: str
    note: str
    trained_at: str
    unscored: tuple[str, ...] = ()  # merge commits with edits of their own: no metrics

    @property
    def max_probability(self) -> float | None:
        return max((s.probability for s in self.scores), default=None)

    @property
    def max_percentile(self) -> int | None:
        return max((s.percentile for s in self.scores), default=None)


def range_metrics(
    repo: Path, spec: str, settings: RiskSettings | None = None
) -> list[ChangeMetrics]:
    """Metrics of the range's non-merge commits, from the cached mined history."""
    # merges have no metrics: asking the cache for one would send it back to git every time
    shas = rev_list(repo, ["--no-merges", *revision_args(spec)])
    pattern = (settings or RiskSettings()).fix_regex()
    return metrics_of(repo, shas, pattern) if shas else []


def score_range(repo: Path, spec: str, settings: RiskSettings | None = None) -> RangeRisk | None:
    """Risk of each commit of `spec`; None when no training set is stored."""
    training = load(repo)
    if training is None:
        return None
    from caution.risk.fitted import fitted_scorer

    scorer = fitted_scorer(repo, training)
    model = scorer.model
    changes = range_metrics(repo, spec, settings)
    scores = scorer.score(
        [c.sha for c in changes], [[c.values[f] for f in FEATURES] for c in changes]
    )
    note = model.note
    pattern = (settings or RiskSettings()).fix_regex().pattern
    if training.fix_pattern is not None and training.fix_pattern != pattern:
        # the model learnt what a fix is under the old pattern; FIX of the range uses the new
        stale = "trained with another risk.fix_pattern: run `caution risk train` again"
        note = f"{note}; {stale}" if note else stale
    return RangeRisk(scores, model.kind, note, training.head, unscored_merges(repo, spec))


MAX_MERGES = 200


def unscored_merges(repo: Path, spec: str) -> tuple[str, ...]:
    """The range's merge commits that change something their merge would not: the model
    scores commits, and a merge's own edits belong to none. A clean merge adds nothing the
    commits it joins do not. Past MAX_MERGES (or an octopus), every merge counts."""
    merges = rev_list(repo, ["--merges", *revision_args(spec)])
    if len(merges) > MAX_MERGES:
        return tuple(merges)
    out = []
    for sha in merges:
        parents = parents_of(repo, sha)
        try:
            clean = len(parents) == 2 and merge_result(repo, *parents) == tree_of(repo, sha)
        except GitError:
            clean = False
        if not clean:
            out.append(sha)
    return tuple(out)
