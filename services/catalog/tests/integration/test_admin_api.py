"""Admin API: roles, versioning rules and validation that writes nothing."""

import copy
import itertools

import pytest

from catalog.seed.loader import load

RESIDENCE = next(p for p in load().procedures if p["code"] == "1.004222")
_codes = itertools.count(1)


def fresh_code() -> str:
    """A procedure code no other test of this module uses (they share one catalog)."""
    return f"1.99{next(_codes):04d}"


@pytest.fixture
def client(shared):
    return shared.client


def new_procedure(**overrides):
    body = {
        "code": fresh_code(),
        "name": "Cấp giấy xác nhận thử nghiệm",
        "field": "Hộ tịch",
        "level": 3,
        "online_mode": "mot_phan",
        "applicants": ["Công dân Việt Nam"],
        "steps": ["Nộp hồ sơ trực tuyến", "Nhận kết quả"],
        "agencies": ["000.00.21.H26"],
        "methods": [
            {"channel": "truc_tuyen", "processing_days": 3, "fee_vnd": 0, "fee_text": "Miễn phí"}
        ],
        "components": [
            {
                "code": "to-khai",
                "name": "Tờ khai",
                "required": True,
                "file_types": ["pdf"],
                "max_size_mb": 5,
            }
        ],
        "eform": {
            "fields": [
                {
                    "name": "ho_ten",
                    "type": "text",
                    "label": "Họ và tên",
                    "required": True,
                    "prefill": "full_name",
                },
                {
                    "name": "loai",
                    "type": "select",
                    "label": "Loại giấy",
                    "options": [{"value": "a", "label": "Loại A"}],
                },
            ]
        },
    }
    body.update(overrides)
    return body


def test_admin_routes_need_an_admin(client, jwks_issuer):
    assert client.post("/admin/procedures", json=new_procedure()).status_code == 401
    citizen = jwks_issuer.headers(role="citizen")
    officer = jwks_issuer.headers(role="officer", agency="000.00.21.H26", province="01")
    assert (
        client.post("/admin/procedures", json=new_procedure(), headers=citizen).status_code == 403
    )
    assert client.post("/admin/procedures/1.001193/publish", headers=officer).status_code == 403
    assert client.get("/admin/procedures/1.001193", headers=citizen).status_code == 403


def test_create_publish_then_edit_makes_version_two_and_both_stay_readable(client, admin):
    code = fresh_code()
    created = client.post("/admin/procedures", json=new_procedure(code=code), headers=admin)
    assert created.status_code == 201
    assert [v["status"] for v in created.get_json()["versions"]] == ["draft"]
    assert client.get(f"/procedures/{code}").status_code == 404  # drafts are not public

    published = client.post(f"/admin/procedures/{code}/publish", headers=admin)
    assert published.status_code == 200 and published.get_json()["version"] == 1
    v1 = client.get(f"/procedures/{code}").get_json()

    edited = client.put(
        f"/admin/procedures/{code}",
        headers=admin,
        json=new_procedure(code=code, name="Cấp giấy xác nhận (sửa đổi)"),
    )
    assert edited.status_code == 200
    assert [(v["version"], v["status"]) for v in edited.get_json()["versions"]] == [
        (1, "published"),
        (2, "draft"),
    ]
    assert client.get(f"/procedures/{code}").get_json() == v1  # public still sees v1

    again = client.put(
        f"/admin/procedures/{code}",
        headers=admin,
        json=new_procedure(code=code, name="Cấp giấy xác nhận (sửa lần 2)"),
    )
    assert [v["version"] for v in again.get_json()["versions"]] == [1, 2]  # the draft changed
    assert client.post(f"/admin/procedures/{code}/publish", headers=admin).status_code == 200

    latest = client.get(f"/procedures/{code}").get_json()
    old = client.get(f"/procedures/{code}", query_string={"version": 1}).get_json()
    assert (latest["version"], latest["name"]) == (2, "Cấp giấy xác nhận (sửa lần 2)")
    assert old == {**v1, "published_versions": [1, 2], "latest_published_version": 2}
    assert old["name"] == "Cấp giấy xác nhận thử nghiệm"
    search = client.get("/procedures", query_string={"q": "xac nhan sua lan 2"}).get_json()
    assert [(i["code"], i["version"]) for i in search["items"]] == [(code, 2)]


def test_publishing_a_published_version_again_is_a_conflict(client, admin):
    response = client.post("/admin/procedures/1.001193/publish", headers=admin)
    assert response.status_code == 409
    assert "đã được công bố" in response.get_json()["message"]


def test_editing_a_seeded_procedure_never_changes_its_published_version(client, admin):
    # 1.004222 here; 1.001193 must stay without a draft for the publish-conflict test
    before = client.get("/procedures/1.004222").get_json()
    changed = copy.deepcopy(RESIDENCE)
    changed["methods"][0]["processing_days"] = 2
    assert client.put("/admin/procedures/1.004222", json=changed, headers=admin).status_code == 200
    assert client.get("/procedures/1.004222").get_json() == before
    assert client.get("/procedures/1.004222", query_string={"version": 2}).status_code == 404
    _, versions = versions_of(client, admin, "1.004222")
    assert [(v["version"], v["status"]) for v in versions["versions"]] == [
        (1, "published"),
        (2, "draft"),
    ]


def versions_of(client, admin, code):
    response = client.get(f"/admin/procedures/{code}", headers=admin)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    "change,error_key",
    [
        (
            lambda b: b["eform"]["fields"].append({"name": "anh", "type": "image", "label": "Ảnh"}),
            "eform.fields.2.type",
        ),
        (lambda b: b["eform"]["fields"][1].pop("options"), "eform.fields.1.options"),
        (lambda b: b["agencies"].append("H26.000.21"), "agencies.1"),
        (lambda b: b["agencies"].append("000.00.98.H26"), "agencies.1"),
        (lambda b: b["eform"]["fields"][0].update(prefill="passport"), "eform.fields.0.prefill"),
        (
            lambda b: b["eform"]["fields"].append(
                {"name": "so", "type": "number", "label": "Số", "min": 5, "max": 1}
            ),
            "eform.fields.2.min",
        ),
        (lambda b: b.update(level=4), "online_mode"),
    ],
)
def test_invalid_procedure_is_a_field_level_error_and_writes_nothing(
    client, admin, change, error_key
):
    code = fresh_code()
    body = new_procedure(code=code)
    change(body)
    response = client.post("/admin/procedures", json=body, headers=admin)
    assert response.status_code == 422, response.get_json()
    assert error_key in response.get_json()["errors"]
    assert versions_of(client, admin, code)[0] == 404

    # the same input as an edit of an existing procedure leaves it as it was
    assert (
        client.post("/admin/procedures", json=new_procedure(code=code), headers=admin).status_code
        == 201
    )
    _, before = versions_of(client, admin, code)
    response = client.put(f"/admin/procedures/{code}", json=body, headers=admin)
    assert response.status_code == 422 and error_key in response.get_json()["errors"]
    assert versions_of(client, admin, code)[1] == before


def test_invalid_agency_input_is_a_field_level_error_and_writes_nothing(client, admin):
    total = client.get("/agencies", query_string={"per_page": 1}).get_json()["total"]
    bad = {
        "code": "000.0.41.H29",
        "name": "Phường thử",
        "kind": "ubnd_xa",
        "province": "79",
        "parent": "000.00.00.H29",
    }
    response = client.post("/admin/agencies", json=bad, headers=admin)
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["code"]
    wrong_parent = {**bad, "code": "000.01.41.H29", "parent": "000.00.00.H29"}
    response = client.post("/admin/agencies", json=wrong_parent, headers=admin)
    assert response.status_code == 422 and "parent" in response.get_json()["errors"]
    unknown_kind = {**bad, "code": "000.00.41.H29", "kind": "phuong"}
    response = client.post("/admin/agencies", json=unknown_kind, headers=admin)
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]
    assert client.get("/agencies", query_string={"per_page": 1}).get_json()["total"] == total


def test_create_and_update_agency(client, admin):
    body = {
        "code": "000.00.41.H29",
        "name": "Ủy ban nhân dân phường Thử Nghiệm",
        "kind": "ubnd_xa",
        "province": "79",
        "parent": "000.00.00.H29",
    }
    created = client.post("/admin/agencies", json=body, headers=admin)
    assert created.status_code == 201
    assert created.get_json()["ancestors"] == ["000.00.00.H29"]
    assert client.post("/admin/agencies", json=body, headers=admin).status_code == 409
    renamed = client.put(
        "/admin/agencies/000.00.41.H29",
        headers=admin,
        json={**body, "name": "Ủy ban nhân dân phường Mới"},
    )
    assert renamed.status_code == 200
    assert client.get("/agencies/000.00.41.H29").get_json()["name"] == (
        "Ủy ban nhân dân phường Mới"
    )
    assert (
        client.put(
            "/admin/agencies/000.00.42.H29", headers=admin, json={**body, "code": "000.00.42.H29"}
        ).status_code
        == 404
    )


def province_codes(client, province):
    response = client.get("/procedures", query_string={"province": province, "per_page": 100})
    return [item["code"] for item in response.get_json()["items"]]


def test_a_procedure_of_one_city_is_found_only_in_that_province(client, admin):
    hcm_before, hanoi_before = province_codes(client, "79"), province_codes(client, "01")
    assert len(hcm_before) >= 15 and len(hanoi_before) >= 15
    body = new_procedure(
        code="1.000494.000.00.00.H29",
        name="Thủ tục thí điểm riêng của Thành phố",
        agencies=["000.00.21.H29"],
    )
    assert client.post("/admin/procedures", json=body, headers=admin).status_code == 201
    publish = client.post(f"/admin/procedures/{body['code']}/publish", headers=admin)
    assert publish.status_code == 200
    assert province_codes(client, "79") == sorted([*hcm_before, body["code"]])
    assert province_codes(client, "01") == hanoi_before
