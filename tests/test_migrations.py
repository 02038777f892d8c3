"""Schema changes are migrations: the migrated database matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from portal.models import Base


def test_migrations_match_the_models(migrated_template):
    engine = create_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
