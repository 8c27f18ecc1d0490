"""Answers keep their normal form for the copy check; a redundant index goes.

Every new reply in a thread is compared with the earlier answers of comparable length; storing
each answer's normal form (written with its text) spares normalising all of them again on every
reply. Rows written before this revision have none: the check normalises their text instead.

`ix_answers_channel_answered` (channel, answered_at) is a prefix of the boards' covering index
`ix_answers_channel_board`, which serves the same look-ups: one index less to write per answer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("copy_form", sa.Text(), nullable=True))
        batch.drop_index("ix_answers_channel_answered")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("answers") as batch:
        batch.create_index("ix_answers_channel_answered", ["channel_pk", "answered_at"])
        batch.drop_column("copy_form")
