"""The HTTP front door: Bolt's WSGI adapter at /slack/events, /healthz, served by waitress.

waitress is a production WSGI server in pure Python: multi-threaded, no fork, so the in-process
scheduler keeps running beside it in one process (unlike pre-fork servers such as gunicorn).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class Router:
    """Send Slack's requests to Bolt and answer health checks."""

    def __init__(self, app: App, healthy: Callable[[], bool]) -> None:
        self._slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self._healthy = healthy

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = self._healthy()
            body = b"ok\n" if ok else b"database unavailable\n"
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return self._slack(environ, start_response)


def make_server(
    app: Router,
    host: str = "0.0.0.0",
    port: int = 0,
    threads: int = 16,
    sock: socket.socket | None = None,
) -> Any:
    """A waitress server on host:port (0 picks a free one: see .effective_port) or on `sock`."""
    where: dict[str, Any] = (
        {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    )
    return create_server(
        app,
        **where,
        threads=threads,
        ident="qotd",
        # Slack's requests are small; refuse anything absurd before Bolt parses it.
        max_request_body_size=1_048_576,
        channel_timeout=30,
        connection_limit=1000,
        backlog=1024,
    )
