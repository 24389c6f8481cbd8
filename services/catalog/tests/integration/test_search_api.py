"""Search, ranking, filters and paging of GET /procedures against nx-27017."""

import pytest

from catalog.seed.loader import load

SEED_CODES = sorted(p["code"] for p in load().procedures)


def codes(response):
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "Đăng ký khai sinh",
        "đăng ký KHAI sinh",
        "dang ky khai sinh   ",
    ],
)
def test_accent_and_case_insensitive_search_finds_birth_registration_first(seeded_client, query):
    response = seeded_client.get("/procedures", query_string={"q": query})
    found = codes(response)
    assert found[0] == "1.001193"
    assert response.get_json()["items"][0]["match"] == "name_prefix"


def test_d_with_stroke_matches_plain_d(seeded_client):
    assert "1.004222" in codes(
        seeded_client.get("/procedures", query_string={"q": "dang ky thuong tru"})
    )
    assert "1.004222" in codes(
        seeded_client.get("/procedures", query_string={"q": "Đăng Ký thường trú"})
    )


def test_ranking_exact_code_then_name_prefix_then_name_words_then_keywords(seeded_client):
    items = seeded_client.get("/procedures", query_string={"q": "dang ky thuong tru"}).get_json()[
        "items"
    ]
    assert [(i["code"], i["match"]) for i in items] == [
        ("1.004222", "name_prefix"),
        ("3.000722", "name_words"),
    ]
    by_code = seeded_client.get("/procedures", query_string={"q": "1.014137"}).get_json()["items"]
    assert [(i["code"], i["match"]) for i in by_code] == [("1.014137", "exact_code")]
    keywords = seeded_client.get("/procedures", query_string={"q": "so do"}).get_json()["items"]
    assert [(i["code"], i["match"]) for i in keywords] == [("1.012755", "keywords")]


def test_name_words_rank_above_keywords(seeded_client):
    items = seeded_client.get("/procedures", query_string={"q": "can cuoc"}).get_json()["items"]
    matches = [i["match"] for i in items]
    assert matches == sorted(
        matches, key=["exact_code", "name_prefix", "name_words", "keywords"].index
    )
    assert items[0]["code"] == "1.116410"


def test_no_match_gives_an_empty_page_with_total_zero(seeded_client):
    body = seeded_client.get("/procedures", query_string={"q": "xyz khong co"}).get_json()
    assert (body["items"], body["total"], body["pages"]) == ([], 0, 0)


def test_filters_by_level_field_and_agency(seeded_client):
    assert codes(seeded_client.get("/procedures", query_string={"level": 2})) == ["1.012755"]
    assert codes(seeded_client.get("/procedures", query_string={"level": 1})) == ["2.000815"]
    civil = codes(
        seeded_client.get("/procedures", query_string={"field": "ho tich", "per_page": 50})
    )
    assert civil == ["1.000656", "1.000894", "1.001193", "2.000635"]
    police_ward = codes(seeded_client.get("/procedures", query_string={"agency": "000.01.06.H29"}))
    assert police_ward == ["1.004194", "1.004222", "1.116410"]
    both = codes(
        seeded_client.get(
            "/procedures", query_string={"agency": "000.01.06.H29", "q": "thuong tru"}
        )
    )
    assert both == ["1.004222"]


def test_paging_without_query_covers_everything_once(seeded_client):
    pages = [
        seeded_client.get("/procedures", query_string={"page": n, "per_page": 4}).get_json()
        for n in (1, 2, 3, 4, 5)
    ]
    assert [p["total"] for p in pages] == [len(SEED_CODES)] * 5
    assert pages[0]["pages"] == 4
    assert [len(p["items"]) for p in pages] == [4, 4, 4, 3, 0]
    assert [i["code"] for p in pages for i in p["items"]] == SEED_CODES


def test_paging_keeps_the_ranking_order(seeded_client):
    everything = codes(
        seeded_client.get("/procedures", query_string={"q": "dang ky", "per_page": 100})
    )
    assert len(everything) >= 4
    paged = []
    for page in (1, 2, 3):
        response = seeded_client.get(
            "/procedures", query_string={"q": "dang ky", "page": page, "per_page": 2}
        )
        assert response.get_json()["total"] == len(everything)
        paged += codes(response)
    assert paged == everything[:6]


def test_invalid_query_parameters_are_field_level_errors(seeded_client):
    response = seeded_client.get("/procedures", query_string={"level": 7, "per_page": 1000})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"level", "per_page"}
