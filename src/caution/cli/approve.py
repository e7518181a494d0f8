"""`caution approve` and `caution approvals`: signed approvals that live in git notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from caution.cli.errors import CautionError
from caution.cli.options import Format, state


def _signing_key(repo: Path, key: Path | None) -> Path:
    from caution.git.repo import (
        git_config,
    )

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


def _target(repo: Path, target: str | None) -> tuple[str, str]:
    """(short branch name, its commit) of the branch the change merges into."""
    from caution.git.repo import (
        default_branch,
        resolve,
        short_branch,
    )

    name = target or default_branch(repo)
    if name is None:
        raise CautionError("which branch does this change merge into? give --target BRANCH")
    sha = resolve(repo, name)
    if sha is None:
        raise CautionError(f"{name}: not a branch or commit")
    return short_branch(repo, name), sha


def approve(
    rev: str = typer.Argument("HEAD", help="The head commit of the change to approve."),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="SSH private key to sign with (default: git's user.signingkey when "
        "gpg.format=ssh, else ~/.ssh/id_ed25519).",
    ),
    comment: str = typer.Option("", "--comment", help="A note for the record."),
    signer: str | None = typer.Option(
        None, "--signer", help="Your principal in the allowed-signers file (default: user.email)."
    ),
    target: str | None = typer.Option(
        None, "--target", help="The branch the change merges into (default: the default branch)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
) -> int:
    """Sign an approval of a change with your SSH key and record it as a git note.

    The approval names the head commit, the target branch and the patch-id of the whole
    change. It lives under refs/notes/caution-approvals; share it with
    `git push origin refs/notes/caution-approvals`. Exit 1 when it is refused (you wrote
    the change, you are an AI identity, or the signature would not verify).
    """
    from caution.git.log import read_commits
    from caution.git.repo import (
        change_patch_id,
        first_parent_or_empty,
        git_config,
        merge_base,
        require_commits,
        resolve,
    )
    from caution.policy.approvals import ApprovalRefusedError, repository_name
    from caution.policy.approvals import approve as record_approval
    from caution.policy.config import load_config
    from caution.report.console import stdout_console

    repo = state.repository()
    require_commits(repo)
    sha = resolve(repo, rev)
    if sha is None:
        raise CautionError(f"{rev}: not a commit")
    who = signer or git_config(repo, "user.email")
    if not who:
        raise CautionError("who is approving? give --signer EMAIL or set git's user.email")
    target_name, target_sha = _target(repo, target)
    settings = load_config(repo, config, rev=None if config else target_sha)
    base = merge_base(repo, target_sha, sha) or first_parent_or_empty(repo, sha)
    if base == sha:
        base = first_parent_or_empty(repo, sha)
    commits = list(read_commits(repo, f"{base}..{sha}")) or list(read_commits(repo, sha))
    authors = {p.email for c in commits for p in (c.author, c.committer)}
    try:
        record = record_approval(
            repo,
            settings,
            repo_name=repository_name(repo, settings, target_sha),
            commit=sha,
            target=target_name,
            patch=change_patch_id(repo, base, sha) or "",
            key=_signing_key(repo, key),
            signer=who,
            comment=comment,
            authors=authors,
        )
    except ApprovalRefusedError as exc:
        print(f"caution: approval refused: {exc}", file=sys.stderr)
        return 1
    stdout_console().print(
        f"approved {sha[:10]} into {target_name} as {record.approval.by} ({who}); "
        "share it with: git push origin refs/notes/caution-approvals",
        highlight=False,
        markup=False,
    )
    return 0


def approvals(
    rev: str = typer.Argument("HEAD", help="The commit whose approvals to list."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
    target: str | None = typer.Option(
        None, "--target", help="The branch whose policy and roster apply (default branch)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
) -> None:
    """List the signed approvals recorded on a commit, with their verification status."""
    from caution.git.repo import (
        require_commits,
        resolve,
    )
    from caution.policy.approvals import read_approvals, repository_name
    from caution.policy.config import load_config
    from caution.report.approvals import approvals_to_json, render_approvals
    from caution.report.console import stdout_console

    repo = state.repository()
    require_commits(repo)
    sha = resolve(repo, rev)
    if sha is None:
        raise CautionError(f"{rev}: not a commit")
    _, target_sha = _target(repo, target)
    settings = load_config(repo, config, rev=None if config else target_sha)
    records = read_approvals(repo, settings, repository_name(repo, settings, target_sha), {sha})
    if output is Format.json:
        sys.stdout.write(json.dumps(approvals_to_json(sha, records), indent=2) + "\n")
    else:
        render_approvals(sha, records, stdout_console())
