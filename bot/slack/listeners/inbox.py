"""The durable inbox at the Slack edge: record before the ack, mark when the listener finishes.

Bolt (process_before_response=False) acknowledges an event and then runs its listener on a thread
pool. A global middleware runs before the ack, so it writes down every request whose loss after
an acknowledgement would lose someone's work: Events API callbacks (answers, edits, deletions,
uninstalls) and the private-answer modal's submission. Slash commands and other interactions are
not recorded: their acknowledgement is the visible reply, and a person whose command got no
answer simply runs it again (replaying `/qotd now` minutes later could post twice).

Bolt's listener completion handler tells us when a listener finished, and a wrapped error handler
whether it failed (then the entry stays unhandled and is replayed when its lease runs out).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.listener.listener_error_handler import ListenerErrorHandler

from bot.deps import Deps
from bot.slack import blocks
from bot.usecases import inbox

log = logging.getLogger(__name__)

KEY = "inbox_key"
REPLAY = "inbox_replay"
FAILED = "inbox_failed"
MAX_KEY = 120
# A listener running longer than this is stuck, not busy: stop renewing its lease.
STUCK_AFTER_SECONDS = 300.0


def inbox_key(body: dict[str, Any]) -> str | None:
    """The inbox key of a request worth recording, or None."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return str(body["event_id"])[:MAX_KEY]
    if body.get("type") == "view_submission" and body.get("trigger_id"):
        # Every submission gets a fresh trigger_id (a resubmission after errors keeps the hash).
        view = body.get("view") or {}
        if view.get("callback_id") == blocks.ANSWER_MODAL_CALLBACK:
            return f"view:{body['trigger_id']}"[:MAX_KEY]
    return None


class InFlight:
    """Keys this process is working on, so their leases are renewed rather than replayed."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    def start(self, key: str) -> None:
        with self._lock:
            self._started[key] = time.monotonic()

    def finish(self, key: str) -> None:
        with self._lock:
            self._started.pop(key, None)

    def keys(self) -> frozenset[str]:
        """Keys still being worked on (forgetting any stuck for too long)."""
        cutoff = time.monotonic() - STUCK_AFTER_SECONDS
        with self._lock:
            for key in [k for k, t in self._started.items() if t < cutoff]:
                del self._started[key]
            return frozenset(self._started)


class _NoteFailure(ListenerErrorHandler):
    """Remember that the listener failed, then report the error as before."""

    def __init__(self, inner: ListenerErrorHandler) -> None:
        self.inner = inner

    def handle(self, error: Exception, request: BoltRequest, response: BoltResponse | None) -> None:
        request.context[FAILED] = True
        self.inner.handle(error=error, request=request, response=response)


class HandledMarks:
    """Mark finished requests handled, many in one transaction when they finish together.

    Group commit: the listener thread that finds no write under way writes every key waiting
    (its own and any that arrived meanwhile), then looks again; the others just leave their
    key and return. Under load one short transaction marks many requests, instead of one
    transaction each queueing for the database's write lock.
    """

    def __init__(self) -> None:
        self._waiting: list[str] = []
        self._guard = threading.Lock()
        self._writing = threading.Lock()

    def add(self, deps: Deps, key: str) -> None:
        with self._guard:
            self._waiting.append(key)
        while self._writing.acquire(blocking=False):
            try:
                with self._guard:
                    keys, self._waiting = self._waiting, []
                if keys:
                    inbox.mark_handled(deps, keys)
            finally:
                self._writing.release()
            with self._guard:
                if not self._waiting:
                    return  # a key left after this check is written by the thread leaving it


class _Completion(ListenerCompletionHandler):
    """Mark a recorded request handled once its listener finished without error."""

    def __init__(self, in_flight: InFlight) -> None:
        self.in_flight = in_flight
        self.marks = HandledMarks()

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        key = request.context.get(KEY)
        if key is None:
            return
        self.in_flight.finish(key)
        if request.context.get(FAILED):
            log.warning("listener for Slack request %s failed; it will be replayed", key)
            return
        self.marks.add(request.context["deps"], key)


def register(app: App) -> None:
    """Install the inbox middleware and handlers. Call after `app.error` (it wraps that)."""
    in_flight = InFlight()
    # `listener_runner` is public; Bolt's own Django adapter swaps the completion handler so.
    runner = app.listener_runner
    runner.listener_error_handler = _NoteFailure(runner.listener_error_handler)
    runner.listener_completion_handler = _Completion(in_flight)

    @app.middleware
    def durable_inbox(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        key = inbox_key(body)
        if key is None:
            return next()
        if not context.get(REPLAY):
            recorded = inbox.record(context["deps"], key, body)
            if recorded is inbox.Recorded.FAILED:
                return BoltResponse(status=503, body="")
            if recorded is inbox.Recorded.SEEN and body.get("type") == "event_callback":
                # Slack retried a request we already hold: its first run, or the replay of an
                # abandoned one, finishes it. Running it here could mark it handled unfinished.
                return BoltResponse(status=200, body="")
        context[KEY] = key
        in_flight.start(key)
        return next()


def replayer(app: App, deps: Deps) -> Callable[[], inbox.ReplayReport]:
    """One replay run for an app set up by `register`: renew leases, replay what was abandoned."""
    completion = app.listener_runner.listener_completion_handler
    if not isinstance(completion, _Completion):
        raise TypeError("the inbox is not registered on this app")
    in_flight = completion.in_flight

    def dispatch(payload: dict[str, Any]) -> bool:
        # Socket Mode requests skip the signature check: this payload was verified when received.
        request = BoltRequest(body=payload, mode="socket_mode", context={REPLAY: True})
        response = app.dispatch(request)
        return response.status == 200

    return lambda: inbox.replay_due(deps, dispatch, in_flight.keys(), reruns_after_claim)


def reruns_after_claim(payload: dict[str, Any]) -> bool:
    """Whether a replay must run this request's use case in full although its event id is claimed.

    Message events (answers, edits, deletions) grade and reply after the transaction that claims
    the event; other events do all their work in that transaction, so their claim stands.
    """
    return (payload.get("event") or {}).get("type") == "message"
