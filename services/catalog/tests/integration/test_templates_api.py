"""Form templates are real files in the S3 store, streamed through the procedure."""

import io
import zipfile

from catalog.seed.loader import load
from catalog.seed.templates import DOCX_CONTENT_TYPE, render_docx

TEMPLATES = {t["id"]: t for t in load().templates}


def test_level_two_procedure_offers_its_form_for_download(seeded_client):
    detail = seeded_client.get("/procedures/1.012755").get_json()
    files = [c["template_file"] for c in detail["components"] if c["template_file"]]
    assert [f["id"] for f in files] == ["don-dang-ky-dat-dai-mau-04dk"]
    response = seeded_client.get(files[0]["path"])
    assert response.status_code == 200
    assert response.mimetype == DOCX_CONTENT_TYPE
    assert "don-dang-ky-dat-dai-mau-04dk.docx" in response.headers["Content-Disposition"]
    assert response.data == render_docx(TEMPLATES["don-dang-ky-dat-dai-mau-04dk"])
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "ĐƠN ĐĂNG KÝ ĐẤT ĐAI" in archive.read("word/document.xml").decode()
    assert int(response.headers["Content-Length"]) == len(response.data) == files[0]["size"]


def test_a_template_the_procedure_does_not_offer_is_404(seeded_client):
    response = seeded_client.get("/procedures/1.012755/templates/to-khai-dang-ky-khai-sinh")
    assert response.status_code == 404
    assert seeded_client.get("/procedures/1.999999/templates/x").status_code == 404


def test_every_referenced_template_downloads(seeded_client):
    listing = seeded_client.get("/procedures", query_string={"per_page": 100}).get_json()
    downloaded = set()
    for item in listing["items"]:
        detail = seeded_client.get(f"/procedures/{item['code']}").get_json()
        for component in detail["components"]:
            if component["template_file"]:
                response = seeded_client.get(component["template_file"]["path"])
                assert response.status_code == 200, component["template_file"]
                downloaded.add(component["template_file"]["id"])
    assert downloaded == set(TEMPLATES)


def test_admin_uploads_a_template_that_a_new_procedure_offers(shared, admin, jwks_issuer):
    client = shared.client
    content = b"%PDF-1.4\n% mau don thu nghiem\n"
    form = {"id": "mau-thu-nghiem", "title": "Mẫu đơn thử nghiệm"}

    def upload(headers, name="mau.pdf"):
        data = {**form, "file": (io.BytesIO(content), name)}
        return client.post(
            "/admin/templates", data=data, headers=headers, content_type="multipart/form-data"
        )

    assert upload(jwks_issuer.headers(role="citizen")).status_code == 403
    rejected = upload(admin, name="mau.exe")
    assert rejected.status_code == 422 and "file" in rejected.get_json()["errors"]
    stored = upload(admin)
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json()["size"] == len(content)

    procedure = {
        "code": "1.999003",
        "name": "Thủ tục có mẫu đơn tải lên",
        "field": "Chứng thực",
        "level": 2,
        "online_mode": "mot_phan",
        "applicants": ["Công dân Việt Nam"],
        "steps": ["Tải mẫu đơn", "Nộp tại quầy"],
        "agencies": ["000.00.21.H26"],
        "methods": [{"channel": "truc_tiep", "processing_days": 1, "fee_vnd": 0}],
        "components": [
            {"code": "don", "name": "Đơn", "required": True, "template": "mau-thu-nghiem"}
        ],
    }
    assert client.post("/admin/procedures", json=procedure, headers=admin).status_code == 201
    assert client.post("/admin/procedures/1.999003/publish", headers=admin).status_code == 200
    path = client.get("/procedures/1.999003").get_json()["components"][0]["template_file"]["path"]
    download = client.get(path)
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == "application/pdf"


def test_procedure_referencing_an_unknown_template_is_rejected(shared, admin):
    client = shared.client
    procedure = {
        "code": "1.999004",
        "name": "Thủ tục thiếu mẫu",
        "field": "Chứng thực",
        "level": 2,
        "online_mode": "mot_phan",
        "applicants": ["Công dân"],
        "steps": ["Nộp"],
        "agencies": ["000.00.21.H26"],
        "methods": [{"channel": "truc_tiep", "processing_days": 1}],
        "components": [{"code": "don", "name": "Đơn", "required": True, "template": "khong-co"}],
    }
    response = client.post("/admin/procedures", json=procedure, headers=admin)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["components.0.template"]
