"""`caution approve` and `caution approvals`: signed approvals that live in git notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from caution.cli.errors import CautionError
from caution.cli.options import Format, state
from caution.git.log import read_commits
from caution.git.repo import default_branch, git_config, require_commits, resolve
from caution.policy.approvals import approve as record_approval
from caution.policy.approvals import read_approvals
from caution.policy.config import load_config
from caution.report.approvals import approvals_to_json, render_approvals
from caution.report.console import stdout_console


def _signing_key(repo: Path, key: Path | None) -> Path:
    if key is not None:
        return key.expanduser()
    configured = git_config(repo, "user.signingkey")
    if configured and git_config(repo, "gpg.format") == "ssh" and not configured.startswith("ssh-"):
        return Path(configured).expanduser()
    for name in ("id_ed25519", "id_ecdsa", "id_rsa"):
        candidate = Path.home() / ".ssh" / name
        if candidate.exists():
            return candidate
    raise CautionError("no signing key: give --key PATH (an SSH private key)")


def approve(
    rev: str = typer.Argument("HEAD", help="The commit to approve (the head of the change)."),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="SSH private key to sign with (default: git's user.signingkey "
        "when gpg.format=ssh, else ~/.ssh/id_ed25519).",
    ),
    comment: str = typer.Option("", "--comment", help="A note for the record."),
    signer: str | None = typer.Option(
        None,
        "--signer",
        help="Your principal in the allowed-signers file (default: git's user.email).",
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
) -> int:
    """Sign an approval of a commit with your SSH key and record it as a git note.

    The note lives under refs/notes/caution-approvals; share it with
    `git push origin refs/notes/caution-approvals`. Exit 1 when the approval is refused
    (you wrote the change, you are an AI identity, or the signature would not verify).
    """
    repo = state.repository()
    require_commits(repo)
    sha = resolve(repo, rev)
    if sha is None:
        raise CautionError(f"{rev}: not a commit")
    who = signer or git_config(repo, "user.email")
    if not who:
        raise CautionError("who is approving? give --signer EMAIL or set git's user.email")
    roster = load_config(repo, config).roster
    base = default_branch(repo)
    spec = f"{base}..{sha}" if base is not None else sha
    commits = list(read_commits(repo, spec)) or list(read_commits(repo, sha))
    if not any(c.sha == sha for c in commits):
        commits += list(read_commits(repo, sha))
    authors = {p.email for c in commits for p in (c.author, c.committer)}
    from caution.policy.approvals import ApprovalRefusedError

    try:
        record = record_approval(repo, sha, _signing_key(repo, key), who, comment, roster, authors)
    except ApprovalRefusedError as exc:
        print(f"caution: approval refused: {exc}", file=sys.stderr)
        return 1
    stdout_console().print(
        f"approved {sha[:10]} as {record.approval.by} ({who}); "
        "share it with: git push origin refs/notes/caution-approvals",
        highlight=False,
        markup=False,
    )
    return 0


def approvals(
    rev: str = typer.Argument("HEAD", help="The commit whose approvals to list."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
) -> None:
    """List the signed approvals recorded on a commit, with their verification status."""
    repo = state.repository()
    require_commits(repo)
    sha = resolve(repo, rev)
    if sha is None:
        raise CautionError(f"{rev}: not a commit")
    roster = load_config(repo, config).roster
    records = read_approvals(repo, roster, {sha})
    if output is Format.json:
        sys.stdout.write(json.dumps(approvals_to_json(sha, records), indent=2) + "\n")
    else:
        render_approvals(sha, records, stdout_console())
