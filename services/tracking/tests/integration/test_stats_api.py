"""Statistics over a seeded set of dossiers, checked against figures counted by hand."""
from datetime import UTC, datetime, timedelta

import pytest

from tracking.domain.statistics import VIETNAM

A, B, C = "000.00.31.H29", "000.00.32.H29", "000.00.12.H26"
NOW = datetime.now(UTC)
DAY = timedelta(days=1)


@pytest.fixture
def seeded(story, record):
    def dossier(n, agency, province, received_days_ago):
        return story(code=f"{agency}-261101-{n:04d}", agency_code=agency,
                     agency_name=f"Cơ quan {agency}", province=province,
                     applicant_id=f"citizen-{n}", received_at=NOW - received_days_ago * DAY)

    stories = [
        dossier(1, A, "79", 15).submitted().accepted(5 * DAY).completed(3 * DAY),   # on time
        dossier(2, A, "79", 15).submitted().accepted(5 * DAY).completed(7 * DAY),   # late
        dossier(3, A, "79", 14).submitted().accepted(5 * DAY).processing(),         # overdue
        dossier(4, A, "79", 2).submitted().accepted(5 * DAY).processing(),          # in time
        dossier(5, A, "79", 10).submitted().not_accepted(),                         # received
        dossier(6, A, "79", 40).submitted().accepted(5 * DAY).completed(DAY),       # before
        dossier(7, A, "79", 8).submitted().accepted(5 * DAY).completed(DAY),        # on time
        dossier(8, B, "79", 12).submitted().accepted(3 * DAY).completed(2 * DAY)
        .returned(4 * DAY),                                                         # on time
        dossier(9, B, "79", 12).submitted().accepted(3 * DAY).completed(5 * DAY),   # late
        dossier(10, B, "79", 1).submitted(),                                        # in time
        dossier(11, C, "01", 5).submitted().accepted(2 * DAY),                      # overdue
        dossier(12, C, "01", 5).submitted().accepted(2 * DAY).completed(DAY),       # on time
    ]
    stories[10].event("supplement_requested", NOW - 4 * DAY, reason="Thiếu bản sao giấy tờ")
    draft = dossier(13, A, "79", 1)
    draft.received_at = None
    draft.event("draft", NOW)  # never received: not counted anywhere
    stories.append(draft)
    for s in stories:
        record(*s.events)
    return stories


def _period():
    today = NOW.astimezone(VIETNAM).date()
    return {"from": (today - 20 * DAY).isoformat(), "to": today.isoformat()}


def _figures(row):
    return (row["received"], row["completed_on_time"], row["completed_late"],
            row["in_progress"], row["overdue"], row["on_time_rate"])


def test_admin_sees_every_agency_and_province(client, seeded, jwks_issuer):
    response = client.get("/stats", query_string=_period(),
                          headers=jwks_issuer.headers(role="admin"))
    assert response.status_code == 200, response.json
    body = response.json
    assert _figures(body["totals"]) == (11, 4, 2, 4, 2, 0.6667)
    assert {row["agency_code"]: _figures(row) for row in body["by_agency"]} == {
        A: (6, 2, 1, 2, 1, 0.6667),
        B: (3, 1, 1, 1, 0, 0.5),
        C: (2, 1, 0, 1, 1, 1.0),
    }
    assert {row["province"]: _figures(row) for row in body["by_province"]} == {
        "79": (9, 3, 2, 3, 1, 0.6),
        "01": (2, 1, 0, 1, 1, 1.0),
    }
    assert body["from"] == _period()["from"] and body["to"] == _period()["to"]


def test_without_a_period_everything_received_counts(client, seeded, jwks_issuer):
    body = client.get("/stats", headers=jwks_issuer.headers(role="admin")).json
    assert _figures(body["totals"]) == (12, 5, 2, 4, 2, 0.7143)


def test_province_filter(client, seeded, jwks_issuer):
    body = client.get("/stats", query_string={**_period(), "province": "01"},
                      headers=jwks_issuer.headers(role="admin")).json
    assert [row["agency_code"] for row in body["by_agency"]] == [C]
    assert _figures(body["totals"]) == (2, 1, 0, 1, 1, 1.0)


def test_officer_is_limited_to_their_agency(client, seeded, jwks_issuer):
    officer = jwks_issuer.headers(sub="officer-b", role="officer", agency=B, province="79")
    body = client.get("/stats", query_string=_period(), headers=officer).json
    assert body["agency"] == B
    assert [row["agency_code"] for row in body["by_agency"]] == [B]
    assert _figures(body["totals"]) == (3, 1, 1, 1, 0, 0.5)
    refused = client.get("/stats", query_string={"agency": A}, headers=officer)
    assert refused.status_code == 403
    assert refused.json["message"] == "Cán bộ chỉ được xem thống kê của cơ quan mình."


def test_citizens_and_anonymous_callers_get_no_statistics(client, seeded, jwks_issuer):
    assert client.get("/stats", headers=jwks_issuer.headers(role="citizen")).status_code == 403
    assert client.get("/stats").status_code == 401


def test_period_must_be_ordered(client, jwks_issuer):
    response = client.get("/stats", query_string={"from": "2026-11-20", "to": "2026-11-01"},
                          headers=jwks_issuer.headers(role="admin"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"to"}
