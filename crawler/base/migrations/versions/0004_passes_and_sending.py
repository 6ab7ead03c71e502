"""sources remember their list passes; deliveries remember when an attempt began

- ``sources.pass_started_at``: set (and committed) when a pass over a source's list pages
  begins, cleared when it reaches its end; still set at the next pass means the last one did
  not (killed, a list page that failed), and is then kept, so passes that die one after another
  owe from the first. A pass that reached its end with articles that failed sets it to its own
  start. ``sources.pass_depth``: the deepest list page whose articles an unfinished pass
  fetched (committed before it fetched them), or on which an article failed; the pages read by
  a pass that reached its end.
- ``deliveries.attempted_at``: when the current SMTP attempt was committed as ``sending``; a row
  still ``sending`` (or ``unknown``) is judged against it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import crawler.base.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- interrupted passes (sources)
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("pass_started_at", crawler.base.models.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("pass_depth", sa.Integer(), nullable=True))
    # -- mail exactly once (deliveries)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("attempted_at", crawler.base.models.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("attempted_at")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("pass_depth")
        batch.drop_column("pass_started_at")
