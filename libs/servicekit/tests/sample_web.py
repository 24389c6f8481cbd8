"""A small service app for the gunicorn and body-type tests: ``gunicorn 'sample_web:create_app()'``.

- ``GET|PATCH /notes/<id>``: a JSON endpoint (the patch replaces the note's title);
- ``POST /uploads``: an upload (multipart form field ``label`` and file ``file``) behind a
  ``functools.wraps`` decorator, like services' ``require_auth``;
- ``POST /avatars``: an upload as a plain function view (files only);
- ``GET /boom``: an error of the app, which Flask answers.
"""
from __future__ import annotations

import functools
import os

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from servicekit.config import ServiceSettings
from servicekit.web import create_service_app


class NoteSchema(Schema):
    title = fields.String(required=True)


class LabelSchema(Schema):
    label = fields.String(required=True)


class FileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


def audited(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


def create_app():
    settings = ServiceSettings.from_env(os.environ, service_name="sample")
    app, api = create_service_app(settings, title="sample")
    notes = {"1": {"title": "Tờ khai gốc"}}
    blp = Blueprint("sample", __name__)

    @blp.route("/notes/<note_id>")
    class Note(MethodView):
        @blp.response(200, NoteSchema)
        def get(self, note_id):
            return notes[note_id]

        @blp.arguments(NoteSchema)
        @blp.response(200, NoteSchema)
        def patch(self, note, note_id):
            notes[note_id] = note
            return note

    @blp.route("/uploads")
    class Uploads(MethodView):
        @audited
        @blp.arguments(LabelSchema, location="form")
        @blp.arguments(FileSchema, location="files")
        def post(self, form, files):
            return {"label": form["label"], "size": len(files["file"].read())}, 201

    @blp.route("/avatars", methods=["POST"])
    @blp.arguments(FileSchema, location="files")
    def avatars(files):
        return {"size": len(files["file"].read())}, 201

    @blp.route("/boom")
    def boom():
        raise RuntimeError("a bug of the app")

    api.register_blueprint(blp)
    return app
