"""create cases and reconciler state

Revision ID: 0001_create_cases
Revises:
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_create_cases"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("event_timestamp", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, server_default="new"),
        sa.Column("assignee", sa.String(255), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender_id", "event_timestamp", name="uq_cases_sender_event"),
    )
    op.create_index("ix_cases_sender_id", "cases", ["sender_id"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "reconciler_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_event_id", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("reconciler_state")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_sender_id", table_name="cases")
    op.drop_table("cases")
