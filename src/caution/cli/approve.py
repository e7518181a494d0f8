"""`caution approve` and `caution approvals`: signed approvals that live in git notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

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
    """(branch name, its commit) of the branch the change merges into: NAME, else
    origin/NAME."""
    from caution.git.repo import default_branch
    from caution.policy.resolve import resolve_target

    name = target or default_branch(repo)
    if name is None:
        raise CautionError("which branch does this change merge into? give --target BRANCH")
    found = resolve_target(repo, name)
    if found is None:
        raise CautionError(f"{name}: not a branch or commit (nor on a remote)")
    return found.name, found.sha


def approve(
    rev: str = typer.Argument("HEAD", help="The head commit of the change to approve."),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="SSH private key to sign with (default: git's user.signingkey when "
        "gpg.format=ssh, else ~/.ssh/id_ed25519). A hardware key (sk-ssh-ed25519) asks for "
        "a touch.",
    ),
    comment: str = typer.Option("", "--comment", help="A note for the record."),
    signer: str | None = typer.Option(
        None, "--signer", help="Your principal in the allowed-signers file (default: user.email)."
    ),
    target: str | None = typer.Option(
        None, "--target", help="The branch the change merges into (default: the default branch)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> int:
    """Sign an approval of a change with your SSH key and record it as a git note.

    The change is what merging REV into the target would do, worked out as `caution check`
    does. The approval names the head commit, the target branch and the change's
    fingerprint. It lives under refs/notes/caution-approvals; share it with
    `caution approvals sync`. Exit 1 when it is refused (you wrote the change, you are an
    AI identity, this is a coding agent's session, or the signature would not verify).
    """
    import os

    from caution.git.log import read_commits
    from caution.git.repo import git_config, require_commits
    from caution.policy.approvals import ApprovalRefusedError, repository_name
    from caution.policy.approvals import approve as record_approval
    from caution.policy.config import load_config
    from caution.policy.resolve import change_fingerprint, resolve_change
    from caution.report.console import stdout_console

    repo = state.repository()
    require_commits(repo)
    who = signer or git_config(repo, "user.email")
    if not who:
        raise CautionError("who is approving? give --signer EMAIL or set git's user.email")
    where = resolve_change(repo, rev, target, report=_progress)
    if where.target_name is None:
        raise CautionError("which branch does this change merge into? give --target BRANCH")
    settings = load_config(repo, config, rev=None if config else where.target)
    commits = list(read_commits(repo, where.commits))
    authors = {p.email for c in commits for p in (c.author, c.committer)}
    try:
        record = record_approval(
            repo,
            settings,
            repo_name=repository_name(repo, settings, where.target),
            commit=where.head,
            target=where.target_name,
            fingerprint=change_fingerprint(repo, where) or "",
            key=_signing_key(repo, key),
            signer=who,
            comment=comment,
            authors=authors,
            env=os.environ,
        )
    except ApprovalRefusedError as exc:
        if output is Format.json:
            sys.stdout.write(json.dumps({"approved": False, "reason": str(exc)}) + "\n")
        print(f"caution: approval refused: {exc}", file=sys.stderr)
        return 1
    for note in where.notes:
        print(f"caution: {note}", file=sys.stderr)
    if output is Format.json:
        out = {
            "approved": True,
            "commit": where.head,
            "target": where.target_name,
            "by": record.approval.by,
            "email": who,
            "fingerprint": record.approval.fingerprint,
        }
        sys.stdout.write(json.dumps(out) + "\n")
        return 0
    stdout_console().print(
        f"approved {where.head[:10]} into {where.target_name} as {record.approval.by} ({who}); "
        "share it with: caution approvals sync",
        highlight=False,
        markup=False,
    )
    return 0


def _progress(message: str) -> None:
    print(f"caution: {message}", file=sys.stderr)


class _DefaultShow(TyperGroup):
    """`caution approvals REV` is `caution approvals show REV`: the command existed before
    it had subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        first = args[0] if args else None
        completing = getattr(ctx, "resilient_parsing", False)  # shell completion: leave it be
        if not completing and (
            first is None or (first not in self.commands and first not in ("--help", "-h"))
        ):
            args = ["show", *args]
        return super().parse_args(ctx, args)


approvals_app = typer.Typer(
    cls=_DefaultShow,
    help="The approvals recorded as git notes: list them (show) and share them (sync).",
)


@approvals_app.command("sync")
def sync(
    remote: str | None = typer.Option(
        None, "--remote", help="The remote to share with (default: origin, or the only one)."
    ),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> None:
    """Fetch the remote's approvals, merge them with yours (every approval kept), push.

    Safe when others approve at the same time: a push that loses the race is merged and
    retried. Each approval is verified again whenever a check uses it."""
    from caution.git.repo import require_commits
    from caution.policy.sync import sync_approvals

    repo = state.repository()
    require_commits(repo)
    result = sync_approvals(repo, remote, report=_progress)
    if output is Format.json:
        data = {"remote": result.remote, "fetched": result.fetched, "pushed": result.pushed}
        sys.stdout.write(json.dumps(data) + "\n")
        return
    pulled = "merged its approvals" if result.fetched else "it had none yet"
    pushed = "pushed yours" if result.pushed else "nothing to push"
    typer.echo(f"{result.remote}: {pulled}; {pushed}")


@approvals_app.command("show")
def approvals(
    rev: str = typer.Argument("HEAD", help="The commit whose approvals to list."),
    output: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
    target: str | None = typer.Option(
        None, "--target", help="The branch whose policy and roster apply (default branch)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy file (for the roster)."),
) -> None:
    """List the signed approvals recorded on a commit, with their verification status."""
    from caution.git.repo import require_commits, resolve
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
    reading = read_approvals(repo, settings, repository_name(repo, settings, target_sha), {sha})
    if output is Format.json:
        sys.stdout.write(json.dumps(approvals_to_json(sha, reading), indent=2) + "\n")
    else:
        render_approvals(sha, reading, stdout_console())
