"""Alembic environment: runs on the connection labtrack hands it (see schema.py)."""

from alembic import context

from labtrack.store.sql.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - labtrack always passes a connection
    raise RuntimeError("Run migrations through `labtrack db upgrade`, not the alembic CLI.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
