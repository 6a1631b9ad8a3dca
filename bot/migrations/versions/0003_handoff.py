"""live handoff: who holds a conversation while the assistant is paused

Revision ID: 0003_handoff
Revises: 0002_staff_console
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_handoff"
down_revision = "0002_staff_console"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("seen_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        sa.Column("resumed_at", TZ, nullable=True),
    )
    op.create_index("ix_handoffs_sender_id", "handoffs", ["sender_id"])
    # One active holder per conversation, in the database itself (several web-app processes).
    op.create_index("uq_handoffs_active_sender", "handoffs", ["sender_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"))


def downgrade() -> None:
    op.drop_index("uq_handoffs_active_sender", table_name="handoffs")
    op.drop_index("ix_handoffs_sender_id", table_name="handoffs")
    op.drop_table("handoffs")
