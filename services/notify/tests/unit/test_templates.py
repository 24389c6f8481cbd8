import pytest

from notify.domain.default_templates import DEFAULT_TEMPLATES
from notify.domain.events import EVENT_SPECS, Links, placeholder_values
from notify.domain.templates import Channel, MessageTemplate, TemplateError, render, validate
from notify.handlers import save_template, template_for
from notify.memory import InMemoryRepository

DOSSIER = {
    "dossier_id": "d1",
    "code": "000.00.31.H29-261128-0001",
    "procedure_name": "Đăng ký khai sinh",
    "agency_name": "UBND phường Bến Nghé",
    "applicant": {"full_name": "Nguyễn Thị Lan"},
    "appointment_date": "2026-12-05",
}


def test_every_shipped_template_is_valid():
    for template in DEFAULT_TEMPLATES.values():
        validate(template)


def test_every_event_has_email_and_sms_templates():
    for event_type in EVENT_SPECS:
        assert (event_type, Channel.EMAIL) in DEFAULT_TEMPLATES
        assert (event_type, Channel.SMS) in DEFAULT_TEMPLATES


def test_a_placeholder_the_event_does_not_provide_is_rejected_at_save_time():
    repo = InMemoryRepository()
    draft = MessageTemplate(
        "dossier.accepted", Channel.SMS, "Hồ sơ ${dossier_code}: nộp ${amount} trước ${otp_code}"
    )
    with pytest.raises(TemplateError) as raised:
        save_template(repo, draft)
    assert "amount" in raised.value.errors["text"][0]
    assert "otp_code" in raised.value.errors["text"][0]
    assert repo.templates == []


def test_malformed_placeholder_syntax_is_rejected():
    with pytest.raises(TemplateError) as raised:
        validate(MessageTemplate("dossier.accepted", Channel.SMS, "Giá $ 100"))
    assert "text" in raised.value.errors


def test_email_template_needs_subject_and_html():
    with pytest.raises(TemplateError) as raised:
        validate(MessageTemplate("dossier.accepted", Channel.EMAIL, "Hồ sơ ${dossier_code}"))
    assert set(raised.value.errors) == {"subject", "html"}


def test_saving_numbers_versions_after_the_shipped_one():
    repo = InMemoryRepository()
    draft = MessageTemplate("dossier.accepted", Channel.SMS, "Hẹn trả: ${appointment_date}")
    first = save_template(repo, draft)
    second = save_template(repo, draft)
    assert (first.version, second.version) == (2, 3)
    assert template_for(repo, "dossier.accepted", Channel.SMS).version == 3


def test_values_are_html_escaped_in_the_html_part_only():
    values = placeholder_values(
        "dossier.not_accepted", {**DOSSIER, "reason": "<b>thiếu</b> & sai"}, Links()
    )
    rendered = render(DEFAULT_TEMPLATES[("dossier.not_accepted", Channel.EMAIL)], values)
    assert "&lt;b&gt;thiếu&lt;/b&gt; &amp; sai" in rendered.html
    assert "<b>thiếu</b> & sai" in rendered.text


def test_a_template_cannot_reach_attributes_or_run_code():
    with pytest.raises(TemplateError):
        validate(MessageTemplate("dossier.accepted", Channel.SMS, "${dossier_code.__class__}"))


def test_otp_is_masked_when_rendered_for_storage():
    values = placeholder_values(
        "identity.otp_requested", {"code": "482913", "expires_in": 300}, Links()
    )
    template = DEFAULT_TEMPLATES[("identity.otp_requested", Channel.SMS)]
    assert "482913" in render(template, values).text
    stored = render(template, values, mask_secrets=True).text
    assert "482913" not in stored
    assert "******" in stored
    assert "5 phút" in stored


def test_sms_can_be_rendered_without_diacritics():
    values = placeholder_values("dossier.accepted", DOSSIER, Links())
    template = DEFAULT_TEMPLATES[("dossier.accepted", Channel.SMS)]
    text = render(template, values, sms_without_diacritics=True).text
    assert text == (
        "motcua: Ho so 000.00.31.H29-261128-0001 da duoc tiep nhan. Hen tra ket qua: 05/12/2026."
    )


def test_subject_cannot_carry_a_header_injection():
    values = placeholder_values("dossier.accepted", {**DOSSIER, "code": "X\r\nBcc: a@b.c"}, Links())
    rendered = render(DEFAULT_TEMPLATES[("dossier.accepted", Channel.EMAIL)], values)
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
