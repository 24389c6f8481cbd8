from datetime import date

import pytest

from submission.domain.cccd import cccd_problem, mask_cccd
from submission.domain.codes import counter_key, format_dossier_code, parse_dossier_code


def test_dossier_code_format():
    assert format_dossier_code("000.00.31.H29", date(2026, 11, 28), 1) == \
        "000.00.31.H29-261128-0001"
    assert format_dossier_code("000.00.31.H29", date(2026, 1, 5), 10000).endswith("-260105-10000")


def test_sequence_starts_at_one():
    with pytest.raises(ValueError):
        format_dossier_code("000.00.31.H29", date(2026, 11, 28), 0)


def test_parse_round_trip_and_rejects_garbage():
    assert parse_dossier_code("000.00.31.H29-231020-0001") == ("000.00.31.H29", "231020", 1)
    assert parse_dossier_code("H29-231020-1") is None


def test_counter_is_per_agency_per_day():
    assert counter_key("000.00.31.H29", date(2026, 11, 28)) == "000.00.31.H29:20261128"
    assert counter_key("000.00.31.H29", date(2026, 11, 29)) != \
        counter_key("000.00.31.H29", date(2026, 11, 28))


def test_cccd_rules_and_masking():
    assert cccd_problem("079203001234") is None
    assert cccd_problem("079203001234", date(2003, 1, 1)) is None
    assert "Năm sinh" in cccd_problem("079203001234", date(1993, 1, 1))
    assert mask_cccd("079203001234") == "079*******34"
