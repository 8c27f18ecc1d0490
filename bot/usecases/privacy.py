"""Privacy and the data lifecycle (SPEC §4.5): forget-me, uninstall, token revocation, purge.

- `/qotd forget-me` shows what is stored and asks for a click; the click deletes the person's
  answers, points, appeals, accepted wordings and practice in that workspace, nowhere else.
- `app_uninstalled` (and `tokens_revoked` for the bot) delete the workspace's tokens at once and
  start a 30-day countdown; a reinstall (`mark_installed`) stops it; the purge deletes the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from bot.db import privacy_queries as pq
from bot.db import queries
from bot.deps import Deps
from bot.domain.privacy import PersonalData

log = logging.getLogger(__name__)

# How long an uninstalled workspace's data is kept, so a reinstall finds it intact.
RETENTION_AFTER_UNINSTALL = timedelta(days=30)

__all__ = [
    "RETENTION_AFTER_UNINSTALL",
    "PersonalData",
    "forget_user",
    "mark_installed",
    "personal_data",
    "purge_uninstalled",
    "tokens_revoked",
    "workspace_uninstalled",
]


def personal_data(deps: Deps, team_id: str, user_id: str) -> PersonalData:
    """What is stored about a person in a workspace (read-only: what forget-me would delete)."""
    with deps.session_factory() as s:
        ws = pq.workspace_id(s, team_id)
        return PersonalData() if ws is None else pq.personal_data(s, ws, user_id)


def forget_user(deps: Deps, team_id: str, user_id: str) -> PersonalData:
    """Delete a person's data in one workspace; return exactly what was deleted.

    Running it twice is harmless: the second run finds nothing and says so.
    """
    with deps.session_factory.begin() as s:
        ws = pq.workspace_id(s, team_id)
        if ws is None:
            return PersonalData()
        deleted = pq.delete_personal_data(s, ws, user_id)
    log.info("forget-me: deleted %d answers and %d cards", deleted.answers, deleted.practice_cards)
    return deleted


def workspace_uninstalled(deps: Deps, team_id: str, event_id: str | None = None) -> bool:
    """`app_uninstalled`: delete the tokens now, the data after the retention period.

    False for a retry of an event already handled (so a retry arriving after a quick reinstall
    cannot delete the new tokens) or a team the bot never stored anything for.
    """
    if not team_id:
        return False
    now = deps.clock.now()
    with deps.session_factory.begin() as s:
        if event_id and not queries.claim_event(s, event_id, now):
            return False
        tokens = pq.delete_tokens(s, team_id)
        counting = pq.mark_uninstalled(s, team_id, now)
    log.info("team %s uninstalled: %d token rows deleted", team_id, tokens)
    return counting or tokens > 0


def tokens_revoked(
    deps: Deps,
    team_id: str,
    bot_user_ids: Sequence[str],
    user_ids: Sequence[str],
    event_id: str | None = None,
) -> bool:
    """`tokens_revoked`: the bot's token revoked is an uninstall; user tokens alone change nothing.

    The app asks for no user scopes, so it holds no user token that could need deleting.
    """
    if bot_user_ids:
        return workspace_uninstalled(deps, team_id, event_id)
    if event_id:
        with deps.session_factory.begin() as s:
            queries.claim_event(s, event_id, deps.clock.now())  # handled: nothing to do
    log.info("team %s revoked %d user tokens: none are stored", team_id, len(user_ids))
    return False


def mark_installed(
    deps: Deps, team_id: str, *, enterprise_id: str | None = None, bot_user_id: str | None = None
) -> None:
    """An install or reinstall succeeded: the workspace exists and nothing is due for deletion.

    Call it after OAuth stores the installation (or at start in single-workspace mode).
    """
    with deps.session_factory.begin() as s:
        pq.mark_installed(
            s, team_id, deps.clock.now(), enterprise_id=enterprise_id, bot_user_id=bot_user_id
        )


def purge_uninstalled(deps: Deps) -> list[str]:
    """Delete all data of workspaces uninstalled more than the retention period ago."""
    cutoff = deps.clock.now() - RETENTION_AFTER_UNINSTALL
    with deps.session_factory.begin() as s:
        purged = pq.purge_uninstalled(s, cutoff)
    for team_id in purged:
        log.info("deleted all data of team %s, uninstalled before %s", team_id, cutoff.date())
    return purged
