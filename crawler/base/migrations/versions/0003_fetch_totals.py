"""fetch_totals: what pruned rows of the fetch log counted

The fetch log (``fetches``) gains a row per HTTP exchange and is now pruned after
``fetch_log_days``; the counts of the pruned rows per status go here, so the fetch counters stay
monotonic.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_totals",
        sa.Column("status", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fetches", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_fetch_totals")),
    )


def downgrade() -> None:
    op.drop_table("fetch_totals")
