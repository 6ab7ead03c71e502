"""sources remember their list passes; deliveries remember when an attempt began

- ``sources.pass_started_at``: set (and committed) when an incremental pass over a source's list
  pages begins, cleared when it reaches its end; still set at the next pass means the last one
  was interrupted. ``sources.pass_depth``: how many list pages the last pass that reached its
  end (or the interrupted one, as far as it got) had to read.
- ``deliveries.attempted_at``: when the current SMTP attempt was committed as ``sending``; a row
  still ``sending`` (or ``unknown``) is judged against it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import crawler.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- interrupted passes (sources)
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("pass_started_at", crawler.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("pass_depth", sa.Integer(), nullable=True))
    # -- mail exactly once (deliveries)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("attempted_at", crawler.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("attempted_at")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("pass_depth")
        batch.drop_column("pass_started_at")
