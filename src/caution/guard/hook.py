"""`caution guard hook --agent NAME`: the process an agent starts before each action.

Kept lean: it imports only os, sys and the C socket module (no json, no enum: each
import costs every agent action milliseconds), and asks the resident guard process
(`daemon.py`) over a Unix socket in a private folder, with a plain framing:
request `VERSION\0agent\0cwd\0home\0payload`; reply `exit\0stdout\0stderr`. When that
process is absent it judges the action itself (importing the parser and the rules,
tens of milliseconds) and starts one for the next call. Whatever goes wrong, the answer
is a deny the agent understands: a guard that crashes must not let a command through.
"""

from __future__ import annotations

import _socket
import os
import sys

VERSION = "0.1.0"
TIMEOUT = 5.0


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


def _private(folder: str) -> bool:
    """The folder is ours and nobody else's: never talk to a socket another user planted."""
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return info.st_uid == os.getuid() and (info.st_mode & 0o077) == 0


def encode_request(agent: str, cwd: str, home: str, payload: bytes) -> bytes:
    head = "\0".join((VERSION, agent, cwd, home)).encode("utf-8", "surrogateescape")
    return head + b"\0" + payload


def decode_reply(data: bytes) -> tuple[str, str, int] | None:
    parts = data.split(b"\0", 2)
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return parts[1].decode("utf-8", "replace"), parts[2].decode("utf-8", "replace"), int(parts[0])


def _ask_daemon(request: bytes) -> tuple[str, str, int] | None:
    if os.environ.get("CAUTION_GUARD_NO_DAEMON") or not _private(runtime_dir()):
        return None
    client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    client.settimeout(TIMEOUT)
    try:
        client.connect(socket_path())
        client.sendall(request)
        client.shutdown(_socket.SHUT_WR)
        chunks = []
        while chunk := client.recv(65536):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        client.close()
    return decode_reply(b"".join(chunks))


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


def run(argv: list[str], payload: bytes) -> tuple[str, str, int]:
    agent = None
    for index, arg in enumerate(argv):
        if arg == "--agent" and index + 1 < len(argv):
            agent = argv[index + 1]
        elif arg.startswith("--agent="):
            agent = arg.split("=", 1)[1]
    if not agent:
        return _deny("caution guard hook needs --agent claude-code|codex|cursor|gemini|copilot")
    cwd = os.getcwd()
    home = os.environ.get("HOME", "/")
    reply = _ask_daemon(encode_request(agent, cwd, home, payload))
    if reply is not None:
        return reply
    from caution.guard.local import judge

    result = judge(agent, payload, cwd, home)
    if not os.environ.get("CAUTION_GUARD_NO_DAEMON"):
        _start_daemon()
    return result


def main(argv: list[str]) -> int:
    try:
        payload = sys.stdin.buffer.read()
        stdout, stderr, code = run(argv, payload)
    except BaseException as exc:  # fail closed, whatever happened
        stdout, stderr, code = _deny(f"{type(exc).__name__}: {exc}")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    sys.stdout.flush()
    return code
