"""`caution risk`: how likely a change is to break something."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from caution.cli.errors import CautionError
from caution.cli.options import Format

if TYPE_CHECKING:
    from rich.progress import TaskID

    from caution.risk.settings import RiskSettings

risk_app = typer.Typer(
    help="Risk of changes, learned from the repository's history.", no_args_is_help=True
)


def risk_settings(repo: Path) -> RiskSettings:
    """The `risk:` section of the work tree's .caution.yml (defaults without one)."""
    from caution.policy.config import load_config

    return load_config(repo).risk


@contextmanager
def mining_progress() -> Iterator[Callable[[str, int, int | None], None] | None]:
    """A progress bar on stderr for the long phases (reading history, blaming fixes),
    only when stderr is a terminal: pipes and CI logs stay clean."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from caution.report.console import stderr_console

    err = stderr_console()
    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update


@risk_app.command("evaluate")
def evaluate(
    features: Path | None = typer.Option(None, "--features", help="CSV of Kamei features."),
    repo: Path | None = typer.Option(
        None, "--repo", help="Mine the features and SZZ labels from this repository instead."
    ),
    train_fraction: float = typer.Option(0.8, "--train-fraction"),
    gap_days: float = typer.Option(
        0, "--gap-days", help="Drop training rows this close to the cut."
    ),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Evaluate the risk model in time order: train on the first fraction, test on the rest."""
    from caution.risk.evaluate import EvaluationError
    from caution.risk.evaluate import evaluate as run
    from caution.risk.features import FeatureError, read_features

    if (features is None) == (repo is None):
        raise CautionError("give one of --features FILE.csv or --repo PATH")
    try:
        if repo is not None:
            from caution.git.repo import find_root
            from caution.risk.service import evaluate_repository

            with mining_progress() as progress:
                root = find_root(repo.resolve())
                result = evaluate_repository(
                    root, train_fraction, gap_days, risk_settings(root), progress
                )
        else:
            assert features is not None
            result = run(read_features(features), train_fraction, gap_days)
    except (FeatureError, EvaluationError) as exc:
        raise CautionError(str(exc)) from exc
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in result.items()}
    if output is Format.json:
        sys.stdout.write(json.dumps(clean, indent=2) + "\n")
        return
    for key, value in clean.items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        sys.stdout.write(f"{key:20} {shown}\n")


@risk_app.command("train")
def train(
    maturity_days: float | None = typer.Option(
        None,
        "--maturity-days",
        help="Changes younger than this are unlabelled, not clean (default: risk.maturity_days "
        "of .caution.yml, else 90).",
    ),
) -> None:
    """Mine HEAD's history, label it with SZZ and store it as the training set.

    The training set lives in the git directory (.git/caution/cache/risk-training.json),
    signed with a key of yours, where no change can put one; `caution risk score` and
    `caution check` fit the model from it. Run again to learn from new history.
    """
    from caution.cli.options import state
    from caution.git.repo import require_commits
    from caution.risk.service import train_repository
    from caution.risk.settings import MAX_MATURITY_DAYS

    repo = state.repository()
    require_commits(repo)
    if maturity_days is not None and not 0 <= maturity_days <= MAX_MATURITY_DAYS:  # NaN too
        raise CautionError(f"--maturity-days {maturity_days}: expected 0 to {MAX_MATURITY_DAYS}")
    settings = risk_settings(repo)
    if maturity_days is not None:
        settings = settings.model_copy(update={"maturity_days": maturity_days})
    with mining_progress() as progress:
        summary = train_repository(repo, settings, progress)
    sys.stdout.write(
        f"trained on {summary.changes} labelled changes, {summary.defects} defect-introducing; "
        f"model: {summary.model_kind}"
        + (f" ({summary.note})" if summary.note else "")
        + f"\nstored in {summary.path}\n"
    )


@risk_app.command("score")
def score(
    revrange: str = typer.Argument(
        "HEAD",
        metavar="[REVRANGE]",
        help="Commits to score (main..HEAD, HEAD~5..HEAD); a single revision is that commit.",
    ),
    output: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Probability that each commit of the range breaks something, with its top factors.

    Percentile places a probability among the training history (90 = riskier than 90 %
    of past changes). Needs `caution risk train` first.
    """
    from caution.cli.options import state
    from caution.git.repo import require_commits
    from caution.report.risk import render_risk, risk_to_json
    from caution.risk.service import score_range

    repo = state.repository()
    require_commits(repo)
    result = score_range(repo, revrange, risk_settings(repo))
    if result is None:
        raise CautionError("no training set in this repository: run `caution risk train` first")
    if output is Format.json:
        sys.stdout.write(json.dumps(risk_to_json(result), indent=2) + "\n")
    else:
        render_risk(result, sys.stdout)
