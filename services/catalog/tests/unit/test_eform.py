from catalog.domain.eform import validate_eform


def field(**overrides):
    return {"name": "ho_ten", "type": "text", "label": "Họ và tên", **overrides}


def errors_of(*fields):
    return validate_eform({"fields": list(fields)})


def test_valid_schema_has_no_errors():
    assert (
        errors_of(
            field(required=True, min=2, max=100, prefill="full_name"),
            field(
                name="ngay_sinh",
                type="date",
                label="Ngày sinh",
                min="1900-01-01",
                max="today",
                prefill="date_of_birth",
            ),
            field(
                name="gioi_tinh",
                type="radio",
                label="Giới tính",
                options=[{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
            ),
            field(name="so_ban", type="number", label="Số bản", min=0, max=10),
            field(name="cam_doan", type="checkbox", label="Cam đoan", required=True),
        )
        == {}
    )


def test_unknown_field_type_is_a_field_level_error():
    errors = errors_of(field(), field(name="anh", type="image"))
    assert list(errors) == ["eform.fields.1.type"]
    assert "image" in errors["eform.fields.1.type"][0]


def test_select_and_radio_need_options():
    errors = errors_of(field(name="a", type="select"), field(name="b", type="radio", options=[]))
    assert set(errors) == {"eform.fields.0.options", "eform.fields.1.options"}


def test_options_need_value_and_label_and_unique_values():
    errors = errors_of(
        field(
            type="select",
            options=[
                {"value": "x", "label": "X"},
                {"value": "x", "label": "X2"},
                {"label": "no value"},
            ],
        )
    )
    assert set(errors) == {"eform.fields.0.options.1", "eform.fields.0.options.2"}


def test_min_greater_than_max_is_rejected():
    assert "eform.fields.0.min" in errors_of(field(type="number", min=10, max=1))
    assert "eform.fields.0.min" in errors_of(field(type="date", min="2026-01-02", max="2026-01-01"))
    assert "eform.fields.0.min" in errors_of(field(min=50, max=5))


def test_bounds_must_suit_the_type():
    assert "eform.fields.0.min" in errors_of(field(type="date", min="01/01/2000"))
    assert "eform.fields.0.max" in errors_of(field(type="number", max="ten"))
    assert "eform.fields.0.max" in errors_of(
        field(type="select", max=3, options=[{"value": "a", "label": "A"}])
    )


def test_unknown_prefill_and_incompatible_prefill():
    assert "eform.fields.0.prefill" in errors_of(field(prefill="passport"))
    assert "eform.fields.0.prefill" in errors_of(field(type="number", prefill="full_name"))


def test_bad_pattern_duplicate_names_and_bad_names():
    errors = errors_of(field(pattern="("), field(), field(name="Họ tên"))
    assert set(errors) == {"eform.fields.0.pattern", "eform.fields.1.name", "eform.fields.2.name"}


def test_unknown_keys_and_missing_label():
    errors = errors_of(field(label="", colour="red"))
    assert set(errors) == {"eform.fields.0", "eform.fields.0.label"}


def test_schema_without_fields():
    assert validate_eform({}) == {"eform": ["Biểu mẫu điện tử phải có danh sách 'fields'."]}
    assert "eform.fields" in validate_eform({"fields": []})


def test_today_is_the_day_in_vietnam_not_the_servers():
    """At 18:00 UTC on 2 December it is already 3 December in Vietnam: a min of 3 December
    with max "today" is valid then, and a min of 4 December is not."""
    from datetime import UTC, datetime

    from servicekit.clock import FixedClock, today_in_vietnam

    today = today_in_vietnam(FixedClock(datetime(2026, 12, 2, 18, 0, tzinfo=UTC)))
    bounded = {"name": "ngay", "type": "date", "label": "Ngày", "max": "today"}
    assert validate_eform({"fields": [{**bounded, "min": "2026-12-03"}]}, today=today) == {}
    errors = validate_eform({"fields": [{**bounded, "min": "2026-12-04"}]}, today=today)
    assert list(errors) == ["eform.fields.0.min"]
