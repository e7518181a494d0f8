"""`caution guard hook --agent NAME`: the process an agent starts before each action.

Kept lean (each import and each line compiled costs every agent action): os, sys, time
and C modules only. It asks the resident guard (`daemon.py`) over a Unix socket in a
private folder: request `VERSION\\0nonce\\0agent\\0start\\0home\\0budget_ms\\0payload`,
reply `mac\\0exit\\0stdout\\0stderr`, the mac a keyed BLAKE2b of request and reply under
the key in the user's state folder. Any process of the user can bind a socket; only the
resident guard knows the key, so an answer without the right mac is thrown away. The
wait takes at most half of the hook's deadline (`CAUTION_GUARD_DEADLINE`, 1 s); then
`fallback.py` judges the action here, under an alarm for the rest. Whatever goes wrong,
the answer is a deny the agent understands.
"""

from __future__ import annotations

import _socket
import os
import sys
import time

VERSION = "0.2.0"
DEADLINE = 1.0  # seconds for the whole hook, unless CAUTION_GUARD_DEADLINE says otherwise
MAX_PAYLOAD = 16 << 20  # bytes read from the agent; more is refused unread
KEY_BYTES = 32


class DeadlineError(Exception):
    """The hook's deadline passed before it had an answer."""


def runtime_dir() -> str:
    base = os.environ.get("CAUTION_GUARD_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return os.path.join(base, "caution")
    return os.path.join("/tmp", f"caution-{os.getuid()}")


def state_dir(home: str | None = None) -> str:
    """`$XDG_STATE_HOME/caution`, default `~/.local/state/caution`: the log and the key."""
    base = os.environ.get("XDG_STATE_HOME")
    if not base or not base.startswith("/"):
        home = home or os.environ.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".local", "state")
    return os.path.join(base, "caution")


def read_key(home: str | None = None) -> bytes | None:
    """The resident guard's key: a plain 0600 file of this user, never through a link."""
    path = os.path.join(state_dir(home), "guard.key")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if info.st_mode & 0o170077 != 0o100000 or info.st_uid != os.getuid():
            return None  # not a regular file, readable by others, or not ours
        key = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == KEY_BYTES else None


def build_id() -> str:
    """The version and the newest modification time of the guard's code and rules: an
    upgraded or edited guard never talks to a resident process still running old code."""
    here = os.path.dirname(os.path.abspath(__file__))
    newest = 0
    for folder in (here, os.path.join(os.path.dirname(here), "data", "guard")):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    newest = max(newest, entry.stat().st_mtime_ns)
        except OSError:
            pass
    return f"{VERSION}-{newest:x}"


def socket_path() -> str:
    return os.path.join(runtime_dir(), f"guard-{build_id()}.sock")


def deadline_seconds() -> float:
    try:
        value = float(os.environ.get("CAUTION_GUARD_DEADLINE") or DEADLINE)
    except ValueError:
        return DEADLINE
    return min(max(value, 0.1), 60.0)


def _private(folder: str) -> bool:
    """The folder is ours and nobody else's: never talk to a socket another user planted."""
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0


def mac(key: bytes, request: bytes, body: bytes) -> bytes:
    """The authentication of a reply `body` to `request`: keyed BLAKE2b (a MAC by design)."""
    from _blake2 import blake2b

    digest = blake2b(key=key, digest_size=32)
    digest.update(len(request).to_bytes(8, "big"))
    digest.update(request)
    digest.update(body)
    return digest.hexdigest().encode()


def encode_request(
    agent: str, cwd: str, home: str, payload: bytes, nonce: str = "", budget: float = DEADLINE
) -> bytes:
    fields = (VERSION, nonce, agent, cwd, home, str(int(budget * 1000)))
    return "\0".join(fields).encode("utf-8", "surrogateescape") + b"\0" + payload


def decode_reply(data: bytes) -> tuple[str, str, int] | None:
    parts = data.split(b"\0", 2)
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return parts[1].decode("utf-8", "replace"), parts[2].decode("utf-8", "replace"), int(parts[0])


def verify_reply(key: bytes, request: bytes, data: bytes) -> tuple[str, str, int] | None:
    """The reply when its mac proves the resident guard wrote it for this request."""
    from _operator import _compare_digest

    tag, _, body = data.partition(b"\0")
    if not tag or not _compare_digest(tag, mac(key, request, body)):
        return None
    return decode_reply(body)


def _ask_daemon(request: bytes, key: bytes, until: float) -> tuple[str, str, int] | None:
    if os.environ.get("CAUTION_GUARD_NO_DAEMON") or not _private(runtime_dir()):
        return None
    client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    chunks = []
    try:
        client.settimeout(max(0.001, until - time.monotonic()))
        client.connect(socket_path())
        client.sendall(request)
        client.shutdown(_socket.SHUT_WR)
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return None  # a stalling answer: judged here instead
            client.settimeout(left)
            chunk = client.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        client.close()
    return verify_reply(key, request, b"".join(chunks))


def _deny(reason: str) -> tuple[str, str, int]:  # agents.failure, without importing it
    return "", f"caution guard could not judge this action, so it is denied: {reason}\n", 2


def _start_dir() -> str:
    """Where the session started: the project folder the agent names for its hooks, else
    the folder it started the hook in."""
    for name in ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR"):
        value = os.environ.get(name)
        if value and value.startswith("/") and os.path.isdir(value):
            return value
    return os.getcwd()


def run(argv: list[str], payload: bytes, began: float | None = None) -> tuple[str, str, int]:
    began = time.monotonic() if began is None else began
    budget = deadline_seconds()
    agent = None
    for index, arg in enumerate(argv):
        if arg == "--agent" and index + 1 < len(argv):
            agent = argv[index + 1]
        elif arg.startswith("--agent="):
            agent = arg.split("=", 1)[1]
    if not agent:
        return _deny("caution guard hook needs --agent claude-code|codex|cursor|gemini|copilot")
    if len(payload) > MAX_PAYLOAD:
        return _deny(f"the hook payload is larger than {MAX_PAYLOAD} bytes")
    start = _start_dir()
    home = os.environ.get("HOME", "/")
    key = read_key(home)
    if key is not None:
        left = began + budget - time.monotonic()
        request = encode_request(agent, start, home, payload, os.urandom(16).hex(), left)
        reply = _ask_daemon(request, key, began + budget / 2)
        if reply is not None:
            return reply
    from caution.guard.fallback import judge_here

    return judge_here(agent, payload, start, home, began + budget)


def main(argv: list[str]) -> int:
    began = time.monotonic()
    try:
        payload = sys.stdin.buffer.read(MAX_PAYLOAD + 1)
        stdout, stderr, code = run(argv, payload, began)
    except DeadlineError:
        stdout, stderr, code = _deny(
            f"no answer within the guard's deadline ({deadline_seconds():g} s)"
        )
    except BaseException as exc:  # fail closed, whatever happened
        stdout, stderr, code = _deny(f"{type(exc).__name__}: {exc}")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    sys.stdout.flush()
    return code
