"""The narrow seam between use cases and Slack: a Protocol and its slack_sdk implementation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.error import HTTPError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)

Blocks = Sequence[Mapping[str, Any]]


class SlackError(Exception):
    """A Slack call failed (after retries); `code` is Slack's error string when it gave one.

    `transient` when Slack was unreachable, overloaded (5xx) or still rate limiting after the
    client's retries: the same call may well work later. Otherwise Slack refused the call itself
    (a missing channel, a bad argument), and repeating it would fail the same way.
    """

    def __init__(self, method: str, code: str, *, transient: bool = False) -> None:
        super().__init__(f"{method} failed: {code}")
        self.method = method
        self.code = code
        self.transient = transient


@dataclass(frozen=True, slots=True)
class UserInfo:
    """What we need to know about a person: admin rights and timezone (never stored)."""

    user_id: str
    is_admin: bool
    is_bot: bool
    timezone: str | None


class SlackGateway(Protocol):
    """Everything the use cases ask of Slack, for one workspace."""

    def post_message(
        self, channel: str, text: str, blocks: Blocks | None = None, thread_ts: str | None = None
    ) -> str:
        """Post a message; return its ts."""
        ...

    def post_direct(self, user: str, text: str, blocks: Blocks | None = None) -> tuple[str, str]:
        """DM `user`; return (DM channel id, ts): chat.update needs the channel, not the user."""
        ...

    def post_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: Blocks | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Show a message only `user` can see."""
        ...

    def update_message(
        self, channel: str, ts: str, text: str, blocks: Blocks | None = None
    ) -> None:
        """Replace the text and blocks of a message the bot posted."""
        ...

    def add_reaction(self, channel: str, ts: str, name: str) -> None:
        """React to a message with the emoji `name`."""
        ...

    def remove_reaction(self, channel: str, ts: str, name: str) -> None:
        """Take the bot's reaction `name` off a message."""
        ...

    def open_view(self, trigger_id: str, view: Mapping[str, Any]) -> None:
        """Open a modal."""
        ...

    def publish_home(self, user: str, view: Mapping[str, Any]) -> None:
        """Publish a person's App Home tab."""
        ...

    def user_info(self, user: str) -> UserInfo:
        """Admin rights and timezone of a person."""
        ...

    def respond(
        self,
        response_url: str,
        text: str,
        blocks: Blocks | None = None,
        *,
        replace_original: bool = False,
    ) -> None:
        """Answer a slash command or action privately through its response_url (or, for a
        button, replace the private message it was on)."""
        ...

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
        """Share a file in a channel (or a thread) with Slack's external upload flow."""
        ...


def make_web_client(token: str | None, base_url: str) -> WebClient:
    """A WebClient on `base_url` that waits out 429s and retries connection and 5xx errors."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class WebClientGateway:
    """SlackGateway over slack_sdk's WebClient."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def _call(self, method: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**{k: v for k, v in kwargs.items() if v is not None})
        except SlackApiError as exc:
            code = (
                str(exc.response.get("error", "unknown_error")) if exc.response else "no_response"
            )
            status = exc.response.status_code if exc.response else 0
            transient = status >= 500 or status == 429 or code == "ratelimited"
            raise SlackError(method, code, transient=transient) from exc
        except OSError as exc:  # connection refused, timeouts after retries
            raise SlackError(method, f"connection_error: {exc}", transient=True) from exc

    def post_message(
        self, channel: str, text: str, blocks: Blocks | None = None, thread_ts: str | None = None
    ) -> str:
        """Post a message; return its ts."""
        response = self._call(
            "chat.postMessage",
            self._client.chat_postMessage,
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["ts"])

    def post_direct(self, user: str, text: str, blocks: Blocks | None = None) -> tuple[str, str]:
        """DM `user`; return (the DM channel id Slack answered with, ts)."""
        response = self._call(
            "chat.postMessage",
            self._client.chat_postMessage,
            channel=user,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["channel"]), str(response["ts"])

    def post_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: Blocks | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Show a message only `user` can see."""
        self._call(
            "chat.postEphemeral",
            self._client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
        )

    def update_message(
        self, channel: str, ts: str, text: str, blocks: Blocks | None = None
    ) -> None:
        """Replace the text and blocks of a message the bot posted."""
        self._call(
            "chat.update",
            self._client.chat_update,
            channel=channel,
            ts=ts,
            text=text,
            blocks=blocks,
        )

    def add_reaction(self, channel: str, ts: str, name: str) -> None:
        """React to a message; reacting twice is not an error."""
        add = self._client.reactions_add
        self._react("reactions.add", add, channel, ts, name, {"already_reacted"})

    def remove_reaction(self, channel: str, ts: str, name: str) -> None:
        """Take the bot's reaction off a message; a missing reaction is not an error."""
        harmless = {"no_reaction", "message_not_found"}
        remove = self._client.reactions_remove
        self._react("reactions.remove", remove, channel, ts, name, harmless)

    def _react(
        self,
        method: str,
        fn: Callable[..., Any],
        channel: str,
        ts: str,
        name: str,
        harmless: set[str],
    ) -> None:
        try:
            self._call(method, fn, channel=channel, timestamp=ts, name=name)
        except SlackError as exc:
            if exc.code not in harmless:
                raise

    def open_view(self, trigger_id: str, view: Mapping[str, Any]) -> None:
        """Open a modal."""
        self._call("views.open", self._client.views_open, trigger_id=trigger_id, view=view)

    def publish_home(self, user: str, view: Mapping[str, Any]) -> None:
        """Publish a person's App Home tab."""
        self._call("views.publish", self._client.views_publish, user_id=user, view=view)

    def user_info(self, user: str) -> UserInfo:
        """Admin rights and timezone of a person."""
        response = self._call("users.info", self._client.users_info, user=user)
        data = response["user"]
        return UserInfo(
            user_id=user,
            is_admin=bool(
                data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")
            ),
            is_bot=bool(data.get("is_bot")),
            timezone=data.get("tz"),
        )

    def respond(
        self,
        response_url: str,
        text: str,
        blocks: Blocks | None = None,
        *,
        replace_original: bool = False,
    ) -> None:
        """Answer privately through a response_url (ephemeral by default)."""
        webhook = WebhookClient(
            response_url, timeout=10, retry_handlers=self._client.retry_handlers
        )
        try:
            result = webhook.send(
                text=text,
                blocks=[dict(b) for b in blocks or ()],
                response_type="ephemeral",
                replace_original=replace_original or None,
            )
        except OSError as exc:
            raise SlackError("response_url", f"connection_error: {exc}") from exc
        if result.status_code >= 400:
            raise SlackError("response_url", f"http_{result.status_code}")

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
        """files.getUploadURLExternal, POST the bytes, files.completeUploadExternal (v2 flow).

        slack_sdk's files_upload_v2 calls both Web API methods on the client's base_url (with its
        retry handlers) and posts the bytes to the absolute upload_url Slack hands out.
        """
        try:
            self._call(
                "files.upload_v2",
                self._client.files_upload_v2,
                channel=channel,
                filename=filename,
                content=content,
                title=title,
                alt_txt=alt_text,
                initial_comment=initial_comment,
                thread_ts=thread_ts,
            )
        except SlackError as exc:
            if isinstance(exc.__cause__, HTTPError):  # the upload_url refused the bytes
                code = f"upload_failed: http_{exc.__cause__.code}"
                raise SlackError("files.upload_v2", code) from exc.__cause__
            raise
        except SlackRequestError as exc:  # the upload_url answered something other than 200
            raise SlackError("files.upload_v2", f"upload_failed: {exc}") from exc
