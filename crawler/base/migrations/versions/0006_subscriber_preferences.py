"""subscriber preferences: what a reader chose on the "manage subscription" page

- ``subscriber_preferences``: one row per subscriber who saved the page (cities, provinces,
  themes, kinds, frequency, weekday, send time, script, paused); it wins over subscribers.yaml
  for those fields until ``citydigest subscribers reset`` deletes it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import crawler.base.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriber_preferences",
        sa.Column("subscriber_id", sa.String(length=64), nullable=False),
        sa.Column("cities", sa.JSON(), nullable=False),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.String(length=3), nullable=False),
        sa.Column("send_at", sa.String(length=5), nullable=False),
        sa.Column("script", sa.String(length=32), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_at", crawler.base.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subscriber_id", name=op.f("pk_subscriber_preferences")),
    )


def downgrade() -> None:
    op.drop_table("subscriber_preferences")
