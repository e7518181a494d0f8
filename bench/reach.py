"""Benchmark: `caution reach` for a 20-file change in a 10,000-file monorepo with a
500-component catalog.

Target (issue #5): <= 1 s with a warm cache (the import graph cached by tree id).
The repository is generated here with `git fast-import`: 500 components, each a
folder with a catalog-info.yaml (a dependsOn DAG over earlier components, tiers
mixed) and a Python package of 19 modules importing each other and two other
components; then a branch changing 20 files across 5 components.

    python bench/reach.py [--rounds 5]

Printed: the cold run (graph built and cached), the median warm run, and for
reference the median of `git ls-files` + `git log --numstat` of the range.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPONENTS = 500
MODULES = 18  # + __init__.py + catalog-info.yaml = 20 files per component → 10,000 files


def _catalog(i: int, rng: random.Random) -> str:
    deps = sorted({rng.randrange(i) for _ in range(min(i, 2))}) if i else []
    depends = "".join(f"\n    - component:svc{d}" for d in deps)
    tier = f'\n  annotations: {{caution.dev/tier: "{i % 4}"}}' if i % 3 == 0 else ""
    lifecycle = "production" if i % 2 else "experimental"
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc{i}{tier}\n"
        f"spec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: team{i % 40}\n"
        f"  dependsOn:{depends if depends else ' []'}\n"
    )


def _module(i: int, m: int, rng: random.Random) -> str:
    lines = []
    if m > 0:
        lines.append(f"from svc{i} import mod{m - 1}")
    if i and m == 0:
        for other in sorted({rng.randrange(i) for _ in range(2)}):
            lines.append(f"from svc{other} import mod{rng.randrange(MODULES)}")
    lines += [f"VALUE_{k} = {k}" for k in range(5)]
    return "\n".join(lines) + "\n"


def build(root: Path) -> Path:
    rng = random.Random(7)
    repo = root / "mono"
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(repo)], check=True)
    chunks: list[bytes] = []

    def blob(path: str, text: str) -> None:
        data = text.encode()
        chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))

    message = b"monorepo"
    chunks.append(b"commit refs/heads/main\ncommitter Dev <dev@example.com> 1700000000 +0000\n")
    chunks.append(b"data %d\n%s\n" % (len(message), message))
    for i in range(COMPONENTS):
        folder = f"services/svc{i}"
        blob(f"{folder}/catalog-info.yaml", _catalog(i, rng))
        blob(f"{folder}/svc{i}/__init__.py", "")
        for m in range(MODULES):
            blob(f"{folder}/svc{i}/mod{m}.py", _module(i, m, rng))
    message = b"touch 20 files"
    chunks.append(b"commit refs/heads/feature\ncommitter Dev <dev@example.com> 1700000600 +0000\n")
    chunks.append(b"data %d\n%s\nfrom refs/heads/main\n" % (len(message), message))
    for n in range(20):
        i, m = (n % 5) * 97 + 3, n
        blob(f"services/svc{i}/svc{i}/mod{m % MODULES}.py", f"CHANGED = {n}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "feature"], cwd=repo, check=True)
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp))
        files = subprocess.run(
            ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.count("\n")
        command = [sys.executable, "-m", "caution", "reach", "main..feature", "--format", "json"]

        def run() -> tuple[float, dict[str, object]]:
            start = time.perf_counter()
            proc = subprocess.run(command, cwd=repo, capture_output=True, check=True)
            return time.perf_counter() - start, json.loads(proc.stdout)

        cold, data = run()
        warm = statistics.median(run()[0] for _ in range(args.rounds))

        def reference() -> float:
            start = time.perf_counter()
            subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, check=True)
            subprocess.run(
                ["git", "log", "--numstat", "main..feature"],
                cwd=repo,
                capture_output=True,
                check=True,
            )
            return time.perf_counter() - start

        ref = statistics.median(reference() for _ in range(args.rounds))
        components = data["components"]
        print(
            f"repository: {files} files, {COMPONENTS} components; change: 20 files in "
            f"{len(components)} components"
        )  # type: ignore[arg-type]
        print(
            f"reach: {len(data['dependents'])} dependents, max tier {data['max_tier']}, "  # type: ignore[arg-type]
            f"{len(data['code']['importers'])} importing modules"
        )  # type: ignore[index]
        print(f"caution reach, cold (import graph built and cached): {cold * 1000:.0f} ms")
        print(
            f"caution reach, warm: median {warm * 1000:.0f} ms over {args.rounds} rounds "
            f"(target <= 1000 ms) {'OK' if warm <= 1.0 else 'OVER TARGET'}"
        )
        print(
            f"git ls-files + git log --numstat (reference): median {ref * 1000:.0f} ms; "
            f"ratio warm/reference {warm / ref:.1f}x"
        )


if __name__ == "__main__":
    main()
