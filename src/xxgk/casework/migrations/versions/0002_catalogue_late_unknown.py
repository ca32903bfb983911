"""The Art. 26 check of a catalogue item is three-valued: ``late`` NULL means it could not be decided (the
holiday table lacked a year); it is re-checked when the holiday table or the rules change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_items", schema=None) as batch_op:
        batch_op.alter_column("late", existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE catalogue_items SET late = false WHERE late IS NULL")
    with op.batch_alter_table("catalogue_items", schema=None) as batch_op:
        batch_op.alter_column("late", existing_type=sa.Boolean(), nullable=False)
