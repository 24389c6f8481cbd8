"""Catalog app wired to the real components from servicekit's fixtures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from pymongo import MongoClient

from catalog.app import create_app
from catalog.config import CatalogSettings
from catalog.seed.command import seed
from catalog.storage import TemplateStorage
from servicekit.mongo import connect


def make_settings(
    mongo_url: str, db_name: str, amqp_url: str, jwks_url: str, s3_endpoint: str
) -> CatalogSettings:
    return CatalogSettings.from_env(
        {},
        env="test",
        mongo_url=mongo_url,
        mongo_db=db_name,
        amqp_url=amqp_url,
        jwks_url=jwks_url,
        s3_endpoint=s3_endpoint,
        s3_bucket=f"catalog-{uuid.uuid4().hex[:10]}",
        outbox_poll_seconds=0.05,
    )


@pytest.fixture
def settings(mongo_url, mongo_db, amqp_url, jwks_issuer, s3_endpoint) -> CatalogSettings:
    return make_settings(mongo_url, mongo_db.name, amqp_url, jwks_issuer.url, s3_endpoint)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def storage(settings) -> TemplateStorage:
    return TemplateStorage.from_settings(settings)


@pytest.fixture
def seeded(settings, storage):
    """The seed data loaded into this test's database; returns what the seed wrote."""
    return seed(connect(settings), storage)


@dataclass
class SharedCatalog:
    settings: CatalogSettings
    client: FlaskClient

    @property
    def db(self):
        return connect(self.settings)


@pytest.fixture(scope="module")
def shared(mongo_url, jwks_issuer, s3_endpoint):
    """A catalog seeded once per module, in a database of its own. Tests that write to it use
    codes no other test of the module uses; nothing here publishes to the broker."""
    db_name = f"t_mod_{uuid.uuid4().hex[:10]}"
    settings = make_settings(
        mongo_url, db_name, "amqp://guest:guest@127.0.0.1:5672//", jwks_issuer.url, s3_endpoint
    )
    seed(connect(settings), TemplateStorage.from_settings(settings))
    yield SharedCatalog(settings, create_app(settings).test_client())
    MongoClient(mongo_url).drop_database(db_name)


@pytest.fixture(scope="module")
def seeded_client(shared) -> FlaskClient:
    """A client on the module's seeded catalog, for tests that only read."""
    return shared.client


@pytest.fixture
def admin(jwks_issuer) -> dict[str, str]:
    return jwks_issuer.headers(sub="admin-1", role="admin")
