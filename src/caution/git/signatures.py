"""Commit signatures, as git verifies them: SSH signatures checked against an
allowed-signers file the caller names (never one the repository or the commit brings).

git verifies through `ssh-keygen -Y find-principals` and `-Y verify`; `%G?` is `G` only
when the signature is good and its key belongs to a principal of the file. Anything else
(no signature, a bad one, a key the file does not list, a GPG signature) is not `G`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caution.git.errors import GitError
from caution.git.process import run_git


@dataclass(frozen=True)
class CommitSignature:
    commit: str
    status: str  # git's %G?: G good, B bad, U unknown key, N none, E cannot check, …
    principal: str  # the allowed-signers principal for a good signature
    key: str  # the signing key's fingerprint

    @property
    def trusted(self) -> bool:
        return self.status == "G" and bool(self.principal)


def commit_signature(repo: Path, commit: str, allowed_signers: Path) -> CommitSignature:
    """How `commit`'s signature verifies against `allowed_signers` (an absolute path)."""
    out = run_git(
        [
            "-c",
            f"gpg.ssh.allowedSignersFile={allowed_signers}",
            "log",
            "-1",
            "--no-walk",
            "--format=%G?%x00%GS%x00%GK",
            "--end-of-options",
            commit,
        ],
        repo,
    )
    fields = out.decode("utf-8", "replace").rstrip("\n").split("\0")
    if len(fields) != 3:
        raise GitError(f"git log gave no signature status for {commit[:10]}")
    status, principal, key = fields
    return CommitSignature(commit, status.strip() or "N", principal.strip(), key.strip())


__all__ = ["CommitSignature", "commit_signature"]
