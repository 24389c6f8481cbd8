import datetime as dt

import pytest

from catalog.domain.procedure import (
    AlreadyPublished,
    DefinitionInvalid,
    VersionStatus,
    draft_for_edit,
    validate_definition,
)

T0 = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)
T2 = T0 + dt.timedelta(hours=2)


def definition(**overrides):
    base = {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "level": 3,
        "online_mode": "mot_phan",
        "applicants": ["Công dân Việt Nam"],
        "steps": ["Nộp hồ sơ", "Nhận kết quả"],
        "agencies": ["000.00.21.H26"],
        "methods": [{"channel": "truc_tuyen", "processing_days": 1, "fee_vnd": 0}],
        "components": [
            {
                "code": "to-khai",
                "name": "Tờ khai",
                "required": True,
                "file_types": ["pdf"],
                "max_size_mb": 5,
            }
        ],
        "eform": {"fields": [{"name": "ho_ten", "type": "text", "label": "Họ tên"}]},
    }
    return {**base, **overrides}


def test_valid_definition_has_no_errors():
    assert validate_definition(definition()) == {}


def test_bad_agency_code_is_reported_at_its_position():
    errors = validate_definition(definition(agencies=["000.00.21.H26", "21.H26"]))
    assert list(errors) == ["agencies.1"]


def test_eform_errors_are_merged_with_their_paths():
    bad = {"fields": [{"name": "a", "type": "select", "label": "A"}]}
    assert list(validate_definition(definition(eform=bad))) == ["eform.fields.0.options"]


def test_level_three_needs_an_eform_and_an_online_method():
    errors = validate_definition(
        definition(eform=None, methods=[{"channel": "truc_tiep", "processing_days": 1}])
    )
    assert set(errors) == {"eform", "methods"}


def test_level_four_is_toan_trinh_and_only_level_four():
    assert "online_mode" in validate_definition(definition(level=4))
    assert "online_mode" in validate_definition(definition(online_mode="toan_trinh"))
    assert validate_definition(definition(level=4, online_mode="toan_trinh")) == {}


def test_level_two_needs_a_template():
    assert "components" in validate_definition(definition(level=2, eform=None))
    with_template = definition(level=2, eform=None)
    with_template["components"][0]["template"] = "to-khai"
    assert validate_definition(with_template) == {}


@pytest.mark.parametrize(
    "key,value,path",
    [
        ("code", "1001193", "code"),
        ("level", 5, "level"),
        ("online_mode", "full", "online_mode"),
        ("applicants", [], "applicants"),
        ("steps", ["", "x"], "steps"),
        ("agencies", [], "agencies"),
        (
            "methods",
            [{"channel": "fax", "processing_days": -1, "fee_vnd": 1.5}],
            "methods.0.channel",
        ),
        (
            "components",
            [
                {
                    "code": "A B",
                    "name": "",
                    "required": "yes",
                    "file_types": ["exe"],
                    "max_size_mb": 500,
                }
            ],
            "components.0.file_types",
        ),
    ],
)
def test_field_level_errors(key, value, path):
    assert path in validate_definition(definition(**{key: value}))


def test_method_errors_name_each_problem():
    errors = validate_definition(
        definition(methods=[{"channel": "fax", "processing_days": -1, "fee_vnd": 1.5}])
    )
    assert {"methods.0.channel", "methods.0.processing_days", "methods.0.fee_vnd"} <= set(errors)


def test_component_errors_name_each_problem():
    errors = validate_definition(
        definition(
            components=[
                {
                    "code": "A B",
                    "name": "",
                    "required": "yes",
                    "file_types": ["exe"],
                    "max_size_mb": 500,
                },
                {"code": "x", "name": "X", "required": True},
                {"code": "x", "name": "X", "required": True},
            ]
        )
    )
    assert {
        "components.0.code",
        "components.0.name",
        "components.0.required",
        "components.0.file_types",
        "components.0.max_size_mb",
        "components.2.code",
    } == set(errors)


def test_first_edit_creates_draft_version_one():
    draft = draft_for_edit(None, definition(), T0)
    assert (draft.version, draft.status) == (1, VersionStatus.DRAFT)


def test_editing_a_draft_changes_it_in_place():
    first = draft_for_edit(None, definition(), T0)
    edited = draft_for_edit(first, definition(name="Đăng ký khai sinh (sửa)"), T1)
    assert (edited.version, edited.created_at, edited.updated_at) == (1, T0, T1)
    assert edited.definition["name"] == "Đăng ký khai sinh (sửa)"


def test_publishing_freezes_and_records_the_full_definition():
    draft = draft_for_edit(None, definition(), T0)
    event = draft.publish(T1)
    assert draft.status is VersionStatus.PUBLISHED and draft.published_at == T1
    assert draft.events == [event]
    assert event.definition == definition() and event.version == 1
    draft.definition["name"] = "changed later"
    assert event.definition["name"] == "Đăng ký khai sinh"


def test_editing_a_published_version_creates_the_next_draft_and_leaves_it_untouched():
    published = draft_for_edit(None, definition(), T0)
    published.publish(T1)
    frozen = dict(published.definition)
    draft = draft_for_edit(published, definition(name="Tên mới"), T2)
    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert published.definition == frozen and published.status is VersionStatus.PUBLISHED


def test_publishing_twice_is_refused():
    version = draft_for_edit(None, definition(), T0)
    version.publish(T1)
    with pytest.raises(AlreadyPublished):
        version.publish(T2)


def test_invalid_definition_never_becomes_a_draft():
    with pytest.raises(DefinitionInvalid) as caught:
        draft_for_edit(None, definition(level=9), T0)
    assert "level" in caught.value.errors


def test_code_cannot_change_between_versions():
    first = draft_for_edit(None, definition(), T0)
    with pytest.raises(DefinitionInvalid) as caught:
        draft_for_edit(first, definition(code="1.001194"), T1)
    assert list(caught.value.errors) == ["code"]


def test_processing_days_prefers_the_online_method():
    from catalog.domain.procedure import processing_days

    methods = [
        {"channel": "truc_tiep", "processing_days": 7},
        {"channel": "truc_tuyen", "processing_days": 5},
        {"channel": "buu_chinh", "processing_days": None},
    ]
    assert processing_days({"methods": methods}) == 5
    assert processing_days({"methods": methods[:1]}) == 7
    assert processing_days({"methods": []}) is None
