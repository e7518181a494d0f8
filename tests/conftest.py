"""Test fixtures: real repositories built with the git executable in temporary
directories, with git's global and system configuration shut out."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

AUTHOR = ("Alice Example", "alice@example.com")
_clock = [1_767_225_600]


def _isolate(home: Path) -> None:
    os.environ["HOME"] = str(home)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["GIT_CONFIG_GLOBAL"] = str(home / ".gitconfig")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.com\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
        "[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n"
        '[protocol "file"]\n\tallow = always\n',
        encoding="utf-8",
    )
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "NO_COLOR", "XDG_CACHE_HOME"):
        os.environ.pop(name, None)


@pytest.fixture(autouse=True, scope="session")
def _isolated_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = dict(os.environ)
    _isolate(tmp_path_factory.mktemp("home"))
    yield
    os.environ.clear()
    os.environ.update(saved)


class Repo:
    """A real repository in a temporary directory, driven through the git executable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def init(cls, path: Path, *args: str) -> Repo:
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", *args, str(path)], check=True)
        return cls(path)

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **(env or {})},
            input=input,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
        return proc.stdout.decode("utf-8", "replace").strip()

    def write(self, name: str | bytes, content: str | bytes) -> None:
        target = Path(os.fsdecode(name)) if isinstance(name, bytes) else Path(name)
        full = self.path / target
        full.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        full.write_bytes(content)

    def commit(
        self,
        message: str | bytes = "change",
        files: dict[str, str | bytes] | None = None,
        *,
        author: tuple[str, str] = AUTHOR,
        committer: tuple[str, str] | None = None,
        allow_empty: bool = True,
    ) -> str:
        for name, content in (files or {}).items():
            self.write(name, content)
        if files:
            self.git("add", "-A")
        committer = committer or author
        _clock[0] += 60
        when = f"{_clock[0]} +0100"
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
        raw = message.encode("utf-8") if isinstance(message, str) else message
        args = ["commit", "-q", "--cleanup=verbatim", "-F", "-"]
        if allow_empty:
            args.append("--allow-empty")
        self.git(*args, env=env, input=raw)
        return self.git("rev-parse", "HEAD")

    def note(self, ref: str, sha: str, text: str) -> None:
        self.git("notes", f"--ref={ref}", "add", "-f", "-F", "-", sha, input=text.encode())


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo.init(tmp_path / "repo")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `caution ARGS` in process: (exit code, stdout, stderr)."""
    from caution.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err
