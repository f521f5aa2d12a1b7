"""Every store-contract test, run again through the REST store against a real server.

The tests of ``tests/store/test_store_contract.py``, ``test_experiment_tags.py``,
``tests/registry/test_registry_store.py`` and ``test_transition_requests_store.py`` are imported
here and collected with this module's ``store`` fixture: a :class:`RestTrackingStore` whose
server reads an empty store per test. What passes on SQLite and PostgreSQL must pass over
HTTP: same results, same errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labtrack.store.rest.store import RestTrackingStore
from tests.mlflow_protocol.conftest import Server
from tests.registry.test_registry_store import *  # noqa: F403
from tests.registry.test_transition_requests_store import *  # noqa: F403
from tests.store.test_experiment_tags import *  # noqa: F403
from tests.store.test_store_contract import *  # noqa: F403


@pytest.fixture
def store(server: Server, home: Path) -> Iterator[RestTrackingStore]:
    rest = RestTrackingStore(server.base, server.token)
    yield rest
    rest.close()
