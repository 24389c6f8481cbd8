"""Agency listing, filters and tree queries."""


def test_list_by_province_with_paging(seeded_client):
    first = seeded_client.get("/agencies", query_string={"province": "79", "per_page": 5})
    body = first.get_json()
    assert first.status_code == 200
    assert body["total"] == 22 and body["pages"] == 5 and len(body["items"]) == 5
    assert body["items"][0]["code"] == "000.00.00.H29"  # root first: sorted by depth, code
    assert all(item["province"] == "79" for item in body["items"])


def test_children_by_parent_filter_and_endpoint(seeded_client):
    police = "000.00.06.H26"
    listed = seeded_client.get("/agencies", query_string={"parent": police}).get_json()["items"]
    endpoint = seeded_client.get(f"/agencies/{police}/children").get_json()["items"]
    expected = ["000.01.06.H26", "000.02.06.H26", "000.03.06.H26", "000.04.06.H26"]
    assert [a["code"] for a in listed] == expected
    assert [a["code"] for a in endpoint] == expected
    assert {a["kind"] for a in listed} == {"cong_an_xa"}


def test_subtree_and_ancestors(seeded_client):
    under = seeded_client.get("/agencies", query_string={"under": "000.00.04.H17"}).get_json()
    assert [a["code"] for a in under["items"]] == ["000.01.04.H17"]
    everything = seeded_client.get(
        "/agencies", query_string={"under": "000.00.00.H17", "per_page": 100}
    ).get_json()
    assert everything["total"] == 20  # every Đà Nẵng agency but the root itself
    chain = seeded_client.get("/agencies/000.01.21.H29/ancestors").get_json()["items"]
    assert [a["code"] for a in chain] == ["000.00.00.H29", "000.00.21.H29"]


def test_agency_detail_has_ancestors_children_and_province(seeded_client):
    detail = seeded_client.get("/agencies/000.00.21.H26").get_json()
    assert detail["name"] == "Ủy ban nhân dân phường Hoàn Kiếm"
    assert [a["code"] for a in detail["ancestors"]] == ["000.00.00.H26"]
    assert [a["code"] for a in detail["children"]] == ["000.01.21.H26"]
    assert detail["province_name"] == "Thành phố Hà Nội"


def test_filter_by_kind_and_accent_free_name(seeded_client):
    centres = seeded_client.get(
        "/agencies", query_string={"kind": "trung_tam_phvhcc", "province": "48"}
    ).get_json()
    assert centres["total"] == 5
    found = seeded_client.get("/agencies", query_string={"q": "phuong hoan kiem"}).get_json()
    assert {a["code"] for a in found["items"]} == {
        "000.00.21.H26",
        "000.01.21.H26",
        "000.01.06.H26",
    }


def test_unknown_agency_is_404_in_the_error_shape(seeded_client):
    response = seeded_client.get("/agencies/000.00.99.H26")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404 and "000.00.99.H26" in response.get_json()["message"]
    assert seeded_client.get("/agencies/000.00.99.H26/children").status_code == 404


def test_provinces_list_has_34(seeded_client):
    items = seeded_client.get("/provinces").get_json()["items"]
    assert len(items) == 34 and items[0]["code"] == "01"
