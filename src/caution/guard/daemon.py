"""The resident guard process: judges hook calls sent over a Unix socket, so each hook
process stays a thin client. Started on demand by the hook; exits after 30 idle minutes;
refuses peers that are not its own user. Every answer carries a mac under the key in the
user's state folder (created here, 0600, when missing), so a hook can tell it from an
impostor's; each judgement is bounded by the budget the hook still had."""

from __future__ import annotations

import os
import socket
import socketserver
import struct
import sys
import threading
import time

from caution.guard.agents import failure
from caution.guard.hook import VERSION, mac
from caution.guard.local import judge
from caution.guard.userfiles import make_key, read_key

IDLE_SECONDS = 30 * 60


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: _Server = self.server  # type: ignore[assignment]
        server.last_used = time.monotonic()
        if not _same_user(self.request):
            return
        request = self.rfile.read()
        began = time.monotonic()
        try:
            parts = request.split(b"\0", 6)
            if len(parts) != 7 or parts[0].decode() != VERSION or not parts[5].isdigit():
                raise ValueError("a request this guard process does not understand")
            agent, cwd, home = (p.decode("utf-8", "surrogateescape") for p in parts[2:5])
            budget = int(parts[5]) / 1000
            stdout, stderr, code = judge(agent, parts[6], cwd, home, began + budget - 0.05)
        except Exception as exc:  # the reply must still be a deny
            stdout, stderr, code = failure(f"{type(exc).__name__}: {exc}")
        body = b"%d\0%s\0%s" % (
            code,
            stdout.encode("utf-8", "surrogateescape"),
            stderr.encode("utf-8", "surrogateescape"),
        )
        key = read_key()
        if key is None:
            return  # no key, no answer: the hook judges the action itself
        self.wfile.write(mac(key, request, body) + b"\0" + body)


def _same_user(connection: socket.socket) -> bool:
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return True  # not Linux: the private folder is the protection
    data = connection.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", data)
    return bool(uid == os.getuid())


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    last_used = 0.0


def serve(path: str) -> None:
    if make_key() is None:
        return  # answers nobody could check are worth nothing
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return  # another guard process already answers here
    except OSError:
        pass
    finally:
        probe.close()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    old = os.umask(0o077)
    try:
        server = _Server(path, _Handler)
    except OSError:
        return  # lost a race with another guard process: it will answer
    finally:
        os.umask(old)
    server.last_used = time.monotonic()

    def watch() -> None:
        while time.monotonic() - server.last_used < IDLE_SECONDS:
            time.sleep(10)
        server.shutdown()

    threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        try:
            os.unlink(path)
        except OSError:
            pass


if __name__ == "__main__":
    serve(sys.argv[1])
