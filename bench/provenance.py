"""Benchmark: `caution provenance` over a whole history against a bare `git log`.

Target (issue #2): on a real repository of >= 10,000 commits, caution takes at
most 1.5x the time of `git log` printing the same fields (the same --format
and --numstat), measured in the same run, alternating, median of N rounds.

    python bench/provenance.py --repo /path/to/swift      # a real history
    python bench/provenance.py                             # a synthetic one

Without --repo a synthetic history is generated with `git fast-import`; the
figure that counts for the target comes from a real repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from caution.git.log import FORMAT


def synthetic_repo(path: Path, commits: int) -> Path:
    """A linear history with a few files touched per commit, built in one fast-import."""
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    lines: list[bytes] = []
    for i in range(commits):
        when = 1_600_000_000 + i * 600
        msg = (
            f"Change {i}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
            if i % 7 == 0
            else f"Change {i}\n"
        )
        data = msg.encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer Dev {i % 13} <dev{i % 13}@example.com> {when} +0000\n".encode())
        lines.append(b"data %d\n%s\n" % (len(data), data))
        for j in range(1 + i % 3):
            body = "".join(f"line {k} of {i}\n" for k in range(5 + (i + j) % 40)).encode()
            lines.append(b"M 100644 inline src/mod%d/file%d.py\n" % (i % 50, j))
            lines.append(b"data %d\n%s\n" % (len(body), body))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(lines), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    return path


def time_git_log(repo: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["git", "log", "-z", "-M", "--numstat", f"--format={FORMAT}", "HEAD"],
        cwd=repo,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    while proc.stdout.read(1 << 20):
        pass
    proc.wait()
    return time.perf_counter() - start


def time_caution(repo: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "caution",
            "-C",
            str(repo),
            "provenance",
            "--reachable",
            "HEAD",
            "--format",
            "json",
        ],
        capture_output=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(proc.stdout)["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repo", type=Path, help="repository to read (default: a synthetic one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--synthetic-commits", type=int, default=10_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        repo = args.repo or synthetic_repo(Path(tmp) / "synthetic", args.synthetic_commits)
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(f"repository: {repo} ({'synthetic, ' if args.repo is None else ''}{count} commits)")
        time_git_log(repo)  # warm the object cache for both
        git_times, caution_times = [], []
        summary: dict[str, object] = {}
        for _ in range(args.rounds):
            git_times.append(time_git_log(repo))
            elapsed, summary = time_caution(repo)
            caution_times.append(elapsed)
        git_median = statistics.median(git_times)
        caution_median = statistics.median(caution_times)
        ratio = caution_median / git_median
        print(
            f"git log (same fields, --numstat): median {git_median:.2f} s over {args.rounds} rounds"
        )
        print(
            f"caution provenance --format json: median {caution_median:.2f} s"
            f" over {args.rounds} rounds"
        )
        print(f"ratio: {ratio:.2f}x (target <= 1.50x) {'OK' if ratio <= 1.5 else 'OVER TARGET'}")
        print(f"summary: {json.dumps(summary)}")


if __name__ == "__main__":
    main()
