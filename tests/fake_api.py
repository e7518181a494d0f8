"""A real HTTP server on the loopback interface, in a thread, answering a forge's REST
endpoints with recorded-shape payloads; it remembers every request it was sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: int | None = None  # a Content-Length other than the body's (a cut answer)


@dataclass
class Seen:
    method: str
    path: str  # with the query string
    headers: dict[str, str]


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self.url = ""

    def answer(self, path: str, answer: Answer) -> None:
        """Answer requests for `path` (with its query string) with `answer`."""
        self.routes[path] = answer


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            api.seen.append(Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
            answer = api.routes.get(self.path) or Answer(404, {"message": "Not Found"})
            if answer.delay:
                time.sleep(answer.delay)
            body = (
                answer.body
                if isinstance(answer.body, bytes)
                else json.dumps(answer.body).encode("utf-8")
            )
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                length = len(body) if answer.length is None else answer.length
                self.send_header("Content-Length", str(length))
                for name, value in answer.headers.items():
                    self.send_header(name, value.replace("{base}", api.url))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve() -> Iterator[FakeApi]:
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
