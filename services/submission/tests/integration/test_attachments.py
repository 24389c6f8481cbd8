"""Upload refusals (each a clear 4xx with nothing stored) and downloads."""
import pytest
import requests

from servicekit.testing import files
from servicekit.testing.files import minimal_pdf

PDF = minimal_pdf("giay chung sinh")  # parses: uploads are checked by structure
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def stored_objects(app, dossier_id):
    store = app.extensions["submission"].store
    return list(store.client.list_objects(store.bucket, prefix=f"dossiers/{dossier_id}/",
                                          recursive=True))


@pytest.mark.parametrize("content,name,document_type,status,fragment", [
    (EXE, "giay_chung_sinh.pdf", "giay_chung_sinh", 415, "không phải định dạng .pdf"),
    (b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024), "lon.pdf", "giay_chung_sinh", 413,
     "vượt quá dung lượng"),
    (PDF, "anh.pdf", "anh_the", 415, "không được chấp nhận"),
    (PDF, "../../etc/passwd.pdf", "giay_chung_sinh", 400, "đường dẫn"),
    (PDF, "..\\..\\windows\\x.pdf", "giay_chung_sinh", 400, "đường dẫn"),
    (PDF, "giay.pdf", "khong_co", 422, "không có trong thành phần"),
])
def test_upload_refusals_store_nothing(api, app, client, content, name, document_type,
                                       status, fragment):
    dossier = api.create()
    response = api.upload(dossier["id"], content=content, name=name,
                          document_type=document_type)
    assert response.status_code == status, response.json
    assert fragment in response.json["message"]
    assert response.json["code"] == status
    assert stored_objects(app, dossier["id"]) == []
    assert client.get(f"/dossiers/{dossier['id']}",
                      headers=api.citizen()).json["attachments"] == []


def test_upload_records_metadata_and_streams_to_the_store(api, app, client):
    dossier = api.create()
    response = api.upload(dossier["id"], name="Giấy chứng sinh.pdf")
    assert response.status_code == 201
    attachment = response.json
    assert attachment["file_name"] == "Giấy chứng sinh.pdf"
    assert attachment["size"] == len(PDF) and attachment["content_type"] == "application/pdf"
    import hashlib

    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert "object_key" not in attachment
    [obj] = stored_objects(app, dossier["id"])
    assert attachment["id"] not in obj.object_name  # keys are unguessable, not the id


def test_owner_downloads_through_a_short_lived_link_and_streaming(api, client):
    dossier = api.create()
    attachment = api.upload(dossier["id"]).json
    url = f"/dossiers/{dossier['id']}/attachments/{attachment['id']}"
    link = client.get(url, headers=api.citizen())
    assert link.status_code == 200 and link.json["expires_in"] <= 600
    assert "X-Amz-Expires=300" in link.json["url"]
    assert requests.get(link.json["url"], timeout=5).content == PDF
    streamed = client.get(url + "/content", headers=api.citizen())
    assert streamed.status_code == 200 and streamed.data == PDF


def test_per_dossier_total_is_limited(api, client, settings):
    # settings: 12 MB per dossier; the component allows 5 MB → the third 4.5 MB file fails.
    dossier = api.create()
    big = minimal_pdf(pad=4_500_000)
    assert api.upload(dossier["id"], content=big, name="a.pdf").status_code == 201
    assert api.upload(dossier["id"], content=big, name="b.pdf").status_code == 201
    third = api.upload(dossier["id"], content=big, name="c.pdf")
    assert third.status_code == 413 and "Tổng dung lượng" in third.json["message"]


def test_no_uploads_after_submission(api):
    dossier = api.submitted()
    response = api.upload(dossier["id"])
    assert response.status_code == 409


def test_store_down_is_503_and_records_nothing(api, app, client):
    from submission.storage import AttachmentStore

    dossier = api.create()
    services = app.extensions["submission"]
    services.store = AttachmentStore("http://127.0.0.1:1", "k", "s", "bucket")
    response = api.upload(dossier["id"])
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert client.get(f"/dossiers/{dossier['id']}",
                      headers=api.citizen()).json["attachments"] == []


def test_concurrent_uploads_to_one_dossier_are_all_kept(api, app, client):
    import io
    import threading

    dossier = api.create()
    headers = api.citizen()
    barrier = threading.Barrier(4)
    statuses = []

    def upload(index):
        local = app.test_client()
        barrier.wait()
        response = local.post(
            f"/dossiers/{dossier['id']}/attachments",
            data={"document_type": "giay_chung_sinh", "file": (io.BytesIO(PDF), f"f{index}.pdf")},
            headers=headers, content_type="multipart/form-data")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4
    detail = client.get(f"/dossiers/{dossier['id']}", headers=headers).json
    assert sorted(a["file_name"] for a in detail["attachments"]) == [
        "f0.pdf", "f1.pdf", "f2.pdf", "f3.pdf"]
    assert len(stored_objects(app, dossier["id"])) == 4


def test_component_limit_from_catalog_overrides_the_default(api, settings):
    # settings: 10 MB default; the "ban_ve" component allows 11 MB → a 10.5 MB file passes.
    dossier = api.create()
    content = minimal_pdf(pad=10 * 1024 * 1024 + 512 * 1024)
    assert len(content) > settings.component_max_bytes
    response = api.upload(dossier["id"], content=content, name="ban_ve.pdf",
                          document_type="ban_ve")
    assert response.status_code == 201, response.json


# ---- structure checks and the virus scanner (issue 20, finding 14) -------------------------
@pytest.mark.parametrize("content,name,status", [
    (files.pdf_html_polyglot(), "giay_chung_sinh.pdf", 422),
    (files.pdf_with_javascript(), "giay_chung_sinh.pdf", 422),
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "giay_chung_sinh.pdf", 415),
    (files.minimal_png(trailing=b"<html><script>x</script>"), "giay_chung_sinh.png", 422),
])
def test_hostile_content_is_refused_and_nothing_stored(api, app, client, content, name, status):
    dossier = api.create()
    response = api.upload(dossier["id"], content=content, name=name)
    assert response.status_code == status, response.json
    assert response.json["code"] == status and response.json["message"]
    assert stored_objects(app, dossier["id"]) == []
    assert client.get(f"/dossiers/{dossier['id']}",
                      headers=api.citizen()).json["attachments"] == []


@pytest.fixture
def clamd(app):
    from servicekit.testing.clamd import FakeClamd
    from submission.scanning import ClamdScanner

    server = FakeClamd()
    app.extensions["submission"].scanner = ClamdScanner("127.0.0.1", server.port, timeout=5)
    yield server
    server.close()


def test_with_clamd_on_an_infected_file_is_refused_and_a_clean_one_kept(api, app, client,
                                                                       clamd):
    dossier = api.create()
    infected = files.minimal_pdf(trailing=files.EICAR)
    refused = api.upload(dossier["id"], content=infected, name="giay_chung_sinh.pdf")
    assert refused.status_code == 422 and "mã độc" in refused.json["message"]
    assert stored_objects(app, dossier["id"]) == []
    assert api.upload(dossier["id"]).status_code == 201
    assert len(clamd.received) == 2 and clamd.received[1] == PDF
    assert len(stored_objects(app, dossier["id"])) == 1


def test_a_configured_scanner_that_is_down_refuses_with_503(api, app, client):
    import socket

    from submission.scanning import ClamdScanner

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    app.extensions["submission"].scanner = ClamdScanner("127.0.0.1", port, timeout=2)
    dossier = api.create()
    response = api.upload(dossier["id"])
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "mã độc" in response.json["message"]
    assert stored_objects(app, dossier["id"]) == []
