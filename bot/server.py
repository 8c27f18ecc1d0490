"""The HTTP front door: Bolt's WSGI adapter at /slack/events, /healthz, served by waitress.

waitress is a production WSGI server in pure Python: multi-threaded, no fork, so the in-process
scheduler keeps running beside it in one process (unlike pre-fork servers such as gunicorn).
"""

from __future__ import annotations

import logging
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


def make_server(app: Router, host: str, port: int, threads: int = 16) -> Any:
    """A waitress server bound to host:port (port 0 picks a free one: see .effective_port)."""
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="qotd",
        # Slack's requests are small; refuse anything absurd before Bolt parses it.
        max_request_body_size=1_048_576,
        channel_timeout=30,
        connection_limit=1000,
        backlog=1024,
    )
