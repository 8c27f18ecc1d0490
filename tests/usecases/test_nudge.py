"""The daily practice nudge: 09:00 local, only when questions are due, exactly once a day."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Delivery
from bot.deps import Deps
from bot.slack import practice_blocks
from bot.usecases import daily, nudge, practice
from tests.fakes import FixedClock, RecordingGateway
from tests.usecases.conftest import TEAM

ALICE = "UALICE001"
# Tuesday 3 March 2026, 09:00 in Paris (UTC+1).
TUESDAY_9_PARIS = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def practise_badly(deps: Deps, user: str = ALICE, remind: bool = True) -> None:
    """On Monday: one poorly answered question (due Tuesday), reminders on or off."""
    for text in ("practice", "I don't know.", "stop", f"remind {'on' if remind else 'off'}"):
        practice.handle(deps, TEAM, user, text, timezone="Europe/Paris")


def nudges(gateway: RecordingGateway) -> list[dict[str, object]]:
    return [
        c for c in gateway.of("post_message") if str(c["text"]).endswith("due for review today.")
    ]


def deliveries(deps: Deps) -> list[Delivery]:
    with deps.session_factory() as s:
        return list(s.scalars(select(Delivery).where(Delivery.kind == "nudge")))


def test_due_questions_bring_one_nudge_at_nine_local(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    practise_badly(deps)
    clock.set(datetime(2026, 3, 3, 7, 59, tzinfo=UTC))  # 08:59 in Paris
    assert nudge.send_due(deps) == []
    clock.set(TUESDAY_9_PARIS)
    report = daily.tick(deps)
    assert report.nudged == [ALICE]
    (sent,) = nudges(gateway)
    assert sent["channel"] == ALICE
    assert sent["text"] == "1 practice question is due for review today."
    assert practice_blocks.PRACTICE_NOW_ACTION in str(sent["blocks"])
    # Later ticks the same day, and another clock process, send nothing more.
    clock.advance(minutes=15)
    assert daily.tick(deps).nudged == []
    assert len(nudges(gateway)) == 1
    (row,) = deliveries(deps)
    assert (row.status, row.target, row.period.isoformat()) == ("sent", ALICE, "2026-03-03")


def test_no_nudge_without_due_questions_or_without_remind(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    practice.handle(deps, TEAM, "UNODUE001", "remind on", timezone="Europe/Paris")
    practise_badly(deps, user="UOPTOUT01", remind=False)
    clock.set(TUESDAY_9_PARIS)
    assert nudge.send_due(deps) == []
    assert nudges(gateway) == []
    assert deliveries(deps) == []


def test_a_failed_nudge_is_retried_then_sent_once(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    practise_badly(deps)
    clock.set(TUESDAY_9_PARIS)
    gateway.fail_with["post_message"] = "ratelimited"
    assert nudge.send_due(deps) == []
    (row,) = deliveries(deps)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ratelimited")
    clock.advance(seconds=30)  # backoff not over yet
    assert nudge.send_due(deps) == []
    clock.advance(minutes=1)
    assert nudge.send_due(deps) == [ALICE]
    assert nudge.send_due(deps) == []
    (row,) = deliveries(deps)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_nudge_not_sent_in_its_window_is_dropped(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    practise_badly(deps)
    clock.set(TUESDAY_9_PARIS)
    gateway.fail_with["post_message"] = "fatal_error"
    nudge.send_due(deps)
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))  # 13:00 in Paris: too late for a nudge
    assert nudge.send_due(deps) == []
    (row,) = deliveries(deps)
    assert row.status == "skipped"
    assert len(nudges(gateway)) == 1  # the failed attempt only: no nudge in the afternoon


def test_each_person_is_nudged_at_their_own_nine(
    deps: Deps, clock: FixedClock, gateway: RecordingGateway
) -> None:
    practise_badly(deps)
    for text in ("practice", "no idea", "stop", "remind on"):
        practice.handle(deps, TEAM, "UNEWYORK1", text, timezone="America/New_York")
    clock.set(TUESDAY_9_PARIS)
    assert nudge.send_due(deps) == [ALICE]
    clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # 09:00 in New York (UTC-5)
    assert nudge.send_due(deps) == ["UNEWYORK1"]
    assert [n["channel"] for n in nudges(gateway)] == [ALICE, "UNEWYORK1"]
