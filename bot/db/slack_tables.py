"""slack_sdk's installation and OAuth-state tables, registered on our metadata.

slack_sdk owns their shape (its SQLAlchemy stores read and write them); registering them here lets
our Alembic migrations create and evolve them with everything else, in the same database.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import String, Table

from bot.db.base import Base

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

installations = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)

# Token columns hold Fernet ciphertext when TOKEN_ENCRYPTION_KEY is set: a token of n characters
# becomes about 4/3 * (n + 73) characters, so slack_sdk's 200 would cap tokens at 79 characters.
# 500 leaves room for tokens up to about 300 characters (rotating tokens are longer than xoxb-).
TOKEN_COLUMN_LENGTH = 500


def _widen_token_columns(table: Table) -> None:
    for name in ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"):
        if name in table.c:
            table.c[name].type = String(TOKEN_COLUMN_LENGTH)


_widen_token_columns(installations)
_widen_token_columns(bots)
