"""Baseline apps served under the same gunicorn settings as the services.

- ``bare``: a Flask app answering a small JSON body (the framework floor).
- ``bare_write``: an endpoint doing the Mongo writes of a submission and nothing else: the
  per-agency per-day counter (find_one_and_update $inc upsert) and one dossier update
  carrying its status change and outbox event.

    gunicorn 'bench.baselines:bare()'   /   gunicorn 'bench.baselines:bare_write()'
"""
from __future__ import annotations

import json
import os
import uuid

from flask import Flask, jsonify
from pymongo import MongoClient, ReturnDocument


def bare() -> Flask:
    app = Flask("bare")

    @app.get("/ping")
    def ping():
        return jsonify(status="ok", results=[{"code": "000.00.31.H29-261128-0001"}])

    return app


def bare_write() -> Flask:
    app = Flask("bare_write")
    db = MongoClient(os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"),
                     tz_aware=True)[os.environ.get("MONGO_DB", "bench_baseline")]

    @app.get("/ping")
    def ping():
        return jsonify(status="ok")

    @app.post("/write")
    def write():
        counter = db.counters.find_one_and_update(
            {"_id": "000.00.31.H29:261128"}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        dossier_id = uuid.uuid4().hex
        event_id = str(uuid.uuid4())
        db.dossiers.insert_one({"_id": dossier_id, "status": "draft", "version": 1})
        body = json.dumps({"id": event_id, "type": "dossier.submitted",
                           "data": {"code": f"X-{counter['seq']:04d}"}})
        db.dossiers.update_one(
            {"_id": dossier_id, "version": 1},
            {"$set": {"status": "submitted", "version": 2,
                      f"outbox.{event_id}": {"type": "dossier.submitted", "body": body}},
             "$inc": {"outbox_pending": 1}})
        return jsonify(code=f"X-{counter['seq']:04d}"), 201

    return app
