"""`/qotd`: decide what each subcommand does and what the caller is told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from bot.deps import Deps
from bot.domain import commands as cmd
from bot.slack import blocks, board_blocks
from bot.slack.privacy_blocks import forget_me_prompt
from bot.usecases import (
    ask,
    boards,
    channel_settings,
    practice,
    privacy,
    reveal,
    scheduling,
)
from bot.usecases.permissions import REFUSAL, is_channel_admin


@dataclass(frozen=True, slots=True)
class SlashRequest:
    """A `/qotd` invocation."""

    team_id: str
    channel_id: str
    user_id: str
    text: str


def handle(deps: Deps, req: SlashRequest, command: cmd.Command) -> blocks.Message | None:
    """Run one parsed command; return the private reply (None when the post itself answers)."""
    team, channel, user = req.team_id, req.channel_id, req.user_id

    def admin() -> bool:
        return is_channel_admin(deps, team, channel, user)

    match command:
        case cmd.Help(problem):
            return blocks.help_message(problem)
        case cmd.Now(topic):
            result = ask.post_question(deps, team, channel, topic=topic, requested_by=user)
            return None if result.ok else blocks.notice(result.message, trusted=True)
        case cmd.Reveal():
            if not admin():
                return blocks.notice(REFUSAL)
            return blocks.notice(reveal.reveal_latest(deps, team, channel).message)
        case cmd.Topics(None, False):
            return blocks.notice(channel_settings.show_topics(deps, team, channel), trusted=True)
        case cmd.Topics(topics, set_all):
            if not admin():
                return blocks.notice(REFUSAL)
            chosen = None if set_all else topics
            return blocks.notice(
                channel_settings.set_topics(deps, team, channel, chosen), trusted=True
            )
        case cmd.SetLevel(None, False):
            return blocks.notice(channel_settings.show_level(deps, team, channel), trusted=True)
        case cmd.SetLevel(level, _):
            if not admin():
                return blocks.notice(REFUSAL)
            return blocks.notice(
                channel_settings.set_level(deps, team, channel, level), trusted=True
            )
        case cmd.Schedule(args):
            if not (admin() or scheduling.may_set_schedule(deps, team, channel)):
                return blocks.notice(REFUSAL)
            return blocks.notice(
                scheduling.set_schedule(deps, team, channel, user, args), trusted=True
            )
        case cmd.Pause() | cmd.Resume():
            if not admin():
                return blocks.notice(REFUSAL)
            paused = isinstance(command, cmd.Pause)
            return blocks.notice(scheduling.pause(deps, team, channel, paused), trusted=True)
        case cmd.Skip(on):
            if not admin():
                return blocks.notice(REFUSAL)
            return blocks.notice(scheduling.skip(deps, team, channel, on), trusted=True)
        case cmd.Close(at, after_minutes):
            if not admin():
                return blocks.notice(REFUSAL)
            text = channel_settings.set_close(deps, team, channel, at, after_minutes)
            return blocks.notice(text, trusted=True)
        case cmd.ForgetMe():
            # Nothing is deleted yet: the reply lists what would be and asks for a click.
            return forget_me_prompt(privacy.personal_data(deps, team, user), user)
        case cmd.Leaderboard(period):
            board = boards.leaderboard(deps, team, channel, user, period)
            return board_blocks.leaderboard(board)
        case cmd.Teams():
            return board_blocks.teams(boards.teams(deps, team, channel))
        case cmd.Stats(someone):
            found = boards.stats(deps, team, channel, someone or user)
            return board_blocks.stats(found, user)
        case cmd.Practice(topic):
            started = practice.start_in_dm(deps, team, user, topic)
            return blocks.notice(started.message, trusted=True)
    assert_never(command)
