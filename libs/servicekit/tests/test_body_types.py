"""Request bodies: JSON everywhere, multipart only where the endpoint takes form fields or
files (flask-smorest ``location="form"/"files"``), everything else a 415."""
import sys
from pathlib import Path

import pytest

from servicekit.web import argument_locations

sys.path.insert(0, str(Path(__file__).parent))
from sample_web import create_app  # noqa: E402  (libs/servicekit/tests/sample_web.py)

MULTIPART = "multipart/form-data; boundary=xyz"
FORM_PART = b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--xyz--\r\n'
UPLOAD = (b'--xyz\r\nContent-Disposition: form-data; name="label"\r\n\r\nCCCD\r\n'
          b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
          b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--xyz--\r\n")


@pytest.fixture
def client():
    return create_app().test_client()


def test_multipart_to_a_json_endpoint_is_a_415_and_changes_nothing(client):
    response = client.patch("/notes/1", data=FORM_PART, content_type=MULTIPART)
    assert response.status_code == 415
    assert response.json["code"] == 415 and response.json["message"]
    assert client.get("/notes/1").json == {"title": "Tờ khai gốc"}


def test_multipart_to_an_unknown_path_is_refused_too(client):
    assert client.post("/nowhere", data=FORM_PART, content_type=MULTIPART).status_code == 415


@pytest.mark.parametrize("path, expected", [
    ("/uploads", {"label": "CCCD", "size": 8}),  # a MethodView behind a wraps decorator
    ("/avatars", {"size": 8}),                   # a plain function view
])
def test_upload_endpoints_take_multipart(client, path, expected):
    response = client.post(path, data=UPLOAD, content_type=MULTIPART)
    assert response.status_code == 201, response.json
    assert response.json == expected


def test_json_still_works_and_other_types_stay_refused_on_uploads(client):
    assert client.patch("/notes/1", json={"title": "Mới"}).json == {"title": "Mới"}
    response = client.post("/uploads", data="label=x", content_type="text/plain")
    assert response.status_code == 415


def test_argument_locations_are_read_from_what_flask_smorest_records():
    app = create_app()
    assert argument_locations(app.view_functions["sample.Uploads"], "POST") == {"form",
                                                                                 "files"}
    assert argument_locations(app.view_functions["sample.avatars"], "POST") == {"files"}
    assert argument_locations(app.view_functions["sample.Note"], "PATCH") == {"json"}
    assert argument_locations(app.view_functions["sample.Note"], "DELETE") == set()
    assert argument_locations(None, "POST") == set()
