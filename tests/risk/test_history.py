"""The mined-history cache: a second run mines only new commits and gets the same numbers
as a full run; rewritten history and broken caches are mined again."""

from __future__ import annotations

import json

from caution.cache import read_cache, write_cache
from caution.risk.features import FEATURES
from caution.risk.history import HISTORY_FILE, history_path, metrics_of, mine_history
from caution.risk.mining import Miner
from tests.conftest import Repo


def grow(repo: Repo, start: int, count: int) -> None:
    for i in range(start, start + count):
        repo.commit(
            f"change {i}",
            {f"pkg{i % 3}/m{i % 5}.py": "".join(f"v{j} = {i}\n" for j in range(i % 7 + 1))},
            author=(f"dev{i % 4}", f"dev{i % 4}@x.example"),
        )


def same(a: dict[str, object], b: dict[str, object]) -> bool:
    return json.dumps(a, sort_keys=True, default=vars) == json.dumps(
        b, sort_keys=True, default=vars
    )


def test_second_run_mines_only_new_commits_and_agrees_with_a_full_run(repo: Repo) -> None:
    grow(repo, 0, 20)
    first = mine_history(repo.path)
    assert first.new_commits == 20 and len(first.metrics) == 20
    assert history_path(repo.path).is_file()
    assert mine_history(repo.path).new_commits == 0
    grow(repo, 20, 3)
    second = mine_history(repo.path)
    assert second.new_commits == 3
    full = mine_history(repo.path, use_cache=False)
    assert same(second.metrics, full.metrics)  # type: ignore[arg-type]
    assert second.miner.to_json() == full.miner.to_json()


def test_rewritten_history_is_mined_again(repo: Repo) -> None:
    grow(repo, 0, 10)
    mine_history(repo.path)
    repo.git("reset", "-q", "--hard", "HEAD~3")
    grow(repo, 100, 2)
    again = mine_history(repo.path)
    assert again.new_commits == 9
    assert same(again.metrics, mine_history(repo.path, use_cache=False).metrics)  # type: ignore[arg-type]


def test_a_broken_cache_is_rebuilt(repo: Repo) -> None:
    grow(repo, 0, 5)
    mine_history(repo.path)
    history_path(repo.path).write_text('{"version": 1, "features": 3}')
    assert mine_history(repo.path).new_commits == 5
    history_path(repo.path).write_text("\x00garbage")
    assert len(mine_history(repo.path).metrics) == 5


def test_branch_commits_outside_head_are_mined_on_top_of_it(repo: Repo) -> None:
    grow(repo, 0, 6)
    repo.git("checkout", "-q", "-b", "side")
    grow(repo, 50, 2)
    side = repo.git("rev-list", "main..side").split()
    repo.git("checkout", "-q", "main")
    found = metrics_of(repo.path, side)
    assert sorted(m.sha for m in found) == sorted(side)
    assert all(m.values["exp"] > 0 for m in found)  # the authors' history on main counts


def test_miner_state_round_trips() -> None:
    miner = Miner()
    assert Miner.from_json(miner.to_json()).to_json() == miner.to_json()


def test_a_cache_with_impossible_numbers_is_rebuilt(repo: Repo) -> None:
    grow(repo, 0, 4)
    mine_history(repo.path)
    # even a file this user's caution signed is checked value by value
    data = json.loads(read_cache(repo.path, HISTORY_FILE) or b"")
    data["miner"]["fed"] = 1e400
    write_cache(repo.path, HISTORY_FILE, json.dumps(data).replace("Infinity", "1e400").encode())
    assert mine_history(repo.path).new_commits == 4
    data = json.loads(read_cache(repo.path, HISTORY_FILE) or b"")
    data["changes"][0][2][0] = float("nan")
    write_cache(repo.path, HISTORY_FILE, json.dumps(data).encode())
    assert mine_history(repo.path).new_commits == 4


def test_a_rebased_commit_with_an_old_author_date_is_mined_after_its_parent(repo: Repo) -> None:
    """The child keeps an author date from before its parent (as after a rebase): its lines
    of code before the change (lt) must still count the parent's ten lines."""
    repo.commit("base", {"app.py": "".join(f"line {i}\n" for i in range(10))})
    repo.write("app.py", "".join(f"line {i}\n" for i in range(11)))
    repo.git("add", "-A")
    old = "1000000000 +0000"
    repo.git("commit", "-q", "-m", "rebased child", env={"GIT_AUTHOR_DATE": old})
    child = repo.git("rev-parse", "HEAD")
    metrics = mine_history(repo.path, use_cache=False).metrics[child].values
    assert metrics["lt"] == 10 and metrics["la"] == 1
    assert metrics["age"] == 0  # negative ages (clock skew) count as none


def test_training_and_scoring_see_the_same_metrics_after_a_rebase(repo: Repo) -> None:
    """Training mined its own pass in author-date order, scoring read the cache: after a
    rebase (a child older than its parent) the same commit had two sets of metrics."""
    from caution.risk.service import mined_dataset, range_metrics
    from caution.risk.settings import RiskSettings

    repo.commit("base", {"app.py": "".join(f"line {i}\n" for i in range(10))})
    repo.write("app.py", "".join(f"line {i}\n" for i in range(12)))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "rebased", env={"GIT_AUTHOR_DATE": "1000000000 +0000"})
    settings = RiskSettings(maturity_days=0)
    data = mined_dataset(repo.path, settings)
    scored = {
        c.sha: [c.values[f] for f in FEATURES]
        for c in range_metrics(repo.path, "HEAD~1..HEAD", settings)
    }
    child = repo.git("rev-parse", "HEAD")
    assert scored[child] in data.rows
    assert scored[child][FEATURES.index("lt")] == 10
