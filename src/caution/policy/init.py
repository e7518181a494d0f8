"""`caution init`: a commented `.caution.yml` fitted to the repository at hand, and the
allowed-signers file it names, so that the first approval can be made and verified.

It names the repository (`repository:`), from the remote's URL where there is one, so that
approvals verify in shallow CI clones too; and it starts the signers file with the key of
the person running it, when one is found.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from caution.git.log import read_commits
from caution.git.process import run_git
from caution.git.repo import git_config, has_commits
from caution.provenance import ai_identity, default_catalog
from caution.yaml_source import CONFIG_NAME

CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
SIGNERS = ".caution/allowed_signers"
CI_PATHS = '[".github/workflows/**", ".gitlab-ci.yml", ".circleci/**", "Jenkinsfile", ".ci/**"]'
_URL = re.compile(r"(?:[:/])([^/:]+/[^/]+?)(?:\.git)?/?$")


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


def repository_name(repo: Path) -> str | None:
    """`owner/name` from the first remote's URL (https, ssh or scp-like), or None."""
    out = run_git(["config", "--get-regexp", r"^remote\..*\.url$"], repo, ok_codes=(0, 1))
    for line in out.decode("utf-8", "replace").splitlines():
        found = _URL.search(line.split(" ", 1)[-1].strip())
        if found:
            return found.group(1)
    return None


def _public_key(repo: Path) -> str | None:
    """The public half of the key `caution approve` would sign with."""
    configured = git_config(repo, "user.signingkey")
    candidates = []
    if configured and configured.startswith(("ssh-", "sk-", "ecdsa-")):
        return configured.strip()
    if configured:
        candidates.append(Path(configured).expanduser())
    ssh = Path.home() / ".ssh"
    candidates += [ssh / f"{n}" for n in ("id_ed25519_sk", "id_ecdsa_sk", "id_ed25519", "id_ecdsa")]
    for key in candidates:
        public = key if key.suffix == ".pub" else key.with_name(key.name + ".pub")
        try:
            words = public.read_text("utf-8").split()
        except (OSError, UnicodeDecodeError):
            continue
        if len(words) >= 2:
            return f"{words[0]} {words[1]}"
    return None


def initial_signers(repo: Path) -> tuple[str, bool]:
    """The allowed-signers file to start with, and whether it holds a key."""
    email = git_config(repo, "user.email")
    key = _public_key(repo)
    head = (
        '# Who may sign caution approvals: `EMAIL namespaces="caution-approval" KEYTYPE KEY`.\n'
        "# Prefer hardware keys (ssh-keygen -t ed25519-sk): a signature needs a touch, which no\n"
        "# process in your session can fake. Changes to this file need a roster person's\n"
        "# approval.\n"
    )
    if email and key and " " not in email:
        return head + f'{email} namespaces="caution-approval" {key}\n', True
    return head + '# alice@example.com namespaces="caution-approval" ssh-ed25519 AAAA…\n', False


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
    remote_name = repository_name(repo)
    repository = (
        f"repository: {json.dumps(remote_name)}   # what approvals are signed for (the remote)"
        if remote_name
        else "# repository: owner/name   # name it before CI: shallow clones need it"
    )
    return f"""# caution policy for this repository.
# `caution check` evaluates it; `caution approve` records signed approvals.
#
# Found in this repository:
{found_text}
version: 1
{repository}

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
        changed_files: {{paths: {CI_PATHS}}}
      message: "Autonomous agents may not change CI; ask a human to make this change."

# Predicates for `if`: changed_files {{paths, ignore}}, only_changed_files {{paths}},
# provenance {{level_in, tools_in, ai_fraction}}, modified_lines {{additions, deletions, total}},
# authors_in [people, roles or teams], targets_branch {{pattern}}, reach {{…}}, risk {{…}},
# deploy {{frozen}}. A condition caution cannot know (no catalog, no training set…) makes an
# approval rule apply and a block rule block; `on_unknown: skip` on a rule opts out.
"""


@dataclass(frozen=True)
class Written:
    config: Path
    signers: Path | None  # None: it was there already and is kept
    signer_key: bool  # the signers file starts with the user's key
    repository: str | None


def write_initial_config(repo: Path, *, force: bool) -> Written:
    target = repo / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigExistsError(f"{target} exists; use --force to overwrite it")
    target.write_text(initial_config(repo), encoding="utf-8")
    signers = repo / SIGNERS
    written: Path | None = None
    has_key = False
    if not signers.exists():
        text, has_key = initial_signers(repo)
        signers.parent.mkdir(parents=True, exist_ok=True)
        signers.write_text(text, encoding="utf-8")
        written = signers
    return Written(target, written, has_key, repository_name(repo))
