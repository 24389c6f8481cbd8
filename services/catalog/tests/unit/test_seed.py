import io
import json
import unicodedata
import zipfile
from xml.dom import minidom

import pytest

from catalog.domain.agency import validate_agency
from catalog.domain.eform import PREFILL_FIELDS
from catalog.domain.procedure import validate_definition
from catalog.domain.text import nfc
from catalog.seed.loader import DATA_DIR, load
from catalog.seed.templates import render_docx

SEED = load()
PROCEDURES = {p["code"]: p for p in SEED.procedures}
AGENCIES = {a["code"]: a for a in SEED.agencies}
PORTAL_FILES = sorted((DATA_DIR / "portal").glob("PROC_*.json"))


def test_the_34_provinces_with_post_2025_codes():
    codes = [p["code"] for p in SEED.provinces]
    assert codes == [
        "01",
        "04",
        "08",
        "11",
        "12",
        "14",
        "15",
        "19",
        "20",
        "22",
        "24",
        "25",
        "31",
        "33",
        "37",
        "38",
        "40",
        "42",
        "44",
        "46",
        "48",
        "51",
        "52",
        "56",
        "66",
        "68",
        "75",
        "79",
        "80",
        "82",
        "86",
        "91",
        "92",
        "96",
    ]
    names = {p["code"]: p["name"] for p in SEED.provinces}
    assert (names["01"], names["79"], names["48"]) == (
        "Thành phố Hà Nội",
        "Thành phố Hồ Chí Minh",
        "Thành phố Đà Nẵng",
    )


def test_every_agency_is_valid_and_its_parent_exists():
    for agency in SEED.agencies:
        assert validate_agency(agency) == {}, agency["code"]
        assert agency["parent"] is None or agency["parent"] in AGENCIES, agency["code"]
    assert len(AGENCIES) == len(SEED.agencies)


@pytest.mark.parametrize(
    "province,root", [("01", "000.00.00.H26"), ("79", "000.00.00.H29"), ("48", "000.00.00.H17")]
)
def test_each_seeded_city_has_centre_departments_and_communes(province, root):
    mine = [a for a in SEED.agencies if a["province"] == province]
    kinds = [a["kind"] for a in mine]
    assert root in {a["code"] for a in mine}
    assert any(a["kind"] == "trung_tam_phvhcc" and a["parent"] == root for a in mine)
    assert kinds.count("so") >= 3 and kinds.count("ubnd_xa") >= 3 and kinds.count("cong_an_xa") >= 3
    assert all(a["code"].endswith(root[-4:]) for a in mine)


def test_at_least_twelve_valid_procedures_across_required_fields():
    assert len(PROCEDURES) >= 12
    for code, procedure in PROCEDURES.items():
        assert validate_definition(procedure) == {}, code
    fields = {p["field"] for p in SEED.procedures}
    for expected in (
        "Hộ tịch",
        "Đăng ký, quản lý cư trú",
        "Hoạt động xây dựng",
        "Đất đai",
        "Thành lập và hoạt động của hộ kinh doanh",
        "Lý lịch tư pháp",
        "Bảo hiểm xã hội",
    ):
        assert expected in fields


def test_every_level_is_represented_and_online_levels_have_prefilled_eforms():
    assert {p["level"] for p in SEED.procedures} == {1, 2, 3, 4}
    for procedure in SEED.procedures:
        if procedure["level"] >= 3:
            prefills = {f.get("prefill") for f in procedure["eform"]["fields"]}
            assert set(PREFILL_FIELDS) <= prefills, procedure["code"]


def test_performing_agencies_exist():
    for procedure in SEED.procedures:
        for code in procedure["agencies"]:
            assert code in AGENCIES, (procedure["code"], code)


def test_unsure_procedure_codes_say_so():
    for code in ("1.009994", "1.001612", "1.012755", "1.011935", "2.000488"):
        assert (
            "chắc" in PROCEDURES[code]["source_note"]
            or "đối chiếu" in PROCEDURES[code]["source_note"]
        )


@pytest.mark.parametrize("path", PORTAL_FILES, ids=lambda p: p.stem)
def test_portal_records_are_loaded_faithfully(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    procedure = PROCEDURES[record["national_code"]]
    source = record["procedure"]
    assert procedure["name"] == nfc(source["name"])
    assert procedure["steps"] == [nfc(s) for s in source["steps"]]
    assert procedure["applicants"] == [nfc(a) for a in record["target_audience"]]
    assert procedure["field"] == nfc(record["domain"])
    assert [m["fee_text"] for m in procedure["methods"]] == [
        nfc(m["fee"]) for m in source["execution_methods"]
    ]
    assert [m["processing_time_text"] for m in procedure["methods"]] == [
        nfc(m["processing_time"]) for m in source["execution_methods"]
    ]
    names = [c["name"] for c in procedure["components"]]
    notes = " ".join(procedure["notes"])
    for document in source["documents"]:
        text = nfc(document["ten_giay_to"]).strip()
        assert text in names or text in notes
    assert procedure["source"]["url"] == record["source"]["url"]


def test_seed_text_is_nfc():
    for procedure in SEED.procedures:
        dumped = json.dumps(procedure, ensure_ascii=False)
        assert unicodedata.is_normalized("NFC", dumped), procedure["code"]


def test_known_facts_of_the_examples():
    birth = PROCEDURES["1.001193"]
    assert {m["processing_days"] for m in birth["methods"]} == {1}
    assert {m["fee_vnd"] for m in birth["methods"]} == {0}
    residence = {m["channel"]: m for m in PROCEDURES["1.004222"]["methods"]}
    assert (residence["truc_tiep"]["fee_vnd"], residence["truc_tuyen"]["fee_vnd"]) == (20000, 10000)
    assert residence["truc_tiep"]["processing_days"] == 7
    assert {m["processing_days"] for m in PROCEDURES["1.014137"]["methods"]} == {5}
    assert {m["processing_days"] for m in PROCEDURES["1.116410"]["methods"]} == {7}


def test_template_references_resolve_and_level_two_has_downloads():
    template_ids = {t["id"] for t in SEED.templates}
    for procedure in SEED.procedures:
        for component in procedure["components"]:
            if component.get("template"):
                assert component["template"] in template_ids
    land = PROCEDURES["1.012755"]
    assert land["level"] == 2 and any(c.get("template") for c in land["components"])


@pytest.mark.parametrize("template", SEED.templates, ids=lambda t: t["id"])
def test_templates_render_to_valid_word_files(template):
    data = render_docx(template)
    assert data == render_docx(template)  # deterministic: re-seeding uploads the same bytes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(
            archive.namelist()
        )
        body = archive.read("word/document.xml").decode("utf-8")
    minidom.parseString(body)
    assert template["title"] in body and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
