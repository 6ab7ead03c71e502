"""articles know the policy document they carry; policy_refs, the documents articles name

- ``articles.doc_no``: the 文号 in normal form (深府办〔2021〕5号), indexed: reprints of one
  document share it, and a page that names a document by 文号 finds it. ``articles.doc_issuer``:
  its issuing body. Dedup keeps articles of different documents apart with them.
- ``policy_refs``: one row per document an article names (by 文号 or title key) and how: ``is``
  (its own titles), ``interprets``, ``reports``, ``implements``, ``amends``, ``repeals``.

Articles stored before this revision have neither; they are read as before.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("doc_no", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("doc_issuer", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_articles_doc_no"), ["doc_no"], unique=False)
    op.create_table(
        "policy_refs",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("article_id", _ID, nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("doc_no", sa.String(length=128), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_policy_refs_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_refs")),
    )
    with op.batch_alter_table("policy_refs") as batch:
        batch.create_index(batch.f("ix_policy_refs_article_id"), ["article_id"], unique=False)
        batch.create_index(batch.f("ix_policy_refs_doc_no"), ["doc_no"], unique=False)
        batch.create_index(batch.f("ix_policy_refs_title"), ["title"], unique=False)


def downgrade() -> None:
    op.drop_table("policy_refs")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_doc_no"))
        batch.drop_column("doc_issuer")
        batch.drop_column("doc_no")
