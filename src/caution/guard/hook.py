"""`caution guard hook --agent NAME`: the process an agent starts before each action.

Kept lean: it imports only os, sys, time and C modules (no json, no enum: each import
costs every agent action milliseconds), and asks the resident guard process (`daemon.py`)
over a Unix socket in a private folder, with a plain framing:
request `VERSION\\0nonce\\0agent\\0start\\0home\\0budget_ms\\0payload`;
reply `mac\\0exit\\0stdout\\0stderr`, where `mac` is a keyed BLAKE2b of the request and
the reply under the key in the user's state folder (`userfiles.py`). Any process of the
same user can bind a socket; only the resident guard knows the key, so an answer without
the right mac (an impostor's "allow") is thrown away and the action judged here.

The whole hook runs under one deadline (`CAUTION_GUARD_DEADLINE` seconds, 1 by default):
the wait for the resident guard takes at most half of it, the judgement here the rest,
and an alarm ends whatever is left with a deny. When the resident guard is absent the hook
judges the action itself (importing the parser and the rules, tens of milliseconds) and
starts one for the next call. Whatever goes wrong, the answer is a deny the agent
understands: a guard that crashes must not let a command through.
"""

from __future__ import annotations

import _socket
import os
import sys
import time

VERSION = "0.2.0"
DEADLINE = 1.0  # seconds for the whole hook, unless CAUTION_GUARD_DEADLINE says otherwise
MAX_PAYLOAD = 16 << 20  # bytes read from the agent; more is refused unread
PROJECT_VARIABLES = ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR")


class DeadlineError(Exception):
    """The hook's deadline passed before it had an answer."""


def runtime_dir() -> str:
    base = os.environ.get("CAUTION_GUARD_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return os.path.join(base, "caution")
    return os.path.join("/tmp", f"caution-{os.getuid()}")


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
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - CPython always builds it
        from hashlib import blake2b
    digest = blake2b(key=key, digest_size=32)
    digest.update(len(request).to_bytes(8, "big"))
    digest.update(request)
    digest.update(body)
    return digest.hexdigest().encode()


def _same(a: bytes, b: bytes) -> bool:
    from _operator import _compare_digest

    return bool(_compare_digest(a, b))


def encode_request(
    agent: str, cwd: str, home: str, payload: bytes, nonce: str = "", budget: float = DEADLINE
) -> bytes:
    fields = (VERSION, nonce, agent, cwd, home, str(int(budget * 1000)))
    head = "\0".join(fields).encode("utf-8", "surrogateescape")
    return head + b"\0" + payload


def decode_reply(data: bytes) -> tuple[str, str, int] | None:
    parts = data.split(b"\0", 2)
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return parts[1].decode("utf-8", "replace"), parts[2].decode("utf-8", "replace"), int(parts[0])


def verify_reply(key: bytes, request: bytes, data: bytes) -> tuple[str, str, int] | None:
    """The reply when its mac proves the resident guard wrote it for this request."""
    tag, _, body = data.partition(b"\0")
    if not tag or not _same(tag, mac(key, request, body)):
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


def _start_daemon() -> None:
    import subprocess  # only on the slow path

    folder = runtime_dir()
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not _private(folder):
            return
        subprocess.Popen(
            [sys.executable, "-m", "caution.guard.daemon", socket_path()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass


def _deny(reason: str) -> tuple[str, str, int]:
    return "", f"caution guard could not judge this action, so it is denied: {reason}\n", 2


def _start_dir() -> str:
    """Where the session started: the project folder the agent names for its hooks, else
    the folder it started the hook in."""
    for name in PROJECT_VARIABLES:
        value = os.environ.get(name)
        if value and os.path.isabs(value) and os.path.isdir(value):
            return value
    return os.getcwd()


def _alarm(_signum: int, _frame: object) -> None:
    raise DeadlineError


def _timer(seconds: float) -> bool:
    """An alarm in `seconds` that raises DeadlineError (0 cancels it). False where there
    are no alarms (not the main thread, not POSIX): the judge's own deadline still holds."""
    try:
        import _signal  # type: ignore[import-not-found]  # `signal` would import enum

        if seconds:
            _signal.signal(_signal.SIGALRM, _alarm)
        _signal.setitimer(_signal.ITIMER_REAL, seconds)
    except (ImportError, AttributeError, ValueError, OSError):
        return False
    return True


def run(argv: list[str], payload: bytes, began: float | None = None) -> tuple[str, str, int]:
    began = time.monotonic() if began is None else began
    budget = deadline_seconds()
    end = began + budget
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
    from caution.guard.userfiles import read_key

    key = read_key(home)
    if key is not None:
        nonce = os.urandom(16).hex()
        request = encode_request(agent, start, home, payload, nonce, end - time.monotonic())
        reply = _ask_daemon(request, key, began + budget / 2)
        if reply is not None:
            return reply
    armed = _timer(max(0.001, end - time.monotonic()))
    try:
        from caution.guard.local import judge

        result = judge(agent, payload, start, home, end - 0.05)
    finally:
        if armed:
            _timer(0)
    if not os.environ.get("CAUTION_GUARD_NO_DAEMON"):
        _start_daemon()
    return result


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
