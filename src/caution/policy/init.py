"""`caution init`: a commented `.caution.yml` fitted to the repository at hand."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from caution.git.log import read_commits
from caution.git.process import run_git
from caution.git.repo import has_commits
from caution.provenance import ai_identity, default_catalog
from caution.yaml_source import CONFIG_NAME

CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


class ConfigExistsError(Exception):
    pass


def _tracked(repo: Path) -> list[str]:
    out = run_git(["ls-files", "-z"], repo)
    return [p.decode("utf-8", "replace") for p in out.split(b"\0") if p]


def _frequent_authors(repo: Path, limit: int = 5) -> list[tuple[str, str]]:
    if not has_commits(repo):
        return []
    counts: Counter[tuple[str, str]] = Counter()
    catalog = default_catalog()
    for commit in read_commits(
        repo, "HEAD~200..HEAD" if _depth(repo) > 200 else "HEAD", reachable=True
    ):
        person = (commit.author.name, commit.author.email.lower())
        if ai_identity(*person, catalog) is None:
            counts[person] += 1
    return [p for p, _ in counts.most_common(limit)]


def _depth(repo: Path) -> int:
    return int(run_git(["rev-list", "--count", "HEAD"], repo).decode().strip() or 0)


def _person_id(name: str, email: str, taken: set[str]) -> str:
    base = (
        "".join(ch for ch in email.split("@")[0].lower() if ch.isalnum() or ch in "-_") or "person"
    )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def initial_config(repo: Path) -> str:
    files = _tracked(repo) if has_commits(repo) else []
    codeowners = next((p for p in CODEOWNERS_PLACES if p in files), None)
    catalogs = [p for p in files if p.endswith("catalog-info.yaml")]
    authors = _frequent_authors(repo)
    taken: set[str] = set()
    people = []
    for name, email in authors:
        pid = _person_id(name, email, taken)
        comment = "".join(ch for ch in name if ch.isprintable())
        # json.dumps quotes the email as YAML reads it: an author cannot inject YAML
        people.append(
            f"    {pid}: {{emails: [{json.dumps(email)}], roles: [], teams: []}}   # {comment}"
        )
    if not people:
        people.append("    alice: {emails: [alice@example.com], roles: [senior], teams: []}")
    found = []
    if codeowners:
        found.append(f"#   CODEOWNERS: {codeowners}")
    if catalogs:
        shown = ", ".join(catalogs[:5]) + (" …" if len(catalogs) > 5 else "")
        found.append(f"#   Backstage catalog files: {shown}")
    found_text = "\n".join(found) if found else "#   (no CODEOWNERS or catalog-info.yaml found)"
    return f"""# caution policy for this repository.
# `caution check` evaluates it; `caution approve` records signed approvals.
#
# Found in this repository:
{found_text}
version: 1

roster:
  # Approvals are SSH signatures verified against this file (ssh-keygen allowed-signers
  # format: one line per person, `email namespaces="caution-approval" ssh-ed25519 AAAA…`).
  allowed_signers: .caution/allowed_signers
  # People who may approve; give the seniors the `senior` role. Emails must match the
  # principals in allowed_signers. Listed from the most frequent recent authors:
  people:
{chr(10).join(people)}

policy:
  # Every top-level entry must pass (an implicit `and`). A rule whose `if` does not hold is
  # skipped; at least one rule must apply, so keep a catch-all at the end.
  approval:
    - name: ai-changes-need-a-senior
      if:
        provenance: {{level_in: [assisted, autonomous]}}
      requires: {{count: 1, roles: [senior]}}
      options: {{allow_author: false, invalidate_on_push: true}}
    - name: large-changes-need-two
      if:
        modified_lines: {{total: "> 800"}}
      requires: {{count: 2}}
    - name: everything-else
      # no `requires`: applies to every change and passes

  # Block rules stop a change whatever its approvals.
  block:
    - name: agents-do-not-touch-ci
      if:
        provenance: {{level_in: [autonomous]}}
        changed_files: {{paths: [".github/workflows/**", ".gitlab-ci.yml", ".ci/**"]}}
      message: "Autonomous agents may not change CI; ask a human to make this change."

# Predicates for `if`: changed_files {{paths, ignore}}, only_changed_files {{paths}},
# provenance {{level_in, tools_in, ai_fraction}}, modified_lines {{additions, deletions, total}},
# authors_in [people, roles or teams], targets_branch {{pattern}}.
"""


def write_initial_config(repo: Path, *, force: bool) -> Path:
    target = repo / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigExistsError(f"{target} exists; use --force to overwrite it")
    target.write_text(initial_config(repo), encoding="utf-8")
    return target
