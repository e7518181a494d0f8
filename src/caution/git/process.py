"""The one place caution starts `git`.

Every git call goes through here, so options that make output stable (no
colour, no pager, no external diff, no prompts) and the error that a failed
call raises are decided once.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from caution.git.errors import GitError

_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "color.ui=never",
    "-c",
    "log.showSignature=false",
    "-c",
    "diff.external=",
    # what a diff shows must not depend on the user's configuration: submodules always as
    # their commit ids, never hidden; hunks never merged across the lines between them
    "-c",
    "diff.ignoreSubmodules=none",
    "-c",
    "diff.submodule=short",
    "-c",
    "diff.interHunkContext=0",
    # a repository's config may name a file-system monitor program: caution runs none
    "-c",
    "core.fsmonitor=false",
)


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_PAGER"] = "cat"
    # `git replace` refs rewrite history for every command that honours them; anyone who can
    # push a ref could then show caution another history than the one that merges
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading must not take the index lock to refresh it
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def git_command(args: Sequence[str]) -> list[str]:
    return ["git", *_CONFIG, *args]


def run_git(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: bytes | None = None,
    ok_codes: tuple[int, ...] = (0,),
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> bytes:
    """Run git to completion and return its stdout; raise GitError on failure, or when it
    has not finished within `timeout` seconds (it is killed then)."""
    try:
        proc = subprocess.run(
            git_command(args),
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=_env(env),
            check=False,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise GitError("the git executable was not found on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        verb = next((a for a in args if not a.startswith("-")), "git")
        raise GitError(f"git {verb} did not answer within {timeout:.1f} s") from exc
    if proc.returncode not in ok_codes:
        raise GitError.from_stderr(args, proc.returncode, proc.stderr)
    return proc.stdout


class GitStream:
    """A running git process whose stdout is read as it arrives."""

    def __init__(self, proc: subprocess.Popen[bytes], args: Sequence[str]) -> None:
        self._proc = proc
        self.args = list(args)
        self.returncode: int | None = None
        self.stderr = b""

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        stdout = self._proc.stdout
        assert stdout is not None
        while chunk := stdout.read(size):
            yield chunk

    def finish(self) -> int:
        """Wait for git to exit; remember its exit code and stderr."""
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        assert self._proc.stderr is not None
        self.stderr = self._proc.stderr.read()
        self._proc.stderr.close()
        self.returncode = self._proc.wait()
        return self.returncode


@contextmanager
def stream_git(
    args: Sequence[str], cwd: Path, *, stdin: bytes | None = None
) -> Iterator[GitStream]:
    """Start git and stream its stdout; the process is reaped however the block ends."""
    try:
        proc = subprocess.Popen(
            git_command(args),
            cwd=cwd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
    except FileNotFoundError as exc:
        raise GitError("the git executable was not found on PATH") from exc
    if stdin is not None:
        assert proc.stdin is not None
        # git reads all of --stdin before it writes, so a plain write cannot deadlock. If git
        # dies first (a bad object among the input), the pipe breaks: its exit status and
        # stderr, reported when the stream finishes, say why; the broken pipe does not.
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    stream = GitStream(proc, args)
    try:
        yield stream
    finally:
        if proc.poll() is None:
            proc.kill()
        stream.finish()
