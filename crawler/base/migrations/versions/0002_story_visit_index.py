"""stories: one index on (visit_key, visit_date) instead of visit_key alone; the
representative's foreign key on PostgreSQL

A visit's story is looked up by its key within a few days of its date; with the key alone, a
frequent pair of cities (青岛>深圳) meant scanning every story it ever had.

0001 created ``stories`` before ``articles`` and left the foreign key of
``stories.representative_id`` to a later ALTER that it never ran, so PostgreSQL databases lack
it (SQLite declares it inline and has it).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


FK_NAME = "fk_stories_representative_id_articles"


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_visit_key"))
        batch_op.create_index("ix_stories_visit", ["visit_key", "visit_date"], unique=False)
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            FK_NAME, "stories", "articles", ["representative_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK_NAME, "stories", type_="foreignkey")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_visit")
        batch_op.create_index(batch_op.f("ix_stories_visit_key"), ["visit_key"], unique=False)
