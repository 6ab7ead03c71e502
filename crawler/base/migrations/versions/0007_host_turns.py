"""host turns: when the next request to a host may start, shared by the distributed workers

- ``host_turns``: one row per host (``host:port`` as the fetcher keys it) a distributed worker
  requested; ``next_at`` (naive UTC) is the earliest start of the next request anywhere in the
  cluster: the last start plus the host's spacing, or the end of a back-off.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import crawler.base.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_turns",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("next_at", crawler.base.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_turns")),
    )


def downgrade() -> None:
    op.drop_table("host_turns")
