"""unanswered messages in the database (were var/unanswered/messages.jsonl on each replica's disk)

Revision ID: 0004_unanswered
Revises: 0003_handoff
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_unanswered"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("case_created", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender_id", "received_at", name="uq_unanswered_sender_received"),
    )
    op.create_index("ix_unanswered_messages_sender_id", "unanswered_messages", ["sender_id"])
    op.create_index("ix_unanswered_messages_received_at", "unanswered_messages", ["received_at"])


def downgrade() -> None:
    op.drop_table("unanswered_messages")
