"""Privacy (SPEC §4.5): forget-me, uninstall, token revocation, the 30-day purge, reinstall."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from bot.db import queries
from bot.db.models import (
    AcceptedWording,
    Answer,
    AnswerMessage,
    Appeal,
    Channel,
    ChannelAdmin,
    Delivery,
    InboxEvent,
    PracticeCard,
    PracticeReview,
    Practitioner,
    Workspace,
)
from bot.deps import Deps
from bot.domain import commands as cmd
from bot.domain.privacy import PersonalData
from bot.slack import privacy_blocks
from bot.usecases import inbox, privacy, slash
from tests.blockkit import assert_valid_blocks
from tests.fakes import FixedClock
from tests.personal_data import (
    rows_of_workspace,
    seed_person,
    store_installation,
    token_rows,
)
from tests.usecases.conftest import ADMIN, CHANNEL, TEAM

OTHER_TEAM = "T222"
ALICE = "UALICE001"
BOB = "UBOB00001"


def count(deps: Deps, model: type, **where: object) -> int:
    with deps.session_factory() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(s.scalar(query) or 0)


def workspace_pk(deps: Deps, team_id: str) -> int:
    with deps.session_factory() as s:
        pk = s.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    assert pk is not None
    return pk


def forget_me_reply(deps: Deps, user: str, team: str = TEAM) -> str:
    reply = slash.handle(deps, slash.SlashRequest(team, CHANNEL, user, "forget-me"), cmd.ForgetMe())
    assert reply is not None
    assert_valid_blocks(reply.blocks)
    return str(reply.blocks)


# --- forget-me --------------------------------------------------------------------------------


def test_forget_me_first_shows_what_would_go_and_changes_nothing(deps: Deps) -> None:
    seed_person(deps, TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, TEAM, CHANNEL, deps.clock.now())
        queries.add_channel_admin(s, ch.id, ALICE, deps.clock.now())
    shown = privacy.personal_data(deps, TEAM, ALICE)
    assert shown.answers == 1
    assert shown.points >= 1
    assert (shown.appeals, shown.wordings, shown.practice_cards) == (1, 1, 1)
    assert (shown.practice_reviews, shown.practice_profile, shown.reminders) == (2, True, 1)
    assert shown.admin_channels == (CHANNEL,)
    text = forget_me_reply(deps, ALICE)
    assert f"1 answer ({shown.points} points)" in text
    assert "1 practice card (2 practice answers)" in text
    assert privacy_blocks.FORGET_ME_CONFIRM_ACTION in text
    assert f"You stay a QOTD admin of <#{CHANNEL}>" in text
    assert privacy.personal_data(deps, TEAM, ALICE) == shown  # nothing deleted yet


def test_forget_me_deletes_exactly_the_callers_data_in_this_workspace(deps: Deps) -> None:
    alice = seed_person(deps, TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    bob = seed_person(deps, TEAM, CHANNEL, BOB, decided_by=ALICE)  # Alice decided Bob's appeal
    elsewhere = seed_person(deps, OTHER_TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    with deps.session_factory.begin() as s:
        ch = queries.channel(s, TEAM, CHANNEL, deps.clock.now())
        queries.add_channel_admin(s, ch.id, ALICE, deps.clock.now())
    before = privacy.personal_data(deps, TEAM, ALICE)

    deleted = privacy.forget_user(deps, TEAM, ALICE)

    assert deleted == PersonalData(
        answers=1, points=before.points, appeals=1, wordings=1, practice_cards=1,
        practice_reviews=2, practice_profile=True, reminders=1, decisions=1,
        admin_channels=(CHANNEL,),
    )  # fmt: skip
    ws = workspace_pk(deps, TEAM)
    assert count(deps, Answer, workspace_id=ws, user_id=ALICE) == 0
    assert count(deps, AnswerMessage, answer_id=alice.answer_id) == 0
    assert count(deps, Appeal, answer_id=alice.answer_id) == 0
    assert count(deps, AcceptedWording, wording=alice.wording) == 0
    assert count(deps, PracticeCard, workspace_id=ws, user_id=ALICE) == 0
    assert count(deps, Practitioner, workspace_id=ws, user_id=ALICE) == 0
    assert count(deps, Delivery, workspace_id=ws, target=ALICE) == 0
    assert count(deps, PracticeReview) == 4  # Bob's two here and Alice's two elsewhere
    # Bob's history stays whole; the appeal Alice decided no longer names her.
    assert count(deps, Answer, id=bob.answer_id) == 1
    assert count(deps, AcceptedWording, wording=bob.wording) == 1
    assert count(deps, Appeal, answer_id=bob.answer_id, decided_by=None) == 1
    assert count(deps, PracticeCard, workspace_id=ws, user_id=BOB) == 1
    # Alice in the other workspace (same user id, same channel id) is untouched.
    assert privacy.personal_data(deps, OTHER_TEAM, ALICE).answers == 1
    assert count(deps, AcceptedWording, wording=elsewhere.wording) == 1
    # Her admin role stays: it is a responsibility, not history.
    assert count(deps, ChannelAdmin, user_id=ALICE) == 1


def test_forget_me_result_says_what_went_and_a_second_time_that_nothing_is_left(
    deps: Deps,
) -> None:
    seed_person(deps, TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    done = privacy_blocks.forget_me_done(privacy.forget_user(deps, TEAM, ALICE))
    assert_valid_blocks(done.blocks)
    assert done.text == "Done: your data in this workspace is deleted."
    assert "1 appeal" in str(done.blocks)
    assert "1 wording of yours accepted on appeal" in str(done.blocks)
    again = privacy_blocks.forget_me_done(privacy.forget_user(deps, TEAM, ALICE))
    assert again.text == "There was nothing of yours left to delete in this workspace."
    assert "Nothing of yours is stored" in forget_me_reply(deps, ALICE)
    assert privacy_blocks.FORGET_ME_CONFIRM_ACTION not in forget_me_reply(deps, ALICE)


def test_forget_me_in_a_workspace_never_seen_creates_nothing(deps: Deps) -> None:
    assert privacy.forget_user(deps, "TNEVERSEEN", ALICE) == PersonalData()
    assert "Nothing of yours is stored" in forget_me_reply(deps, ALICE, team="TNEVERSEEN")
    assert count(deps, Workspace) == 0


def test_a_forgotten_answer_stops_counting_for_the_copy_check_and_points(deps: Deps) -> None:
    alice = seed_person(deps, TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    privacy.forget_user(deps, TEAM, ALICE)
    with deps.session_factory() as s:
        total = s.scalar(select(func.coalesce(func.sum(Answer.points), 0)))
        assert total == 0
        assert queries.answers_for_post(s, alice.post_id) == []


def test_forget_me_drops_handled_slack_requests_naming_the_person_but_not_unhandled_ones(
    deps: Deps,
) -> None:
    def request(key: str, user: str, text: str = "my answer") -> dict[str, object]:
        event = {"type": "message", "user": user, "text": text, "channel": CHANNEL}
        return {"type": "event_callback", "event_id": key, "team_id": TEAM, "event": event}

    seed_person(deps, TEAM, CHANNEL, ALICE, decided_by=ADMIN)
    bodies = {
        "EvAliceDone": request("EvAliceDone", ALICE),
        "EvAliceWaiting": request("EvAliceWaiting", ALICE),
        "EvBobDone": request("EvBobDone", BOB, "an answer by Bob"),
    }
    for key, body in bodies.items():
        assert inbox.record(deps, key, body) is inbox.Recorded.NEW
    inbox.mark_handled(deps, ["EvAliceDone", "EvBobDone"])

    privacy.forget_user(deps, TEAM, ALICE)

    with deps.session_factory() as s:
        kept = set(s.scalars(select(InboxEvent.key)))
    # Her handled request (its body holds her answer) is gone; one still to be handled stays,
    # like everyone else's.
    assert kept == {"EvAliceWaiting", "EvBobDone"}


# --- uninstall, revocation, purge, reinstall ---------------------------------------------------


@pytest.fixture
def two_installed(deps: Deps, engine: Engine) -> tuple[int, int]:
    """Two workspaces with data and stored tokens; returns their primary keys."""
    for team in (TEAM, OTHER_TEAM):
        seed_person(deps, team, CHANNEL, ALICE, decided_by=ADMIN)
        store_installation(engine, team, f"xoxb-test-{team}")
    return workspace_pk(deps, TEAM), workspace_pk(deps, OTHER_TEAM)


def test_uninstall_deletes_tokens_at_once_and_data_after_thirty_days(
    deps: Deps, engine: Engine, clock: FixedClock, two_installed: tuple[int, int]
) -> None:
    ws, other = two_installed
    assert token_rows(engine, TEAM) == 2
    uninstalled_at = clock.now()
    assert privacy.workspace_uninstalled(deps, TEAM, "Ev0001")
    assert token_rows(engine, TEAM) == 0
    assert token_rows(engine, OTHER_TEAM) == 2
    with deps.session_factory() as s:
        assert s.get(Workspace, ws).uninstalled_at == uninstalled_at  # type: ignore[union-attr]
        # An uninstalled workspace gets no scheduled questions.
        assert all(c.team_id != TEAM for c in queries.scheduled_channels(s))

    clock.advance(days=29)
    assert privacy.purge_uninstalled(deps) == []
    assert rows_of_workspace(engine, ws)["answers"] == 1
    clock.advance(days=2)
    assert privacy.purge_uninstalled(deps) == [TEAM]
    assert set(rows_of_workspace(engine, ws).values()) == {0}
    assert count(deps, Workspace, team_id=TEAM) == 0
    assert count(deps, Channel, workspace_id=ws) == 0
    assert count(deps, AnswerMessage) == count(deps, Answer) == 1  # the other workspace's
    assert count(deps, PracticeReview) == 2
    assert count(deps, Appeal) == 1
    # The other workspace is untouched throughout.
    assert min(rows_of_workspace(engine, other)[t] for t in ("answers", "practice_cards")) == 1
    assert token_rows(engine, OTHER_TEAM) == 2
    assert privacy.purge_uninstalled(deps) == []  # idempotent


def test_a_reinstall_within_thirty_days_keeps_the_data(
    deps: Deps, engine: Engine, clock: FixedClock, two_installed: tuple[int, int]
) -> None:
    ws, _ = two_installed
    privacy.workspace_uninstalled(deps, TEAM, "Ev0001")
    clock.advance(days=10)
    store_installation(engine, TEAM, "xoxb-test-new")
    privacy.mark_installed(deps, TEAM, bot_user_id="UBOT0QOTD")
    clock.advance(days=21)
    assert privacy.purge_uninstalled(deps) == []
    assert rows_of_workspace(engine, ws)["answers"] == 1
    with deps.session_factory() as s:
        workspace = s.get(Workspace, ws)
        assert workspace is not None
        assert workspace.uninstalled_at is None
        assert workspace.bot_user_id == "UBOT0QOTD"
    # Slack retries the old app_uninstalled: the new tokens must survive it.
    assert not privacy.workspace_uninstalled(deps, TEAM, "Ev0001")
    assert token_rows(engine, TEAM) == 2
    # A second uninstall later starts a new countdown from its own date.
    assert privacy.workspace_uninstalled(deps, TEAM, "Ev0002")
    clock.advance(days=29)
    assert privacy.purge_uninstalled(deps) == []
    clock.advance(days=1)
    assert privacy.purge_uninstalled(deps) == [TEAM]


def test_uninstall_events_are_idempotent_and_the_first_date_counts(
    deps: Deps, engine: Engine, clock: FixedClock, two_installed: tuple[int, int]
) -> None:
    ws, _ = two_installed
    first = clock.now()
    assert privacy.workspace_uninstalled(deps, TEAM, "Ev0001")
    clock.advance(minutes=1)
    assert not privacy.workspace_uninstalled(deps, TEAM, "Ev0001")  # a retry
    # tokens_revoked usually follows app_uninstalled: the countdown keeps its first date.
    assert not privacy.tokens_revoked(deps, TEAM, ["UBOT0QOTD"], [], "Ev0002")
    with deps.session_factory() as s:
        assert s.get(Workspace, ws).uninstalled_at == first  # type: ignore[union-attr]


def test_revoking_only_user_tokens_changes_nothing(
    deps: Deps, engine: Engine, two_installed: tuple[int, int]
) -> None:
    ws, _ = two_installed
    assert not privacy.tokens_revoked(deps, TEAM, [], ["UINSTALLER"], "Ev0003")
    assert token_rows(engine, TEAM) == 2
    with deps.session_factory() as s:
        assert s.get(Workspace, ws).uninstalled_at is None  # type: ignore[union-attr]


@pytest.mark.usefixtures("two_installed")
def test_revoking_the_bot_token_is_an_uninstall(
    deps: Deps, engine: Engine, clock: FixedClock
) -> None:
    assert privacy.tokens_revoked(deps, TEAM, ["UBOT0QOTD"], ["UINSTALLER"], "Ev0004")
    assert token_rows(engine, TEAM) == 0
    clock.advance(days=31)
    assert privacy.purge_uninstalled(deps) == [TEAM]


def test_uninstall_of_an_unknown_team_and_install_of_a_new_one(deps: Deps) -> None:
    assert not privacy.workspace_uninstalled(deps, "TUNKNOWN", "Ev0005")
    assert not privacy.workspace_uninstalled(deps, "", None)
    assert count(deps, Workspace) == 0
    privacy.mark_installed(deps, "TNEW00001", enterprise_id="E111")
    privacy.mark_installed(deps, "TNEW00001")  # twice is fine
    with deps.session_factory() as s:
        (workspace,) = s.scalars(select(Workspace)).all()
    assert (workspace.team_id, workspace.enterprise_id, workspace.uninstalled_at) == (
        "TNEW00001", "E111", None,
    )  # fmt: skip
