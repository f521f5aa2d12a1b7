"""Alembic environment: runs on the connection labtrack hands it (see schema.py)."""

from alembic import context

from labtrack.store.sql.tables import metadata, on_dialect

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - labtrack always passes a connection
    raise RuntimeError("Run migrations through `labtrack db upgrade`, not the alembic CLI.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # Constraints made for one dialect only (ddl_if) are not missing on the others.
    include_object=on_dialect(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
