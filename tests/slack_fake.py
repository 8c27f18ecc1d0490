"""A local fake of Slack's Web API: a real HTTP server on 127.0.0.1 that records every call.

Built from Slack's OpenAPI description (../shared/slack-spec, required arguments of each method)
and the payload shapes in ../shared/slack-payloads. It answers the methods the bot uses, checks
the token, the required arguments and Block Kit limits, serves response_url posts, and can be
told to answer 429 (with Retry-After), 500 or a Slack error for the next calls of a method.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SPEC = Path(__file__).resolve().parents[2] / "shared" / "slack-spec"
SPEC_FILE = SPEC / "slack_web_openapi_v2_without_examples.json"
SPEC_SNAPSHOT = Path(__file__).resolve().parent / "data" / "slack-required-args.json"

BOT_TOKEN = "xoxb-1111-2222-fake-test-token"
BOT_USER_ID = "UBOT0QOTD"
BOT_ID = "BQOTD0001"
TEAM_ID = "T111"
SIGNING_SECRET = "fake-signing-secret-for-tests"
# OAuth app credentials the fake's oauth.v2.access accepts.
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret-for-tests"
APP_ID = "A111"

# Methods we use that the OpenAPI snapshot predates (files v2 upload flow).
EXTRA_REQUIRED = {
    "files.getUploadURLExternal": ["filename", "length"],
    "files.completeUploadExternal": ["files"],
}


def required_args() -> dict[str, list[str]]:
    """Required arguments per Web API method, from the OpenAPI spec (or its saved snapshot)."""
    if SPEC_FILE.is_file():
        spec = json.loads(SPEC_FILE.read_text())
        found = {
            path.lstrip("/"): sorted(
                p["name"]
                for op in ops.values()
                for p in op.get("parameters", [])
                if p.get("required") and p["name"] != "token"
            )
            for path, ops in spec["paths"].items()
        }
    else:
        found = json.loads(SPEC_SNAPSHOT.read_text())
    return {**found, **EXTRA_REQUIRED}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Grant:
    """What the fake's consent screen grants: a workspace, its bot and the bot's token."""

    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    installer: str = "UINSTALL1"
    scope: str = "chat:write,commands"


@dataclass
class Fault:
    """An answer to give instead of the normal one, a number of times."""

    times: int
    status: int = 200
    error: str | None = None
    retry_after: int | None = None


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The headers Slack sends with a request body (v0 signature)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class BlockKitError(ValueError):
    """A payload Slack would refuse."""


def check_blocks(blocks: Any, *, modal: bool = False) -> None:
    """The Block Kit limits Slack enforces (a useful subset)."""
    if blocks is None:
        return
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    limit = 100 if modal else 50
    if not isinstance(blocks, list) or len(blocks) > limit:
        raise BlockKitError(f"blocks must be a list of at most {limit}")
    for block in blocks:
        kind = block.get("type")
        if kind == "section":
            text = block.get("text", {}).get("text", "")
            if not text or len(text) > 3000:
                raise BlockKitError(f"section text length {len(text)}")
        elif kind == "header":
            text = block["text"]["text"]
            if block["text"]["type"] != "plain_text" or not text or len(text) > 150:
                raise BlockKitError("header must be plain_text of 1-150 chars")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                raise BlockKitError("context needs 1-10 elements")
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                raise BlockKitError("actions needs 1-25 elements")
            for el in elements:
                if el.get("type") == "button":
                    text = el["text"]["text"]
                    if not text or len(text) > 75 or len(el.get("value", "")) > 2000:
                        raise BlockKitError("button text must be 1-75 chars")
        elif kind == "input":
            if len(block["label"]["text"]) > 2000:
                raise BlockKitError("input label too long")
        elif kind not in ("divider", "image", "rich_text"):
            raise BlockKitError(f"unknown block type {kind!r}")


def check_view(view: Any) -> None:
    """A modal or home view as Slack validates it."""
    if isinstance(view, str):
        view = json.loads(view)
    if view.get("type") not in ("modal", "home"):
        raise BlockKitError("view type must be modal or home")
    if view["type"] == "modal":
        for key in ("title", "submit", "close"):
            if key in view and len(view[key]["text"]) > 24:
                raise BlockKitError(f"modal {key} longer than 24 chars")
    if len(view.get("private_metadata", "")) > 3000:
        raise BlockKitError("private_metadata longer than 3000 chars")
    check_blocks(view.get("blocks"), modal=True)


class _Server(ThreadingHTTPServer):
    # Slack takes bursts; the default listen backlog of 5 would refuse connections under load.
    request_queue_size = 1024


class FakeSlack:
    """The fake server and its record of calls. Use as a context manager or start()/stop()."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        # Files: the length announced by files.getUploadURLExternal, and the bytes posted.
        self.upload_lengths: dict[str, int] = {}
        self.uploads: dict[str, bytes] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._required = required_args()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.add_user(BOT_USER_ID, is_bot=True)
        # Valid bot tokens and the workspace (team id, bot user id) each belongs to.
        self.tokens: dict[str, tuple[str, str]] = {BOT_TOKEN: (TEAM_ID, BOT_USER_ID)}
        self._grant: Grant | None = None
        self._codes: dict[str, Grant] = {}
        self._limits: tuple[float, Callable[[str], str], int, float] | None = None
        self._last_post: dict[str, float] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        self._outages: dict[str, list[tuple[float, Fault]]] = {}

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the Web API, to use as SLACK_API_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url served by the fake."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/response/{name}"

    def start(self) -> FakeSlack:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls --------------------------------------------------------------------
    def add_user(
        self, user_id: str, *, admin: bool = False, tz: str = "Europe/London", is_bot: bool = False
    ) -> None:
        """A person users.info knows about."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user_id.lower(),
            "is_admin": admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_bot": is_bot,
            "tz": tz,
            "tz_offset": 0,
        }

    def approve_installs(self, grant: Grant) -> None:
        """Let the consent screen (GET /oauth/v2/authorize) install the app as `grant` says."""
        with self._lock:
            self._grant = grant

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with an error instead."""
        with self._lock:
            self._faults.setdefault(method, []).append(Fault(times, status, error, retry_after))

    def fail_for(
        self,
        method: str,
        seconds: float,
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer every call of `method` with an error for the next `seconds` (an outage);
        outages queued for one method follow each other."""
        with self._lock:
            queued = self._outages.setdefault(method, [])
            start = max([time.monotonic(), *(until for until, _ in queued)])
            queued.append((start + seconds, Fault(0, status, error, retry_after)))

    def _outage(self, method: str) -> Fault | None:
        """The outage fault answering `method` now, if any. Call under lock."""
        queued = self._outages.get(method) or []
        now = time.monotonic()
        while queued and queued[0][0] <= now:
            queued.pop(0)
        return queued[0][1] if queued else None

    def limit_posts(
        self,
        *,
        channel_interval: float = 1.0,
        team_of: Callable[[str], str] = lambda channel: TEAM_ID,
        burst: int = 100,
        refill_per_second: float = 50.0,
    ) -> None:
        """Answer chat.postMessage with 429 as Slack does: about one post per second per channel,
        and a per-workspace token bucket (`burst` tokens, refilled at `refill_per_second`)."""
        self._limits = (channel_interval, team_of, burst, refill_per_second)

    def _rate_limited(self, method: str, args: dict[str, Any]) -> int | None:
        """Seconds to wait if this call is over the limits (None: go ahead). Call under lock."""
        if method != "chat.postMessage" or self._limits is None:
            return None
        interval, team_of, burst, refill = self._limits
        now = time.monotonic()
        channel = str(args.get("channel"))
        last = self._last_post.get(channel)
        if last is not None and now - last < interval:
            return max(1, round(interval - (now - last) + 0.5))
        team = team_of(channel)
        tokens, stamp = self._buckets.get(team, (float(burst), now))
        tokens = min(float(burst), tokens + (now - stamp) * refill)
        if tokens < 1:
            self._buckets[team] = (tokens, now)
            return 1
        self._buckets[team] = (tokens - 1, now)
        self._last_post[channel] = now
        return None

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until `method` was called `count` times; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    made = sorted({c.method for c in self.calls})
                    raise AssertionError(f"{method} called {len(found)}x, wanted {count}: {made}")
                self._lock.wait(left)

    def wait_for_response(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `count` response_url posts arrived."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.responses) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.responses)} responses, wanted {count}")
                self._lock.wait(left)
            return list(self.responses)

    def reset(self) -> None:
        """Forget recorded calls and responses."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    # -- the API --------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_772_441_000 + next(self._ts)}.{next(self._ts):06d}"

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "auth.test":  # the only answer that depends on whose token it is
            return self._auth_test(token)
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, "_m_" + method.replace(".", "_"), None
        )
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        missing = [a for a in self._required.get(method, []) if a not in args]
        if missing:
            return {"ok": False, "error": "invalid_arguments", "missing": missing}
        try:
            return handler(args)
        except BlockKitError as exc:
            return {"ok": False, "error": "invalid_blocks", "detail": str(exc)}

    def _auth_test(self, token: str | None) -> dict[str, Any]:
        team_id, bot_user_id = self.tokens[str(token)]
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake Team",
            "user": "qotd",
            "team_id": team_id,
            "user_id": bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _consent(self, query: dict[str, str]) -> str:
        """GET /oauth/v2/authorize: the person approves; Slack sends them to the redirect URL."""
        with self._lock:
            grant = self._grant
            code = f"code-{next(self._ts)}"
            if grant is not None:
                self._codes[code] = grant
        if grant is None or query.get("client_id") != CLIENT_ID:
            return query.get("redirect_uri", "") + "?" + urlencode({"error": "access_denied"})
        return query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})

    def _oauth_v2_access(self, args: dict[str, Any], auth: str) -> dict[str, Any]:
        """oauth.v2.access: client credentials (HTTP Basic, as slack_sdk sends them) and a code."""
        if not auth.startswith("Basic "):
            return {"ok": False, "error": "invalid_client_id"}
        client_id, _, secret = base64.b64decode(auth[len("Basic ") :]).decode().partition(":")
        if client_id != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if secret != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        with self._lock:
            grant = self._codes.pop(str(args.get("code")), None)
            if grant is not None:
                self.tokens[grant.bot_token] = (grant.team_id, grant.bot_user_id)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        # The documented shape of a bot-only install (https://api.slack.com/methods/oauth.v2.access).
        return {
            "ok": True,
            "access_token": grant.bot_token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": grant.bot_user_id,
            "app_id": APP_ID,
            "team": {"name": grant.team_name, "id": grant.team_id},
            "enterprise": None,
            "authed_user": {"id": grant.installer},
            "is_enterprise_install": False,
        }

    def _message(self, args: dict[str, Any]) -> dict[str, Any]:
        if not (args.get("text") or args.get("blocks")):
            raise BlockKitError("text or blocks is required")
        check_blocks(args.get("blocks"))
        return {"text": args.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._message(args)
        ts = self._next_ts()
        channel = str(args["channel"])
        if channel[:1] in ("U", "W"):  # posting to a person lands in the DM with them
            channel = "D" + channel[1:]
        return {"ok": True, "channel": channel, "ts": ts, "message": {**message, "ts": ts}}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._message(args)
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._message(args)
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": message["text"]}

    def _m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        check_view(args["view"])
        return {"ok": True, "view": {"id": "V" + self._next_ts().replace(".", "")}}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        check_view(args["view"])
        return {"ok": True, "view": {"id": "V" + self._next_ts().replace(".", "")}}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = "F" + self._next_ts().replace(".", "")
        host, port = self._server.server_address[:2]
        with self._lock:
            self.upload_lengths[file_id] = int(args["length"])
        return {
            "ok": True,
            "upload_url": f"http://{host!s}:{port}/upload/{file_id}",
            "file_id": file_id,
        }

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"] if isinstance(args["files"], list) else json.loads(args["files"])
        with self._lock:
            # Slack completes only files whose announced bytes all arrived at the upload_url.
            for f in files:
                data = self.uploads.get(f["id"])
                if data is None or len(data) != self.upload_lengths.get(f["id"]):
                    return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    # -- HTTP -----------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read the recorded calls instead."""

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(
                self, status: int, payload: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/oauth/v2/authorize":
                    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                    location = fake._consent(query)
                    with fake._lock:
                        fake.calls.append(Call("oauth.authorize", query, None))
                        fake._lock.notify_all()
                    self._send(302, b"", {"Location": location})
                    return
                self.do_POST()

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                raw = self._body()
                if parts.path.startswith("/response/"):
                    with fake._lock:
                        fake.responses.append(json.loads(raw or b"{}"))
                        fake._lock.notify_all()
                    self._send(200, b"ok")
                    return
                if parts.path.startswith("/upload/"):
                    file_id = parts.path[len("/upload/") :]
                    with fake._lock:
                        faults = fake._faults.get("upload") or []
                        status = 200
                        if faults:  # fail("upload", status=500): the upload_url refuses
                            status = faults[0].status
                            faults[0].times -= 1
                            if faults[0].times <= 0:
                                faults.pop(0)
                        elif file_id in fake.upload_lengths:
                            fake.uploads[file_id] = raw
                        else:
                            status = 404
                        recorded = {"file_id": file_id, "bytes": len(raw)}
                        fake.calls.append(Call("upload", recorded, None, status=status))
                        fake._lock.notify_all()
                    self._send(status, b"OK - " + str(len(raw)).encode())
                    return
                if not parts.path.startswith("/api/"):
                    self._send(404, {"ok": False, "error": "not_found"})
                    return
                method = parts.path[len("/api/") :]
                args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                ctype = self.headers.get("Content-Type", "")
                if raw and ctype.startswith("application/json"):
                    args.update(json.loads(raw))
                elif raw:
                    args.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
                token = token or args.pop("token", None)
                with fake._lock:
                    faults = fake._faults.get(method) or []
                    fault = faults[0] if faults else None
                    if fault is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            faults.pop(0)
                    elif outage := fake._outage(method):
                        fault = outage
                    elif token in fake.tokens and (wait := fake._rate_limited(method, args)):
                        fault = Fault(0, 429, "ratelimited", wait)
                headers: dict[str, str] = {}
                status = 200
                if fault is not None:
                    if fault.retry_after:
                        headers["Retry-After"] = str(fault.retry_after)
                    status = fault.status
                    error = fault.error or ("ratelimited" if status == 429 else "fatal_error")
                    answer: dict[str, Any] = {"ok": False, "error": error}
                elif method == "oauth.v2.access":  # authenticated by the app's credentials
                    answer = fake._oauth_v2_access(args, auth)
                elif token not in fake.tokens:
                    answer = {"ok": False, "error": "invalid_auth"}
                else:
                    answer = fake._answer(method, args, token)
                with fake._lock:
                    fake.calls.append(Call(method, args, token, answer, status))
                    fake._lock.notify_all()
                self._send(status, answer, headers)

        return Handler


@contextmanager
def running() -> Iterator[FakeSlack]:
    """A started fake, stopped afterwards."""
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
