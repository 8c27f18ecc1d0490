"""The durable inbox's decisions: record, lease, renew, replay once, give up, prune."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db import inbox_queries, queries
from bot.db.engine import make_engine
from bot.db.models import InboxEvent, ProcessedEvent
from bot.deps import Deps
from bot.slack.listeners import inbox as inbox_listener
from bot.usecases import inbox
from tests.fakes import FixedClock


def payload(event_id: str) -> dict[str, Any]:
    return {"type": "event_callback", "event_id": event_id, "event": {"type": "message"}}


class Dispatcher:
    """Records what would be handed to the listeners again."""

    def __init__(self, accept: bool = True) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.accept = accept

    def __call__(self, body: dict[str, Any]) -> bool:
        self.payloads.append(body)
        return self.accept


def replay(
    deps: Deps, dispatch: Dispatcher, in_flight: frozenset[str] = frozenset()
) -> inbox.ReplayReport:
    """A replay run in which message events are run in full again (as the Slack edge decides)."""
    return inbox.replay_due(
        deps, dispatch, in_flight, lambda body: body["event"]["type"] == "message"
    )


def entry(deps: Deps, key: str) -> InboxEvent:
    with deps.session_factory() as s:
        found = s.get(InboxEvent, key)
        assert found is not None
        return found


def test_a_recorded_request_is_kept_with_its_payload_and_a_lease(
    deps: Deps, clock: FixedClock
) -> None:
    assert inbox.record(deps, "Ev1", payload("Ev1")) is inbox.Recorded.NEW
    # Slack's retry: nothing changes, and the caller knows not to run it again.
    assert inbox.record(deps, "Ev1", {"changed": True}) is inbox.Recorded.SEEN
    row = entry(deps, "Ev1")
    assert row.payload == payload("Ev1")
    assert row.received_at == clock.now()
    assert row.lease_until == clock.now() + inbox.LEASE
    assert row.handled_at is None
    assert row.attempts == 0


def test_recording_fails_softly_when_the_database_is_unreachable(deps: Deps) -> None:
    # A server that refuses connections: what the middleware sees while PostgreSQL restarts.
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    broken = replace(deps, session_factory=sessionmaker(engine))
    assert inbox.record(broken, "Ev1", payload("Ev1")) is inbox.Recorded.FAILED
    engine.dispose()


def test_a_handled_request_is_never_replayed(deps: Deps, clock: FixedClock) -> None:
    inbox.record(deps, "Ev1", payload("Ev1"))
    inbox.mark_handled(deps, ["Ev1"])
    clock.advance(minutes=10)
    dispatch = Dispatcher()
    assert replay(deps, dispatch).replayed == []
    assert dispatch.payloads == []
    assert entry(deps, "Ev1").handled_at is not None


def test_an_abandoned_request_is_replayed_once_its_lease_ends_with_its_claim_released(
    deps: Deps, clock: FixedClock
) -> None:
    inbox.record(deps, "Ev1", payload("Ev1"))
    with deps.session_factory.begin() as s:
        assert queries.claim_event(s, "Ev1", clock.now())  # the crash came after the claim
    dispatch = Dispatcher()
    assert replay(deps, dispatch).replayed == []  # still leased
    clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    report = replay(deps, dispatch)
    assert report.replayed == ["Ev1"]
    assert dispatch.payloads == [payload("Ev1")]
    with deps.session_factory() as s:
        assert s.get(ProcessedEvent, "Ev1") is None  # the use case will run in full
    row = entry(deps, "Ev1")
    assert row.attempts == 1
    assert row.lease_until == clock.now() + inbox.LEASE
    # The replay holds a fresh lease: the next run leaves it to the listener.
    assert replay(deps, dispatch).replayed == []
    assert len(dispatch.payloads) == 1


def test_a_replayed_event_that_works_inside_its_claim_keeps_the_claim(
    deps: Deps, clock: FixedClock
) -> None:
    uninstall = {"type": "event_callback", "event_id": "Ev9", "event": {"type": "app_uninstalled"}}
    inbox.record(deps, "Ev9", uninstall)
    with deps.session_factory.begin() as s:
        queries.claim_event(s, "Ev9", clock.now())  # its work committed with the claim
    clock.advance(minutes=1)
    dispatch = Dispatcher()
    assert replay(deps, dispatch).replayed == ["Ev9"]
    with deps.session_factory() as s:
        assert s.get(ProcessedEvent, "Ev9") is not None  # the replay will change nothing


def test_a_live_process_renews_the_leases_of_what_it_is_still_working_on(
    deps: Deps, clock: FixedClock
) -> None:
    inbox.record(deps, "Ev1", payload("Ev1"))
    inbox.record(deps, "Ev2", payload("Ev2"))
    dispatch = Dispatcher()
    for _ in range(5):
        clock.advance(seconds=20)
        replay(deps, dispatch, frozenset({"Ev1"}))
    replayed = {p["event_id"] for p in dispatch.payloads}
    assert replayed == {"Ev2"}  # abandoned (never marked handled): replayed as its lease ends
    assert entry(deps, "Ev1").lease_until == clock.now() + inbox.LEASE
    assert entry(deps, "Ev1").attempts == 0


def test_only_one_process_takes_a_due_entry(deps: Deps, clock: FixedClock) -> None:
    inbox.record(deps, "Ev1", payload("Ev1"))
    now = clock.advance(minutes=1)
    with deps.session_factory.begin() as s:
        first = inbox_queries.take(s, "Ev1", now, now + inbox.LEASE)
    with deps.session_factory.begin() as s:
        second = inbox_queries.take(s, "Ev1", now, now + inbox.LEASE)
    assert first is not None
    assert (first.attempts, first.payload) == (1, payload("Ev1"))
    assert second is None


def test_a_request_that_keeps_failing_is_given_up_after_a_few_replays(
    deps: Deps, clock: FixedClock
) -> None:
    inbox.record(deps, "Ev1", payload("Ev1"))
    dispatch = Dispatcher(accept=False)
    given_up: list[str] = []
    for _ in range(inbox.MAX_REPLAYS + 3):
        clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
        given_up += replay(deps, dispatch).given_up
    assert len(dispatch.payloads) == inbox.MAX_REPLAYS
    assert given_up == ["Ev1"]
    assert entry(deps, "Ev1").handled_at is not None


def test_handled_entries_are_pruned_after_a_day_with_the_event_ids(
    deps: Deps, clock: FixedClock
) -> None:
    inbox.record(deps, "Ev-old", payload("Ev-old"))
    inbox.mark_handled(deps, ["Ev-old"])
    inbox.record(deps, "Ev-open", payload("Ev-open"))  # unhandled: kept for the replay
    clock.advance(days=2)
    inbox.record(deps, "Ev-new", payload("Ev-new"))
    inbox.mark_handled(deps, ["Ev-new"])
    with deps.session_factory.begin() as s:
        assert inbox_queries.forget_handled_before(s, clock.now() - timedelta(days=1)) == 1
    with deps.session_factory() as s:
        assert set(s.scalars(select(InboxEvent.key))) == {"Ev-open", "Ev-new"}


def test_finished_requests_are_marked_handled_together_and_none_is_left_behind(
    deps: Deps, monkeypatch: Any
) -> None:
    keys = [f"Ev{n:03d}" for n in range(120)]
    for key in keys:
        inbox.record(deps, key, payload(key))
    writes: list[int] = []
    real = inbox.mark_handled

    def slow_mark(d: Deps, batch: list[str]) -> None:
        writes.append(len(batch))
        time.sleep(0.01)  # a write lock held a moment: others finish meanwhile
        real(d, batch)

    monkeypatch.setattr(inbox_listener.inbox, "mark_handled", slow_mark)
    marks = inbox_listener.HandledMarks()
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda key: marks.add(deps, key), keys))
    with deps.session_factory() as s:
        unhandled = s.scalars(select(InboxEvent.key).where(InboxEvent.handled_at.is_(None)))
        assert list(unhandled) == []
    assert sum(writes) == len(keys)  # each key written once
    assert len(writes) < len(keys) / 2  # in shared transactions
