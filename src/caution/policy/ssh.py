"""Signing and verifying approval statements with `ssh-keygen -Y` (OpenSSH ≥ 8.2).

The namespace `caution-approval` keeps a signature made for anything else
(a git commit, a file) from passing as an approval.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from caution.policy.statement import NAMESPACE


class SshError(Exception):
    pass


def _ssh_keygen(args: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["ssh-keygen", *args], input=data, capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError as exc:
        raise SshError("ssh-keygen was not found (install OpenSSH's client tools)") from exc
    except subprocess.TimeoutExpired as exc:
        raise SshError("ssh-keygen did not answer within 60 s (a passphrase prompt?)") from exc


def sign(data: bytes, key: Path) -> str:
    """An armored SSH signature of `data` with `key` in caution's namespace."""
    if not key.exists():
        raise SshError(f"{key}: no such key file")
    proc = _ssh_keygen(["-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE], data)
    if proc.returncode != 0 or b"BEGIN SSH SIGNATURE" not in proc.stdout:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SshError(f"ssh-keygen could not sign with {key}: {detail[-1] if detail else ''}")
    return proc.stdout.decode("ascii")


def verify(data: bytes, signature: str, allowed_signers: Path, principal: str) -> tuple[bool, str]:
    """(valid, ssh-keygen's word) for `signature` of `data` by `principal`."""
    if not principal or principal.startswith("-") or any(c.isspace() for c in principal):
        return False, f"bad principal {principal!r}"
    with tempfile.NamedTemporaryFile("w", suffix=".sig", delete=False) as handle:
        handle.write(signature)
        sig_path = Path(handle.name)
    try:
        proc = _ssh_keygen(
            [
                "-Y",
                "verify",
                "-f",
                str(allowed_signers),
                "-I",
                principal,
                "-n",
                NAMESPACE,
                "-s",
                str(sig_path),
            ],
            data,
        )
    finally:
        sig_path.unlink(missing_ok=True)
    words = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip().splitlines()
    return proc.returncode == 0, (words[-1] if words else f"exit code {proc.returncode}")
