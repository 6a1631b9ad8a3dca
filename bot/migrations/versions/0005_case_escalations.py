"""one open case per conversation: later flagged messages are rows of case_escalations on it

Revision ID: 0005_case_escalations
Revises: 0004_unanswered
Create Date: 2026-12-06

Every existing case gets its own flagged message as its first escalation (same key), so the idempotent
inserts of the action server, reconciler and gateway keep recognising messages recorded before this.
Existing conversations with several open cases are left as they are (staff may have notes on each).
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_case_escalations"
down_revision = "0004_unanswered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("escalation_count", sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch.add_column(sa.Column("escalated_again_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("raised_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("raised_alerted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "case_escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("event_timestamp", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender_id", "event_timestamp", name="uq_case_escalations_sender_event"),
    )
    op.create_index("ix_case_escalations_case_id", "case_escalations", ["case_id"])
    op.execute(
        "INSERT INTO case_escalations (case_id, sender_id, event_timestamp, kind, categories, rule_ids, source,"
        " recorded_at) SELECT id, sender_id, event_timestamp, kind, categories, rule_ids, source, created_at"
        " FROM cases"
    )


def downgrade() -> None:
    op.drop_index("ix_case_escalations_case_id", table_name="case_escalations")
    op.drop_table("case_escalations")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("raised_alerted_at")
        batch.drop_column("raised_at")
        batch.drop_column("escalated_again_at")
        batch.drop_column("escalation_count")
