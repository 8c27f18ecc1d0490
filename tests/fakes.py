"""Test doubles at the edges: a fixed clock and a recording Slack gateway."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.slack.gateway import Blocks, SlackError, UserInfo


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")

    def now(self) -> datetime:
        """The time the test set."""
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (aware)."""
        if when.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = when

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta given as keywords (minutes=5, days=1...)."""
        self._now += timedelta(**delta)
        return self._now


class RecordingGateway:
    """A SlackGateway that records every call and answers like Slack would (no network)."""

    def __init__(self, admins: frozenset[str] = frozenset()) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.admins = set(admins)
        self.fail_with: dict[str, str] = {}  # method -> Slack error code to raise once
        self.unreachable: set[str] = set()  # methods failing as if Slack were down, until removed
        self._ts = 1_772_441_000

    def _record(self, method: str, **args: Any) -> None:
        self.calls.append((method, args))
        if method in self.unreachable:
            raise SlackError(method, "connection_error: refused", transient=True)
        code = self.fail_with.pop(method, None)
        if code is not None:
            raise SlackError(method, code)

    def of(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call to `method`."""
        return [args for m, args in self.calls if m == method]

    def post_message(
        self, channel: str, text: str, blocks: Blocks | None = None, thread_ts: str | None = None
    ) -> str:
        self._record("post_message", channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
        self._ts += 1
        return f"{self._ts}.000100"

    def post_direct(self, user: str, text: str, blocks: Blocks | None = None) -> tuple[str, str]:
        # Recorded as the post it is; Slack answers with the DM channel, "D" + the user's id.
        return "D" + user[1:], self.post_message(user, text, blocks)

    def post_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: Blocks | None = None,
        thread_ts: str | None = None,
    ) -> None:
        self._record(
            "post_ephemeral", channel=channel, user=user, text=text, blocks=blocks,
            thread_ts=thread_ts,
        )  # fmt: skip

    def update_message(
        self, channel: str, ts: str, text: str, blocks: Blocks | None = None
    ) -> None:
        self._record("update_message", channel=channel, ts=ts, text=text, blocks=blocks)

    def add_reaction(self, channel: str, ts: str, name: str) -> None:
        self._record("add_reaction", channel=channel, ts=ts, name=name)

    def remove_reaction(self, channel: str, ts: str, name: str) -> None:
        self._record("remove_reaction", channel=channel, ts=ts, name=name)

    def open_view(self, trigger_id: str, view: Mapping[str, Any]) -> None:
        self._record("open_view", trigger_id=trigger_id, view=view)

    def publish_home(self, user: str, view: Mapping[str, Any]) -> None:
        self._record("publish_home", user=user, view=view)

    def user_info(self, user: str) -> UserInfo:
        self._record("user_info", user=user)
        return UserInfo(user, user in self.admins, False, "Europe/Paris")

    def respond(
        self,
        response_url: str,
        text: str,
        blocks: Blocks | None = None,
        *,
        replace_original: bool = False,
    ) -> None:
        self._record(
            "respond",
            response_url=response_url,
            text=text,
            blocks=blocks,
            replace_original=replace_original,
        )

    def upload_file(
        self,
        channel: str,
        filename: str,
        content: bytes,
        title: str,
        *,
        alt_text: str | None = None,
        initial_comment: str | None = None,
        thread_ts: str | None = None,
    ) -> None:
        self._record(
            "upload_file", channel=channel, filename=filename, content=content, title=title,
            alt_text=alt_text, initial_comment=initial_comment, thread_ts=thread_ts,
        )  # fmt: skip
