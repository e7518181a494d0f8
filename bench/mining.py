"""Benchmark: mining Kamei's 14 metrics over a whole history, and the incremental update.

Targets (issue #6), on a real repository of >= 10,000 commits (openstack/swift):
- full mining <= 1.3x the bare `git log --numstat` pass it needs (same fields, -M), both
  measured in this process, alternating, median of N rounds;
- the incremental update after one new commit <= 0.5 s;
- commits per second reported.

    python bench/mining.py --repo /path/to/swift     # a real history (cloned --shared)
    python bench/mining.py                           # a synthetic one

The repository is cloned (`git clone --shared`, cheap) into a temporary folder, so the
cache and the extra commit never touch it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caution.risk.history import mine_history
from provenance import synthetic_repo, time_git_log


def clone(source: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--shared", str(source), str(target)], check=True)
    return target


def add_commit(repo: Path) -> None:
    path = repo / "caution-bench.txt"
    path.write_text(f"one more line at {time.time()}\n")
    subprocess.run(["git", "add", path.name], cwd=repo, check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.com",
            "commit",
            "-q",
            "-m",
            "bench: one new commit",
        ],
        cwd=repo,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repo", type=Path, help="repository to mine (default: a synthetic one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synthetic-commits", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        source = args.repo or synthetic_repo(Path(tmp) / "synthetic", args.synthetic_commits)
        repo = clone(source, Path(tmp) / "clone")
        count = int(
            subprocess.run(
                ["git", "rev-list", "--count", "HEAD"],
                cwd=repo,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        print(f"repository: {source} ({'synthetic, ' if args.repo is None else ''}{count} commits)")
        time_git_log(repo)  # warm the object cache for both
        git_times, mine_times = [], []
        for _ in range(args.rounds):
            git_times.append(time_git_log(repo))
            start = time.perf_counter()
            mined = mine_history(repo, use_cache=False)
            mine_times.append(time.perf_counter() - start)
        git_median, mine_median = statistics.median(git_times), statistics.median(mine_times)
        ratio = mine_median / git_median
        print(f"git log -M --numstat (same fields): median {git_median:.2f} s")
        print(
            f"full mining (parse + 14 metrics + cache write): median {mine_median:.2f} s, "
            f"{len(mined.metrics)} changes, {count / mine_median:,.0f} commits/s"
        )
        print(f"ratio: {ratio:.2f}x (target <= 1.30x) {'OK' if ratio <= 1.3 else 'OVER TARGET'}")

        updates = []
        for _ in range(args.rounds):
            add_commit(repo)
            start = time.perf_counter()
            mined = mine_history(repo)
            updates.append(time.perf_counter() - start)
            assert mined.new_commits == 1, mined.new_commits
        update = statistics.median(updates)
        print(
            f"incremental update after one new commit: median {update * 1000:.0f} ms "
            f"(target <= 500 ms) {'OK' if update <= 0.5 else 'OVER TARGET'}"
        )
        start = time.perf_counter()
        mine_history(repo)
        print(f"nothing new (cache hit): {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
