"""monday_network on the preferences page: a reader's own choice of the week's network on Monday

- ``subscriber_preferences.monday_network``: whether the reader's Monday daily ends with last
  week's visit network (``monday_network`` in subscribers.yaml), as they set it on the "manage
  subscription" page. Rows saved before this revision get false, as the page then showed it
  unchecked for a reader whose subscribers.yaml did not set it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber_preferences") as batch:
        batch.add_column(
            sa.Column("monday_network", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriber_preferences") as batch:
        batch.drop_column("monday_network")
