"""Submission in-process against real components: nx-27017, moto S3, RabbitMQ (when needed)."""
import uuid
from datetime import UTC, datetime

import pytest

from servicekit.testing.files import minimal_pdf
from submission import repository
from submission.app import create_app
from submission.config import SubmissionSettings
from submission.consumers import procedure_from_event
from submission.domain.calendar import VN_TZ

AGENCY = "000.00.31.H29"
OTHER_AGENCY = "000.00.12.H29"

# As catalog.procedure_published carries it (catalog's definition + version, processing_days).
PROCEDURE = {
    "code": "1.001193",
    "version": 2,
    "name": "Thủ tục đăng ký khai sinh",
    "level": 3,
    "online_mode": "mot_phan",
    "processing_days": 1,
    "methods": [{"channel": "truc_tuyen", "processing_days": 1, "fee_vnd": 0}],
    "components": [
        {"code": "giay_chung_sinh", "name": "Giấy chứng sinh", "required": True,
         "file_types": ["pdf", "jpg", "png"], "max_size_mb": 5},
        {"code": "anh_the", "name": "Ảnh", "required": False, "file_types": ["png"]},
        {"code": "ban_ve", "name": "Bản vẽ", "required": False, "file_types": ["pdf"],
         "max_size_mb": 11},
    ],
    "agencies": [AGENCY, OTHER_AGENCY],
    "eform": {"fields": [
        {"name": "ho_ten_tre", "label": "Họ và tên trẻ", "type": "text", "required": True},
        {"name": "ngay_sinh_tre", "label": "Ngày sinh của trẻ", "type": "date",
         "required": True, "max": "today"},
        {"name": "ho_ten_nguoi_yeu_cau", "label": "Họ tên người yêu cầu", "type": "text",
         "prefill": "full_name"},
        {"name": "dien_thoai", "label": "Số điện thoại", "type": "phone", "prefill": "phone"},
    ]},
}

# As catalog.agency_changed carries them.
AGENCIES = [
    {"code": AGENCY, "name": "UBND Phường Bến Thành", "province": "79", "active": True},
    {"code": OTHER_AGENCY, "name": "UBND Phường Sài Gòn", "province": "79", "active": True},
]

FORM = {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh_tre": "2026-02-01"}
APPLICANT = {"full_name": "Nguyễn Văn An", "cccd": "079203001234", "phone": "0912345678"}
# The verified identity identity's events give a test account (it binds the applicant);
# every citizen of these tests is this person unless a test says otherwise.
IDENTITY = {"cccd": "079203001234", "full_name": "Nguyễn Văn An", "date_of_birth": "2003-04-05"}
PDF = minimal_pdf("giay chung sinh")  # parses: uploads are checked by structure
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    """A controllable clock (Asia/Ho_Chi_Minh wall time in, aware UTC out)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, y, m, d, hh=0, mm=0) -> None:
        self.moment = datetime(y, m, d, hh, mm, tzinfo=VN_TZ).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def settings(mongo_url, mongo_db, s3_endpoint, jwks_issuer):
    return SubmissionSettings.from_env(
        {}, env="test", mongo_url=mongo_url, mongo_db=mongo_db.name, s3_endpoint=s3_endpoint,
        s3_bucket=f"t-{uuid.uuid4().hex[:12]}", jwks_url=jwks_issuer.url,
        amqp_url="amqp://guest:guest@127.0.0.1:1//",  # replaced where a test needs the bus
        component_max_bytes=10 * 1024 * 1024, dossier_max_bytes=12 * 1024 * 1024,
        tracking_url="https://motcua.test/tra-cuu?code={code}")


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))  # Mon 2/3/2026 08:30 in Vietnam


@pytest.fixture
def app(settings, clock, mongo_db):
    app = create_app(settings)
    app.extensions["submission"].clock = clock
    seed_catalog(mongo_db, app.extensions["submission"].sealer)
    return app


def seed_catalog(db, sealer=None):
    """The local copies the worker would have built from catalog's and identity's events
    (the identities sealed with ``sealer``, the development keys by default)."""
    sealer = sealer or SubmissionSettings().sealer()
    repository.upsert_procedure(db, procedure_from_event(PROCEDURE))
    for agency in AGENCIES:
        repository.upsert_agency(db, agency, 1)
    for user_id in ("citizen-1", "citizen-42"):
        repository.put_verified_identity(db, user_id, IDENTITY, 1, sealer=sealer)


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Small helpers over the test client for the calls every test makes."""

    def __init__(self, client, issuer, db, sealer):
        self.client = client
        self.issuer = issuer
        self.db = db
        self.sealer = sealer

    def citizen(self, sub="citizen-1", identity=None):
        """A citizen's headers; the account's verified identity as identity's events give
        it (``IDENTITY`` unless told)."""
        repository.put_verified_identity(self.db, sub, identity or IDENTITY, 1,
                                         sealer=self.sealer)
        return self.issuer.headers(sub=sub, role="citizen")

    def officer(self, agency=AGENCY, sub="officer-1"):
        return self.issuer.headers(sub=sub, role="officer", agency=agency, province="79")

    def admin(self):
        return self.issuer.headers(sub="admin-1", role="admin")

    def create(self, headers=None, **extra):
        response = self.client.post("/dossiers", json={"procedure_code": "1.001193",
                                                       "agency_code": AGENCY},
                                    headers={**(headers or self.citizen()), **extra})
        assert response.status_code == 201, response.json
        return response.json

    def upload(self, dossier_id, content=PDF, name="giay_chung_sinh.pdf",
               document_type="giay_chung_sinh", headers=None):
        import io

        return self.client.post(
            f"/dossiers/{dossier_id}/attachments",
            data={"document_type": document_type, "file": (io.BytesIO(content), name)},
            headers=headers or self.citizen(), content_type="multipart/form-data")

    def fill(self, dossier_id, headers=None):
        """Complete form, applicant and the required document."""
        headers = headers or self.citizen()
        response = self.client.patch(f"/dossiers/{dossier_id}",
                                     json={"form": FORM, "applicant": APPLICANT},
                                     headers=headers)
        assert response.status_code == 200, response.json
        assert self.upload(dossier_id, headers=headers).status_code == 201

    def ready_draft(self, headers=None):
        headers = headers or self.citizen()
        dossier = self.create(headers)
        self.fill(dossier["id"], headers)
        return dossier

    def submitted(self, headers=None):
        dossier = self.ready_draft(headers)
        response = self.client.post(f"/dossiers/{dossier['id']}/submit",
                                    headers=headers or self.citizen())
        assert response.status_code == 200, response.json
        return response.json

    def act(self, dossier_id, action, headers=None, **inputs):
        return self.client.post(f"/dossiers/{dossier_id}/actions",
                                json={"action": action, **inputs},
                                headers=headers or self.officer())


@pytest.fixture
def api(client, jwks_issuer, mongo_db, app):
    return Api(client, jwks_issuer, mongo_db, app.extensions["submission"].sealer)


@pytest.fixture
def sample():
    """The procedure, form values and applicant the tests use."""
    return {"procedure": PROCEDURE, "form": FORM, "applicant": APPLICANT,
            "seed": seed_catalog}
