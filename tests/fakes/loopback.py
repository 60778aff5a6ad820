"""A small HTTP server on 127.0.0.1 (a free port) in a thread, for the fakes of the providers:
`serve(handler)` runs `handler(request)` for every request and answers what it returns."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json;charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@contextmanager
def serve(handle: Callable[[Request], Answer]) -> Iterator[str]:
    """Serve until the block ends; yields "127.0.0.1:PORT"."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body in two writes: no 40 ms wait between

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, parts.path, parts.query,
                              {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            answer = handle(request)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
