"""`caution hook pre-receive`: a server refuses updates of its protected branches whose
change does not pass.

For each pushed update of a protected branch:

- a deletion is refused;
- an update that is not a fast-forward is refused (history on a protected branch is
  never rewritten by a push);
- a fast-forward is judged like `caution check OLD..NEW --target BRANCH`: the change is
  what the branch gains, the policy and signers file are read at OLD (what the branch
  holds now), approvals come from `refs/notes/caution-approvals` — the server's, and the
  value the same push gives it, so that notes and branch can travel in one `git push`;
- a new protected branch is accepted when its tip is already on a protected branch;
- an accepted update must leave a policy that loads (one that does not would refuse
  every later push);
- bootstrap: while a branch has no policy (no `.caution.yml` at OLD, one that does not
  load, or a new branch in a repository that has no protected branch yet), a change that
  the built-in policy does not pass is accepted when its tip commit is SSH-signed by a
  key in the server's own allowed-signers file (git config `caution.bootstrapSigners`).
  Without that file nothing but what the built-in policy passes lands: no deadlock (an
  administrator configures the file and signs), no fail-open (nobody else can).

Everything else (tags, other branches, notes) is not this hook's business. Inside
pre-receive, git keeps the pushed objects in a quarantine directory named by environment
variables that every git call inherits (`git/process.py` passes the environment on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.merge import is_ancestor
from caution.git.process import run_git
from caution.git.repo import git_config, git_config_all, head_branch
from caution.git.signatures import commit_signature
from caution.policy.check import CHECK_ERRORS, CheckOptions, CheckResult, run_check
from caution.policy.config import load_config
from caution.policy.push import (
    Kind,
    RefUpdate,
    is_protected,
    is_zero,
    protected_patterns,
    shadowed_branch,
)
from caution.policy.statement import NOTES_REF
from caution.yaml_source import CONFIG_NAME, SourceError

BOOTSTRAP_KEY = "caution.bootstrapSigners"
PROTECT_KEY = "caution.protect"


@dataclass(frozen=True)
class ServerSettings:
    protected: tuple[str, ...]
    bootstrap_signers: Path | None  # configured path (it may not exist: then nobody signs)


def server_settings(repo: Path) -> ServerSettings:
    """The server's own configuration, from the bare repository's git config."""
    patterns = protected_patterns(git_config_all(repo, PROTECT_KEY), head_branch(repo))
    configured = git_config(repo, BOOTSTRAP_KEY)
    signers = None
    if configured:
        path = Path(configured).expanduser()
        signers = path if path.is_absolute() else (repo / path)
    return ServerSettings(patterns, signers)


@dataclass(frozen=True)
class RefVerdict:
    update: RefUpdate
    accepted: bool
    why: str  # one line: what decided
    result: CheckResult | None = None  # the check, when one ran


def _bootstrap(repo: Path, commit: str, settings: ServerSettings) -> tuple[bool, str]:
    """Whether `commit` is signed by a bootstrap signer, and the words for either answer."""
    path = settings.bootstrap_signers
    if path is None:
        return False, (
            f"no bootstrap signers are configured: an administrator sets `git config "
            f"{BOOTSTRAP_KEY} /path/to/allowed_signers` on the server and signs the commit"
        )
    if not path.is_file():
        return False, f"{BOOTSTRAP_KEY} names {path}, which is not a file: nobody can bootstrap"
    try:
        signature = commit_signature(repo, commit, path.resolve())
    except GitError as exc:
        return False, f"the signature of {commit[:10]} cannot be checked: {exc}"
    if signature.trusted:
        return True, f"bootstrap: {commit[:10]} is signed by {signature.principal}"
    words = {"N": "is not signed", "B": "has a bad signature"}.get(
        signature.status, f"is not signed by a bootstrap signer (git says {signature.status})"
    )
    return False, f"{commit[:10]} {words}: bootstrap needs a commit signed by a key in {path}"


def _protected_tips(repo: Path, settings: ServerSettings) -> list[tuple[str, str]]:
    """(branch, tip) of every protected branch as the server has them now."""
    out = run_git(["for-each-ref", "--format=%(refname)%00%(objectname)", "refs/heads/"], repo)
    tips = []
    for line in out.decode("utf-8", "replace").splitlines():
        ref, _, sha = line.partition("\0")
        branch = ref.removeprefix("refs/heads/")
        if sha and is_protected(branch, settings.protected):
            tips.append((branch, sha))
    return tips


def _create(repo: Path, update: RefUpdate, settings: ServerSettings) -> RefVerdict:
    name = update.branch or update.ref
    tips = _protected_tips(repo, settings)
    for branch, tip in tips:
        if update.new == tip or is_ancestor(repo, update.new, tip):
            verdict = RefVerdict(
                update, True, f"starts from {update.new[:10]}, already on {branch}"
            )
            return _leaves_a_policy(repo, verdict, name)
    signed, why = _bootstrap(repo, update.new, settings)
    if signed:
        return _leaves_a_policy(repo, RefVerdict(update, True, why), name)
    if not tips:
        return RefVerdict(
            update, False, f"the repository has no protected branch yet (bootstrap), and {why}"
        )
    return RefVerdict(
        update,
        False,
        "a new protected branch starts from a commit already on a protected branch (changes "
        f"then reach it through this check); {update.new[:10]} is on none, and {why}",
    )


def _check(
    repo: Path,
    update: RefUpdate,
    branch: str,
    settings: ServerSettings,
    notes_at: tuple[str, ...],
    report: Callable[[str], None] | None,
) -> RefVerdict:
    if not is_ancestor(repo, update.old, update.new):
        return RefVerdict(
            update,
            False,
            f"not a fast-forward of {branch}: a protected branch's history is not rewritten "
            "by a push (merge or rebase onto it, then push)",
        )
    options = CheckOptions(target=branch, may_fetch=False, env={}, report=report, notes_at=notes_at)
    try:
        result = run_check(repo, f"{update.old}..{update.new}", options)
    except SourceError as exc:
        if exc.file != CONFIG_NAME:
            return RefVerdict(update, False, f"cannot be judged: {exc}")
        # a policy that does not load judges nothing; only a bootstrap signer mends it
        signed, why = _bootstrap(repo, update.new, settings)
        verdict = RefVerdict(update, signed, f"the policy on {branch} does not load ({exc}); {why}")
        return _leaves_a_policy(repo, verdict, branch) if signed else verdict
    except CHECK_ERRORS as exc:
        # unknown is not safe: what cannot be judged does not land
        return RefVerdict(update, False, f"cannot be judged: {exc}")
    decision = result.decision
    if decision.decision == "pass":
        verdict = RefVerdict(update, True, f"passes: {decision.summary}", result)
        return _leaves_a_policy(repo, verdict, branch)
    if result.config.is_default:
        signed, why = _bootstrap(repo, update.new, settings)
        if signed:
            return _leaves_a_policy(repo, RefVerdict(update, True, why, result), branch)
        return RefVerdict(
            update,
            False,
            f"{decision.decision}: {decision.summary}; {branch} has no .caution.yml yet, and {why}",
            result,
        )
    return RefVerdict(update, False, f"{decision.decision}: {decision.summary}", result)


def _leaves_a_policy(repo: Path, verdict: RefVerdict, branch: str) -> RefVerdict:
    """An accepted update must leave a policy that loads: one that does not would refuse
    every later push (the next change is judged by it)."""
    try:
        load_config(repo, rev=verdict.update.new)
    except SourceError as exc:
        return RefVerdict(
            verdict.update,
            False,
            f"it would leave {branch} with a policy that does not load: {exc}",
            verdict.result,
        )
    return verdict


def judge_push(
    repo: Path,
    updates: Sequence[RefUpdate],
    settings: ServerSettings,
    report: Callable[[str], None] | None = None,
) -> list[RefVerdict]:
    """A verdict for each update of a protected branch (other refs are not judged)."""
    notes_at = tuple(u.new for u in updates if u.ref == NOTES_REF and not is_zero(u.new))
    verdicts = []
    for update in updates:
        branch = update.branch
        shadow = shadowed_branch(update.ref, settings.protected)
        if shadow is not None and update.kind is not Kind.delete:
            why = (
                f"{update.ref} is named like the protected branch {shadow}: git finds it by "
                "that name (or a remote's), so it could stand in for the branch"
            )
            verdicts.append(RefVerdict(update, False, why))
            continue
        if branch is None or not is_protected(branch, settings.protected):
            continue
        if update.old == update.new:
            continue  # nothing changes (git does not send such a line; a client might)
        if update.kind is Kind.delete:
            verdicts.append(
                RefVerdict(
                    update,
                    False,
                    f"{branch} is protected: it is not deleted by a push (an administrator "
                    "removes it on the server)",
                )
            )
        elif update.kind is Kind.create:
            verdicts.append(_create(repo, update, settings))
        else:
            verdicts.append(_check(repo, update, branch, settings, notes_at, report))
    return verdicts


__all__ = [
    "BOOTSTRAP_KEY",
    "PROTECT_KEY",
    "RefVerdict",
    "ServerSettings",
    "judge_push",
    "server_settings",
]
