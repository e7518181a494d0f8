"""The demo's walk through the gate, each step shown with the real command behind it.

Each command runs as a separate `caution` process in the demo repository, just
as a user would type it, so what the demo prints is what they will see.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from caution.demo.operations import EXPORTED
from caution.demo.shop import Shop, push_follow_up


def _caution(console: Console, repo: Path, *args: str) -> int:
    shown = " ".join(a if " " not in a else f'"{a}"' for a in args)
    console.print(f"$ caution {shown}", style="bold cyan", highlight=False, markup=False)
    sys.stdout.flush()
    proc = subprocess.run([sys.executable, "-m", "caution", *args], cwd=repo, check=False)
    console.print(f"[exit code {proc.returncode}]\n", style="dim", highlight=False, markup=False)
    return proc.returncode


def run_walkthrough(shop: Shop, console: Console) -> list[int]:
    """Run every step; return the exit codes (for tests: [0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1])."""
    repo = shop.repo
    codes: list[int] = []

    def step(title: str, action: Callable[[], int]) -> None:
        console.rule(title, style="bold")
        codes.append(action())

    console.print(
        f"Demo shop repository: {repo}\nSSH keys: {shop.root / 'keys'}\n",
        highlight=False,
        markup=False,
    )
    console.print(f"$ cd {repo}\n", style="bold cyan", highlight=False, markup=False)
    step(
        "1. Which commits on main were made with AI?",
        lambda: _caution(console, repo, "provenance", "--reachable", "main"),
    )
    step(
        "2. Carol's coupon feature was written with Claude Code: it waits for a senior",
        lambda: _caution(console, repo, "check", "main..feature/coupons"),
    )
    key = str(shop.keys["alice"])
    step(
        "3. Alice, a senior, reviews it and signs her approval with her SSH key",
        lambda: _caution(
            console,
            repo,
            "approve",
            "feature/coupons",
            "--key",
            key,
            "--signer",
            "alice@shop.example",
            "--comment",
            "Reviewed coupon validation",
        ),
    )
    step(
        "4. With a valid signed approval on the head commit, the change passes",
        lambda: _caution(console, repo, "check", "main..feature/coupons"),
    )

    def follow_up() -> int:
        console.print(
            "$ git commit -m 'Reject expired coupons'   # on feature/coupons, as carol",
            style="bold cyan",
            highlight=False,
            markup=False,
        )
        sha = push_follow_up(shop)
        console.print(f"[new head {sha[:10]}]\n", style="dim", highlight=False, markup=False)
        return _caution(console, repo, "check", "main..feature/coupons")

    step("5. Carol pushes another commit: alice's approval is now stale", follow_up)
    carol = str(shop.keys["carol"])
    step(
        "6. Carol tries to approve her own change and is refused",
        lambda: _caution(
            console,
            repo,
            "approve",
            "feature/coupons",
            "--key",
            carol,
            "--signer",
            "carol@shop.example",
        ),
    )
    step(
        "7. A Copilot agent changed CI on its own: blocked, whatever the approvals",
        lambda: _caution(console, repo, "check", "main..copilot/ci-cache"),
    )
    step(
        "8. Line by line: who wrote the catalog cache (git-ai notes, no git-ai needed)",
        lambda: _caution(console, repo, "blame", "services/catalog/cache.py"),
    )
    step(
        "9. Before the coupon release: checkout's error budget (SRE workbook burn-rate alerts)",
        lambda: _caution(console, repo, "slo", "status", "--config", "ops/slos.yml"),
    )
    step(
        "10. The release runs as a canary beside a baseline: Kayenta's judge says it is slower",
        lambda: _caution(
            console,
            repo,
            "canary",
            "judge",
            "--config",
            "ops/canary.yml",
            "--baseline",
            f"{EXPORTED}/baseline.json",
            "--canary",
            f"{EXPORTED}/coupons.json",
            "--report",
            f"{EXPORTED}/report",
        ),
    )

    def gate() -> int:
        verdict = f"{EXPORTED}/verdict.json"
        console.print(
            f"$ caution canary judge … --format json > {verdict}",
            style="bold cyan",
            highlight=False,
            markup=False,
        )
        judged = subprocess.run(
            [sys.executable, "-m", "caution", "canary", "judge", "--config", "ops/canary.yml",
             "--baseline", f"{EXPORTED}/baseline.json", "--canary", f"{EXPORTED}/coupons.json",
             "--format", "json"],
            cwd=repo, capture_output=True, check=False,
        )  # fmt: skip
        (repo / verdict).write_bytes(judged.stdout)
        return _caution(
            console,
            repo,
            "deploy",
            "gate",
            "--service",
            "checkout",
            "main..feature/coupons",
            "--canary-result",
            verdict,
        )

    step("11. The deploy gate holds the release: its canary failed", gate)
    console.rule("Try it yourself", style="bold")
    console.print(
        f"  cd {repo}\n"
        "  caution check main..feature/coupons --format markdown\n"
        f"  caution approve feature/coupons --key {key} --signer alice@shop.example\n"
        "  caution approvals feature/coupons\n"
        "  caution blame services/search/ranking.py\n"
        f"  open {repo / EXPORTED / 'report' / 'index.html'}   # the canary report\n\n"
        f"The demo repository: {repo}",
        highlight=False,
        markup=False,
    )
    return codes
