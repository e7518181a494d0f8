"""The hook process as attack surface (issue items 13 and 14): files it opens, input it
reads, the time it takes, and the resident guard it trusts.

- The log and the key live in the user's state folder, opened without following links,
  non-blocking, plain files of the user only: a link or a FIFO there is refused, not
  followed or waited on.
- Oversized input is refused early, with the reason; one deadline bounds the whole hook.
- Answers from the resident guard's socket count only with the right mac: an impostor
  that answers "allow", answers with another key, or stalls, gets the action judged in
  process instead.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from caution.guard import userfiles
from caution.guard.hook import encode_request, mac, socket_path, verify_reply
from caution.user_file import FileRefusedError, read_user_file
from tests.guard.conftest import Session, stop_resident_guards


def bash(command: str, cwd: Path) -> dict[str, object]:
    return {
        "hook_event_name": "PreToolUse",
        "cwd": str(cwd),
        "tool_name": "Bash",
        "tool_input": {"command": command},
    }


# --- files ------------------------------------------------------------------------------------


def test_the_log_is_a_private_file_in_the_state_folder(
    session: Session, user_dirs: dict[str, Path]
) -> None:
    session.bash("ls")
    log = user_dirs["state"] / "caution" / "guard.log"
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["workspace"] == str(session.project) and entry["decision"] == "allow"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert not (session.project / ".caution").exists()


def test_a_link_or_fifo_at_the_log_is_neither_followed_nor_waited_on(
    session: Session, user_dirs: dict[str, Path]
) -> None:
    folder = user_dirs["state"] / "caution"
    folder.mkdir(parents=True)
    target = session.home / ".profile"
    target.write_text("# profile\n")
    (folder / "guard.log").symlink_to(target)
    assert session.bash("rm -rf ~").decision == "deny"
    assert target.read_text() == "# profile\n"
    (folder / "guard.log").unlink()
    os.mkfifo(folder / "guard.log")
    began = time.monotonic()
    assert session.bash("ls", timeout=30).decision == "allow"
    assert time.monotonic() - began < 20


def test_unsafe_user_files_are_refused() -> None:
    folder = Path(userfiles.state_dir())
    folder.mkdir(parents=True)
    key = folder / "guard.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o644)  # readable by others: not a secret any more
    assert userfiles.read_key() is None
    key.chmod(0o600)
    assert userfiles.read_key() == key.read_bytes()
    key.unlink()
    (folder / "elsewhere").write_bytes(os.urandom(32))
    (folder / "elsewhere").chmod(0o600)
    key.symlink_to(folder / "elsewhere")
    assert userfiles.read_key() is None
    with pytest.raises(FileRefusedError):
        read_user_file(key, 64, follow_symlinks=False, owner_only=True)
    os.mkfifo(folder / "fifo")
    with pytest.raises(FileRefusedError):
        read_user_file(folder / "fifo", 64, follow_symlinks=False, owner_only=True)


# --- input and time ---------------------------------------------------------------------------


def test_an_eight_megabyte_command_is_refused_at_once(session: Session) -> None:
    began = time.monotonic()
    answer = session.bash("echo " + "a" * (8 << 20))
    assert answer.decision == "deny" and "guard.too-large" in answer.reason
    assert time.monotonic() - began < 20  # it took 39 s to parse


def test_a_long_command_is_refused_with_the_reason(session: Session) -> None:
    answer = session.bash("; ".join(["ls x"] * 20000))
    assert answer.decision == "deny" and "bytes, more than the 65536" in answer.reason


def test_an_oversized_payload_is_not_read(session: Session) -> None:
    answer = session.hook("claude-code", b"{" + b" " * (17 << 20) + b"}")
    assert answer.decision == "deny" and "larger than" in answer.reason


def test_one_deadline_bounds_the_whole_hook(session: Session) -> None:
    began = time.monotonic()
    answer = session.bash("ls", env={"CAUTION_GUARD_DEADLINE": "0.1"})
    assert answer.decision == "deny"  # whichever step the deadline caught, it says so
    assert any(w in answer.reason for w in ("deadline", "in time", "did not answer within"))
    assert time.monotonic() - began < 10


def test_git_waiting_on_a_fifo_is_bounded_by_the_deadline(session: Session) -> None:
    head = session.project / ".git" / "HEAD"
    head.unlink()
    os.mkfifo(head)  # git blocks opening it
    began = time.monotonic()
    answer = session.bash("ls", env={"CAUTION_GUARD_DEADLINE": "3"})
    assert answer.decision == "deny"
    assert time.monotonic() - began < 15


# --- the resident guard's socket -------------------------------------------------------------


@pytest.fixture
def runtime(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "rt"
    monkeypatch.setenv("CAUTION_GUARD_RUNTIME_DIR", str(folder))
    session.env["CAUTION_GUARD_RUNTIME_DIR"] = str(folder)
    session.env.pop("CAUTION_GUARD_NO_DAEMON", None)
    (folder / "caution").mkdir(parents=True, mode=0o700)
    folder.joinpath("caution").chmod(0o700)
    yield Path(socket_path())
    stop_resident_guards(folder)


def _impostor(path: Path, answer: Callable[[bytes], bytes | None]) -> threading.Thread:
    """A same-user process bound at the resident guard's socket path."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(4)
    server.settimeout(30)

    def serve() -> None:
        try:
            while True:
                conn, _ = server.accept()
                request = b""
                while chunk := conn.recv(65536):
                    request += chunk
                reply = answer(request)
                if reply is None:
                    time.sleep(20)  # stall
                else:
                    conn.sendall(reply)
                conn.close()
        except OSError:
            pass
        finally:
            server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "forge",
    [
        lambda request: b"0\0\0",  # the old unauthenticated framing: "allow"
        lambda request: b"deadbeef\0" + b"0\0\0",
        lambda request: mac(os.urandom(32), request, b"0\0\0") + b"\0" + b"0\0\0",  # wrong key
        lambda request: (
            mac(userfiles.read_key() or b"", b"another request", b"0\0\0") + b"\0" + b"0\0\0"
        ),  # a real answer, to another question
    ],
)
def test_an_impostor_cannot_answer_allow(
    session: Session, runtime: Path, forge: Callable[[bytes], bytes]
) -> None:
    assert userfiles.make_key() is not None
    _impostor(runtime, forge)
    answer = session.bash("rm -rf ~")
    assert answer.decision == "deny" and "fs.rm-recursive-outside-workspace" in answer.reason


def test_a_stalling_impostor_costs_at_most_half_the_deadline(
    session: Session, runtime: Path
) -> None:
    assert userfiles.make_key() is not None
    _impostor(runtime, lambda request: None)
    began = time.monotonic()
    answer = session.bash("rm -rf ~", env={"CAUTION_GUARD_DEADLINE": "6"})
    assert answer.decision == "deny"
    assert 2.5 < time.monotonic() - began < 15  # waited 3 s, then judged here


def test_the_resident_guard_answers_with_its_mac(session: Session, runtime: Path) -> None:
    assert session.bash("git push --force origin main").decision == "deny"  # starts it
    for _ in range(200):
        if runtime.exists():
            break
        time.sleep(0.05)
    key = userfiles.read_key()
    assert key is not None and runtime.exists()
    assert stat.S_IMODE(Path(userfiles.key_path()).stat().st_mode) == 0o600
    payload = json.dumps(bash("kubectl delete ns prod", session.project)).encode()
    request = encode_request(
        "claude-code", str(session.project), str(session.home), payload, "n1", 5
    )
    client = socket.socket(socket.AF_UNIX)
    client.settimeout(10)
    client.connect(str(runtime))
    client.sendall(request)
    client.shutdown(socket.SHUT_WR)
    reply = b""
    while chunk := client.recv(65536):
        reply += chunk
    client.close()
    answered = verify_reply(key, request, reply)
    assert answered is not None
    assert "k8s.delete-namespace-or-all" in answered[0]
    assert verify_reply(os.urandom(32), request, reply) is None
    assert session.bash("kubectl delete ns prod").decision == "deny"
