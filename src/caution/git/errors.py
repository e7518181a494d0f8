"""Errors the git layer raises, worded for the person at the terminal."""

from __future__ import annotations

from collections.abc import Sequence


class GitError(Exception):
    """git failed, or the repository cannot answer the question asked of it."""

    @classmethod
    def from_stderr(cls, args: Sequence[str], code: int, stderr: bytes) -> GitError:
        text = stderr.decode("utf-8", "replace").strip()
        lines = [line for line in text.splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal: ", "error: "))]
        detail = fatal[0] if fatal else lines[-1] if lines else f"exit code {code}"
        for prefix in ("fatal: ", "error: "):
            if detail.startswith(prefix):
                detail = detail[len(prefix) :]
        words = list(args)
        while len(words) >= 2 and words[0] == "-c":
            words = words[2:]  # `-c key=value` pairs come before the verb
        verb = next((a for a in words if not a.startswith("-")), "git")
        return cls(f"git {verb} failed: {detail}")
