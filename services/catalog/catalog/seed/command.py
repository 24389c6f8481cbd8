"""Load the seed data into a running catalog: ``python -m catalog.seed``.

Idempotent and respectful of administrators: each seeded agency and procedure remembers a
fingerprint of the seed entry it came from. Running the seed again writes nothing when the
entry is unchanged; a changed entry is applied (a new published version, an agency update)
only while the last write to that record was the seed's own — what an administrator edited
is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from typing import Any

from pymongo.database import Database

from catalog import handlers, repository
from catalog.config import CatalogSettings
from catalog.domain.agency import parse_agency_code
from catalog.seed.loader import SeedData, load
from catalog.seed.templates import DOCX_CONTENT_TYPE, render_docx
from catalog.storage import TemplateStorage
from servicekit.logging import configure_logging
from servicekit.mongo import connect

log = logging.getLogger("catalog.seed")
SEED = "seed"


def fingerprint(entry: dict[str, Any]) -> str:
    canonical = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seed_may_write(document: dict[str, Any] | None, sha: str) -> bool | None:
    """``None``: nothing to do; ``True``: the seed may write; ``False``: an admin owns it."""
    if document is None:
        return True
    if document.get("seed_sha") == sha:
        return None
    return document.get("last_source") == SEED


def seed_agency(db: Database, agency: dict[str, Any]) -> bool:
    sha = fingerprint(agency)
    existing = repository.get_agency(db, agency["code"])
    owned = seed_may_write(existing, sha)
    if not owned:
        if owned is False:
            log.info(
                "agency edited by an administrator; seed skips it",
                extra={"fields": {"code": agency["code"]}},
            )
        return False
    _, changed = handlers.save_agency(
        db, agency, create=existing is None, source=SEED, seed_sha=sha
    )
    return changed


def seed_procedure(db: Database, definition: dict[str, Any]) -> bool:
    sha = fingerprint(definition)
    document = repository.get_procedure(db, definition["code"])
    owned = seed_may_write(document, sha)
    if not owned:
        if owned is False:
            log.info(
                "procedure edited by an administrator; seed skips it",
                extra={"fields": {"code": definition["code"]}},
            )
        return False
    handlers.save_procedure(db, definition, create=document is None, source=SEED, seed_sha=sha)
    handlers.publish_procedure(db, definition["code"], source=SEED, seed_sha=sha)
    return True


def seed(db: Database, storage: TemplateStorage, data: SeedData | None = None) -> Counter:
    """Write the seed data; returns counts of what was actually written."""
    data = data or load()
    written: Counter = Counter()
    repository.create_indexes(db)
    storage.ensure_bucket()
    for province in data.provinces:
        repository.upsert_province(db, province)
    written["provinces"] = len(data.provinces)
    # parents before children
    for agency in sorted(
        data.agencies, key=lambda a: (parse_agency_code(a["code"]).depth, a["code"])
    ):
        written["agencies"] += seed_agency(db, agency)
    for template in data.templates:
        written["templates"] += handlers.store_template(
            db, storage, template, render_docx(template), DOCX_CONTENT_TYPE
        )
    for definition in data.procedures:
        written["procedures_published"] += seed_procedure(db, definition)
    return written


def main() -> None:
    settings = CatalogSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    written = seed(connect(settings), TemplateStorage.from_settings(settings))
    log.info("seeded", extra={"fields": dict(written)})
    print("catalog seed:", ", ".join(f"{k}={v}" for k, v in sorted(written.items())))
