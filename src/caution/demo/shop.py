"""The demo repository: an online shop monorepo whose history holds the changes
caution is for.

Services checkout, payments, catalog and search and a shared library; a roster
with a senior engineer (alice) and two engineers (bob, carol), each with an
SSH key generated for the demo; a history of human commits, Claude Code-assisted
commits (one with git-ai line attribution), a Copilot coding-agent commit and an
Agent Trace record; and two open branches: carol's AI-assisted coupon feature
and an agent's change to CI.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from caution.demo.operations import COMMITTED, DEPLOY, export_operations_data
from caution.git.process import run_git

_START = 1_767_225_600  # 2026-01-01T00:00:00Z: fixed dates make the demo reproducible

ALICE = ("Alice Senior", "alice@shop.example")
BOB = ("Bob Engineer", "bob@shop.example")
CAROL = ("Carol Engineer", "carol@shop.example")
COPILOT = ("Copilot", "198982749+Copilot@users.noreply.github.com")
CLAUDE_TRAILER = (
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
    "Co-Authored-By: Claude <noreply@anthropic.com>\n"
)

POLICY = (
    """\
# The demo shop's policy: see `caution init` for a commented template.
version: 1
repository: shop/monorepo         # what approvals are signed for (needed in shallow clones)
provenance:
  trust_human_claims_from: [git-ai]   # the team's git-ai notes may say "a human wrote this"
roster:
  allowed_signers: .caution/allowed_signers     # ssh-keygen allowed-signers format
  people:
    alice: {emails: [alice@shop.example], roles: [senior], teams: [checkout]}
    bob:   {emails: [bob@shop.example], teams: [checkout]}
    carol: {emails: [carol@shop.example], teams: [payments]}
policy:
  approval:                       # all top-level entries must pass (an implicit `and`)
    - name: ai-changes-need-a-senior
      if:
        # unknown too: deleting an AI trailer makes a commit unknown, not human
        provenance: {level_in: [unknown, assisted, autonomous]}
        changed_files: {paths: ["services/checkout/**", "services/payments/**"]}
      requires: {count: 1, roles: [senior]}
      options: {allow_author: false, invalidate_on_push: true}
    - or:
        - {name: two-reviewers, requires: {count: 2}}
        - {name: owner, requires: {count: 1, teams: [checkout]}}
  block:
    - name: agents-do-not-touch-ci
      if:
        provenance: {level_in: [autonomous]}
        changed_files: {paths: [".github/workflows/**"]}
      message: "Autonomous agents may not change CI; ask a human to make this change."
"""
    + DEPLOY
)

CART_IMPORT = "from shared import money\n"

ORG = "".join(
    f"""---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {{name: {name}}}
spec: {{type: team, children: []}}
"""
    for name in ("shop-platform", "checkout-team", "payments-team", "catalog-team", "web-team")
)

CATALOG = {
    "org/catalog-info.yaml": ORG,
    "services/checkout/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, description: The online shop}
spec: {owner: shop-platform}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations: {caution.dev/tier: "0"}
spec:
  type: service
  lifecycle: production
  owner: checkout-team
  system: shop
  providesApis: [checkout-api]
  dependsOn: [component:payments, component:shared]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: checkout-api}
spec: {type: openapi, lifecycle: production, owner: checkout-team, system: shop, definition: "{}"}
""",
    "services/payments/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations: {caution.dev/tier: "0"}
spec: {type: service, lifecycle: production, owner: payments-team, system: shop,
       dependsOn: [component:shared]}
""",
    "services/catalog/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: catalog}
spec: {type: service, lifecycle: production, owner: catalog-team, system: shop}
""",
    "services/search/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search
  annotations: {caution.dev/tier: "2"}
spec: {type: service, lifecycle: production, owner: catalog-team, system: shop,
       dependsOn: [component:catalog]}
""",
    "services/storefront/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: storefront}
spec: {type: website, lifecycle: production, owner: web-team, system: shop,
       consumesApis: [checkout-api], dependsOn: [component:search]}
""",
    "libs/shared/catalog-info.yaml": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shared}
spec: {type: library, lifecycle: production, owner: shop-platform, system: shop}
""",
}

CI = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""


@dataclass(frozen=True)
class Shop:
    root: Path  # the folder holding the repository and the keys
    repo: Path
    keys: dict[str, Path]


class Builder:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.step = 0

    def commit(self, who: tuple[str, str], message: str, files: dict[str, str]) -> str:
        for name, content in files.items():
            target = self.repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            run_git(["add", "--", name], self.repo)
        self.step += 1
        when = f"{_START + self.step * 3600} +0000"
        env = {
            "GIT_AUTHOR_NAME": who[0],
            "GIT_AUTHOR_EMAIL": who[1],
            "GIT_COMMITTER_NAME": who[0],
            "GIT_COMMITTER_EMAIL": who[1],
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
        run_git(["commit", "--quiet", "--no-verify", "-m", message], self.repo, env=env)
        return run_git(["rev-parse", "HEAD"], self.repo).decode().strip()

    def git(self, *args: str) -> None:
        run_git(list(args), self.repo)

    def gitai_note(
        self, sha: str, files: dict[str, list[tuple[str, str]]], meta: dict[str, object]
    ) -> None:
        """Attach a git-ai authorship note (authorship/3.0.0) to `sha`."""
        attestation = "".join(
            f"{path}\n" + "".join(f"  {key} {ranges}\n" for key, ranges in entries)
            for path, entries in files.items()
        )
        metadata = {
            "schema_version": "authorship/3.0.0",
            "git_ai_version": "1.4.5",
            "base_commit_sha": sha,
            "prompts": {},
            **meta,
        }
        note = f"{attestation}---\n{json.dumps(metadata, indent=2)}"
        identity = {
            "GIT_AUTHOR_NAME": "git-ai",
            "GIT_AUTHOR_EMAIL": "git-ai@shop.example",
            "GIT_COMMITTER_NAME": "git-ai",
            "GIT_COMMITTER_EMAIL": "git-ai@shop.example",
        }
        run_git(["notes", "--ref=ai", "add", "-m", note, sha], self.repo, env=identity)


def _lines(count: int, text: str) -> str:
    return "".join(f"{text} {i}\n" for i in range(1, count + 1))


def _keygen(path: Path, comment: str) -> Path:
    try:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
            check=True,
            capture_output=True,
        )
    except FileNotFoundError as exc:
        raise OSError("the demo needs ssh-keygen (OpenSSH's client tools)") from exc
    return path


def build_shop(root: Path) -> Shop:
    """Create the demo under `root` (which must be missing or empty): `shop/` and `keys/`."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty; choose another --dir")
    keys_dir = root / "keys"
    keys_dir.mkdir()
    keys = {
        name: _keygen(keys_dir / name, f"{name}@shop.example") for name in ("alice", "bob", "carol")
    }
    allowed = ""
    for name, key in keys.items():
        kind, blob = key.with_suffix(".pub").read_text().split()[:2]
        allowed += f'{name}@shop.example namespaces="caution-approval" {kind} {blob}\n'

    repo = root / "shop"
    repo.mkdir()
    run_git(["init", "--quiet", "--initial-branch=main"], repo)
    b = Builder(repo)
    b.commit(
        ALICE,
        "Create the shop monorepo",
        {
            "README.md": "# shop\n\nCheckout, payments, catalog and search services.\n",
            ".caution.yml": POLICY,
            ".caution/allowed_signers": allowed,
            ".github/CODEOWNERS": (
                "* @shop/platform\n/services/checkout/ @shop/checkout\n"
                "/services/payments/ @shop/payments\n"
            ),
            ".github/workflows/ci.yml": CI,
            **CATALOG,
            "libs/shared/__init__.py": "",
            "libs/shared/money.py": "def cents(amount):\n    return round(amount * 100)\n",
            "services/checkout/__init__.py": "",
            "services/checkout/cart.py": CART_IMPORT + _lines(23, "# cart logic, line"),
            **COMMITTED,
            "services/payments/__init__.py": "",
            "services/payments/capture.py": "from shared.money import cents\n"
            + _lines(29, "# capture logic, line"),
            "services/catalog/__init__.py": "",
            "services/catalog/products.py": _lines(18, "# products, line"),
            "services/search/__init__.py": "",
            "services/search/ranking.py": "from catalog import products\n"
            + _lines(11, "# ranking, line"),
            "services/storefront/__init__.py": "",
            "services/storefront/views.py": (
                "from checkout import cart, coupons\nfrom search import ranking\n"
            ),
        },
    )
    fix = b.commit(
        BOB,
        "Round cart totals to whole cents\n\nSigned-off-by: Bob Engineer <bob@shop.example>\n",
        {
            "services/checkout/cart.py": CART_IMPORT + _lines(25, "# cart logic, line"),
        },
    )
    b.gitai_note(
        fix,
        {"services/checkout/cart.py": [("h_5be1c2d7e8f901", "25-26")]},
        {
            "humans": {"h_5be1c2d7e8f901": {"author": "Bob Engineer <bob@shop.example>"}},
        },
    )
    cache = b.commit(
        CAROL,
        "Cache catalog lookups\n\n" + CLAUDE_TRAILER,
        {
            "services/catalog/cache.py": _lines(16, "# cache, line"),
        },
    )
    b.gitai_note(
        cache,
        {
            "services/catalog/cache.py": [
                ("s_c9883b05a2487d::t_9f8e7d6c5b4a32", "1-12"),
                ("h_31dce776f88375", "13-16"),
            ],
        },
        {
            "humans": {"h_31dce776f88375": {"author": "Carol Engineer <carol@shop.example>"}},
            "sessions": {
                "s_c9883b05a2487d": {
                    "agent_id": {
                        "tool": "claude",
                        "id": "demo-session",
                        "model": "claude-opus-4-5",
                    },
                    "human_author": "carol@shop.example",
                }
            },
        },
    )
    b.commit(
        COPILOT,
        "Add tests for money rounding\n\nCo-authored-by: Bob Engineer <bob@shop.example>\n"
        "Agent-Logs-Url: https://github.com/shop/shop/sessions/0f9c6c1e-demo\n",
        {
            "libs/shared/test_money.py": (
                "from money import cents\n\n\ndef test_cents():\n    assert cents(1.005) == 100\n"
            ),
        },
    )
    trace = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-01T06:30:00Z",
        "vcs": {"type": "git", "revision": run_git(["rev-parse", "HEAD"], repo).decode().strip()},
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [
            {
                "path": "services/search/ranking.py",
                "conversations": [
                    {
                        "contributor": {"type": "ai", "model_id": "openai/gpt-5"},
                        "ranges": [{"start_line": 13, "end_line": 16}],
                    }
                ],
            }
        ],
    }
    b.commit(
        BOB,
        "Boost in-stock products in search",
        {
            "services/search/ranking.py": "from catalog import products\n"
            + _lines(15, "# ranking, line"),
            ".agent-trace/traces.jsonl": json.dumps(trace) + "\n",
        },
    )

    b.git("checkout", "--quiet", "-b", "copilot/ci-cache")
    b.commit(
        COPILOT,
        "Cache pip downloads in CI\n\nAgent-Logs-Url: https://github.com/shop/shop/sessions/7d2e-demo\n",
        {
            ".github/workflows/ci.yml": CI.replace(
                "      - run: make test\n",
                "      - uses: actions/cache@v4\n      - run: make test\n",
            ),
        },
    )
    b.git("checkout", "--quiet", "main")
    b.git("checkout", "--quiet", "-b", "feature/coupons")
    b.commit(
        CAROL,
        "Add coupon codes to checkout\n\n" + CLAUDE_TRAILER,
        {
            "services/checkout/coupons.py": _lines(40, "# coupon validation, line"),
            "services/checkout/cart.py": CART_IMPORT + _lines(29, "# cart logic, line"),
        },
    )
    b.git("checkout", "--quiet", "main")
    export_operations_data(repo)
    return Shop(root, repo, keys)


def push_follow_up(shop: Shop) -> str:
    """Carol pushes one more commit to her coupon branch (the demo's fourth step)."""
    b = Builder(shop.repo)
    b.step = 40
    b.git("checkout", "--quiet", "feature/coupons")
    sha = b.commit(
        CAROL,
        "Reject expired coupons\n\n" + CLAUDE_TRAILER,
        {
            "services/checkout/coupons.py": _lines(44, "# coupon validation, line"),
        },
    )
    b.git("checkout", "--quiet", "main")
    return sha
