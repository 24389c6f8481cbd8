"""Use cases on fakes: an in-memory repository, scripted providers, a controllable clock."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.delivery import RetryPolicy, Status
from notify.domain.events import Links
from notify.domain.preferences import Preferences
from notify.handlers import (
    Deps,
    on_contact_changed,
    on_dossier_event,
    on_otp_requested,
    on_profile_updated,
    on_security_alert,
    on_user_registered,
)
from notify.memory import InMemoryRepository
from notify.providers.base import PermanentDeliveryError, TemporaryDeliveryError
from notify.providers.dev import DevProvider, InMemoryDevSink
from notify.providers.inbox import InboxProvider
from notify.sealing import Sealer
from notify.sending import Sender
from notify.template_cache import TemplateCache

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class Flaky:
    """Fails ``failures`` times (temporarily, or permanently), then delivers."""

    name = "flaky"

    def __init__(self, failures=0, permanent=False):
        self.failures, self.permanent, self.calls, self.sent = failures, permanent, [], []

    def send(self, message):
        self.calls.append(message)
        if self.failures:
            self.failures -= 1
            error = PermanentDeliveryError if self.permanent else TemporaryDeliveryError
            raise error("gateway says no")
        self.sent.append(message)
        return "ref"


@pytest.fixture
def world():
    repo, clock, sink = InMemoryRepository(), Clock(), InMemoryDevSink()
    providers = {
        "email": DevProvider(sink, "dev-email", clock=clock),
        "sms": DevProvider(sink, "dev-sms", clock=clock),
        "in_app": InboxProvider(),
    }
    policy = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=10))
    sender = Sender(repo, providers, Sealer("test-key"), policy, clock)
    templates = TemplateCache(repo, ttl=0)
    deps = Deps(repo, sender, templates, Links("https://dvc.example.vn"), clock)
    return deps, repo, clock, sink, providers


def event(type_, data, version=1):
    return {"id": str(uuid.uuid4()), "type": type_, "data": data, "aggregate_version": version}


def otp(channel="sms", destination="0912345678", code="482913"):
    return event(
        "identity.otp_requested",
        {
            "challenge_id": "c1",
            "purpose": "login",
            "channel": channel,
            "destination": destination,
            "code": code,
            "expires_in": 300,
            "user_id": "u1",
        },
    )


def registered(user_id="u1", email="lan@example.vn", phone="0912345678"):
    return event(
        "identity.user_registered",
        {"user_id": user_id, "full_name": "Nguyễn Thị Lan", "email": email, "phone": phone},
    )


def accepted(user_id="u1"):
    return event(
        "dossier.accepted",
        {
            "dossier_id": "d1",
            "code": "000.00.31.H29-261128-0001",
            "applicant_id": user_id,
            "applicant_name": "Nguyễn Thị Lan",
            "procedure_name": "Đăng ký khai sinh",
            "agency_name": "UBND phường Bến Nghé",
            "due_at": "2026-12-05T10:00:00Z",
        },
    )


def test_an_otp_is_delivered_in_clear_but_stored_masked(world):
    deps, repo, _, sink, _ = world
    [n] = on_otp_requested(otp(), deps)
    assert n.status == Status.DELIVERED
    [delivered] = sink.list("0912345678")
    assert "482913" in delivered.body
    stored = repo.get_notification(n.id)
    assert "482913" not in stored.body
    assert "******" in stored.body
    assert stored.sealed is None  # clear content erased once delivered


def test_an_otp_by_email_goes_to_the_email_provider(world):
    deps, _, _, sink, _ = world
    on_otp_requested(otp(channel="email", destination="lan@example.vn"), deps)
    [mail] = sink.list("lan@example.vn")
    assert mail.channel == "email" and "482913" in mail.body and mail.subject


def test_the_same_event_three_times_makes_one_notification(world):
    deps, repo, _, sink, _ = world
    message = otp()
    for _ in range(3):
        on_otp_requested(message, deps)
    assert len(repo.notifications) == 1
    assert len(sink.list("0912345678")) == 1


def test_a_provider_failing_twice_then_succeeding_is_retried_with_growing_delays(world):
    deps, repo, clock, _, providers = world
    providers["sms"] = flaky = Flaky(failures=2)
    deps.sender.providers = providers
    [n] = on_otp_requested(otp(), deps)
    retry_times = []
    while (stored := repo.get_notification(n.id)).status == Status.TEMPORARY_FAILURE:
        retry_times.append(stored.next_attempt_at)
        clock.now = stored.next_attempt_at
        deps.sender.send_due()
    assert stored.status == Status.DELIVERED
    assert stored.attempts == 3
    assert [t - T0 for t in retry_times] == [timedelta(seconds=10), timedelta(seconds=30)]
    assert len(flaky.sent) == 1
    assert flaky.sent[0].text.count("482913") == 1  # the retry resends the clear code


def test_nothing_is_retried_before_it_is_due(world):
    deps, repo, clock, _, providers = world
    providers["sms"] = flaky = Flaky(failures=1)
    deps.sender.providers = providers
    on_otp_requested(otp(), deps)
    clock.now = T0 + timedelta(seconds=9)
    assert deps.sender.send_due() == 0
    assert len(flaky.calls) == 1


def test_a_provider_always_failing_ends_in_a_recorded_failure_and_an_event(world):
    deps, repo, clock, _, providers = world
    providers["email"] = Flaky(failures=99)
    deps.sender.providers = providers
    on_user_registered(registered(phone=""), deps)
    for _ in range(5):
        clock.now += timedelta(minutes=5)
        deps.sender.send_due()
    email = next(n for n in repo.notifications.values() if n.channel == "email")
    assert email.status == Status.TECHNICAL_FAILURE
    assert email.attempts == 3
    [failed] = repo.outbox
    assert failed["type"] == "notify.delivery_failed"
    assert failed["data"]["notification_id"] == email.id
    assert failed["data"]["recipient"] == "l***@example.vn"
    # the other channel of the same event was not held back
    inbox = next(n for n in repo.notifications.values() if n.channel == "in_app")
    assert inbox.status == Status.DELIVERED


def test_a_permanent_refusal_fails_at_once(world):
    deps, repo, _, _, providers = world
    providers["sms"] = Flaky(failures=1, permanent=True)
    deps.sender.providers = providers
    [n] = on_otp_requested(otp(), deps)
    assert n.status == Status.PERMANENT_FAILURE
    assert len(repo.outbox) == 1


def test_dossier_notices_use_the_contact_copy_from_identity_events(world):
    deps, repo, _, sink, _ = world
    on_user_registered(registered(), deps)
    sent = on_dossier_event(accepted(), deps)
    assert sorted(n.channel for n in sent) == ["email", "in_app", "sms"]
    [sms] = sink.list("0912345678")
    assert "000.00.31.H29-261128-0001" in sms.body and "05/12/2026" in sms.body
    [mail] = [m for m in sink.list("lan@example.vn") if "tiếp nhận" in m.subject]
    assert mail.body.startswith("Kính gửi Nguyễn Thị Lan,")


def test_profile_updates_change_where_dossier_notices_go(world):
    deps, _, _, sink, _ = world
    on_user_registered(registered(), deps)
    on_profile_updated(
        event(
            "identity.profile_updated",
            {
                "user_id": "u1",
                "changed": ["email"],
                "email": "lan.moi@example.vn",
                "phone": "0912345678",
                "full_name": "Nguyễn Thị Lan",
            },
            version=2,
        ),
        deps,
    )
    on_dossier_event(accepted(), deps)
    assert sink.list("lan.moi@example.vn")
    assert not [m for m in sink.list("lan@example.vn") if "tiếp nhận" in m.subject]


def test_an_older_profile_event_does_not_overwrite_a_newer_one(world):
    deps, repo, _, _, _ = world
    on_profile_updated(
        event("identity.profile_updated", {"user_id": "u1", "email": "new@example.vn"}, version=3),
        deps,
    )
    on_profile_updated(
        event("identity.profile_updated", {"user_id": "u1", "email": "old@example.vn"}, version=2),
        deps,
    )
    assert repo.get_contact("u1").email == "new@example.vn"


def test_preferences_turn_channels_off_but_never_the_otp(world):
    deps, repo, _, sink, _ = world
    on_user_registered(registered(), deps)
    repo.save_preferences("u1", Preferences(email=False, sms=False, in_app=True))
    sent = on_dossier_event(accepted(), deps)
    assert [n.channel for n in sent] == ["in_app"]
    on_otp_requested(otp(), deps)
    assert any("482913" in m.body for m in sink.list("0912345678"))


def test_in_app_notices_land_in_the_inbox_unread(world):
    deps, repo, clock, _, _ = world
    on_user_registered(registered(), deps)
    on_dossier_event(accepted(), deps)
    entries, total, unread = repo.inbox("u1", unread_only=False, offset=0, limit=10)
    assert (total, unread) == (2, 2)
    assert repo.mark_read("u1", [entries[0].id], clock()) == 1
    assert repo.inbox("u1", unread_only=True, offset=0, limit=10)[1] == 1
    assert repo.mark_read("someone-else", [entries[1].id], clock()) == 0


def test_an_otp_is_not_sent_after_it_expired(world):
    deps, repo, clock, _, providers = world
    providers["sms"] = flaky = Flaky(failures=1)
    deps.sender.providers = providers
    deps.sender.policy = RetryPolicy(max_attempts=5, base_delay=timedelta(minutes=10))
    [n] = on_otp_requested(otp(), deps)  # 5-minute code, next try in 10 minutes
    assert n.status == Status.TECHNICAL_FAILURE
    assert len(flaky.calls) == 1


def test_events_notify_does_not_announce_are_ignored(world):
    deps, repo, _, _, _ = world
    assert on_dossier_event(event("dossier.processing_started", {"applicant_id": "u1"}), deps) == []
    assert repo.notifications == {}


def test_sms_can_go_out_without_diacritics_in_fewer_segments(world):
    deps, _, _, sink, _ = world
    on_user_registered(registered(), deps)
    [accented] = [n for n in on_dossier_event(accepted(), deps) if n.channel == "sms"]
    deps.sms_without_diacritics = True
    [plain] = [n for n in on_dossier_event(accepted(), deps) if n.channel == "sms"]
    bodies = [m.body for m in sink.list("0912345678")]
    assert any(b.startswith("motcua: Ho so 000.00.31.H29-261128-0001 da duoc tiep") for b in bodies)
    assert (accented.sms_segments, plain.sms_segments) == (2, 1)


def test_a_process_dying_mid_send_is_recovered_as_a_retry(world):
    deps, repo, clock, _, _ = world

    class Dies:
        name = "dies"

        def send(self, message):
            raise SystemExit  # stands for the process being killed during the call

    deps.sender.providers = {**deps.sender.providers, "sms": Dies()}
    with pytest.raises(SystemExit):
        on_otp_requested(otp(), deps)
    [stuck] = repo.notifications.values()
    assert stuck.status == Status.SENDING
    deps.sender.claim_timeout = timedelta(minutes=1)
    clock.now += timedelta(seconds=59)
    assert deps.sender.recover() == 0  # may still be sending
    clock.now += timedelta(seconds=2)
    assert deps.sender.recover() == 1
    assert repo.get_notification(stuck.id).status == Status.TEMPORARY_FAILURE


def test_otp_retries_follow_their_own_tighter_schedule(world):
    deps, repo, _, _, providers = world
    providers["sms"] = Flaky(failures=1)
    deps.sender.providers = providers
    deps.sender.expiring_policy = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=2))
    [n] = on_otp_requested(otp(), deps)
    assert n.next_attempt_at - T0 == timedelta(seconds=2)
    on_user_registered(registered(), deps)
    deps.sender.providers = {**providers, "email": Flaky(failures=1)}
    [email] = [x for x in on_dossier_event(accepted(), deps) if x.channel == "email"]
    assert email.next_attempt_at - T0 == timedelta(seconds=10)


def test_a_cleared_phone_stops_sms_notices(world):
    deps, repo, _, _, _ = world
    on_user_registered(registered(), deps)
    on_profile_updated(
        event(
            "identity.profile_updated",
            {
                "user_id": "u1",
                "changed": ["phone"],
                "phone": None,
                "email": "lan@example.vn",
                "full_name": "Nguyễn Thị Lan",
            },
            version=2,
        ),
        deps,
    )
    assert repo.get_contact("u1").phone == ""
    assert sorted(n.channel for n in on_dossier_event(accepted(), deps)) == ["email", "in_app"]


def test_a_process_dying_while_sending_one_channel_loses_no_notice_and_sends_none_twice(world):
    deps, repo, clock, sink, providers = world
    on_user_registered(registered(), deps)

    class Dies:
        name = "dies"

        def send(self, message):
            raise SystemExit  # the process is killed while the mail server is talking

    deps.sender.providers = {**providers, "email": Dies()}
    notice = accepted()
    with pytest.raises(SystemExit):
        on_dossier_event(notice, deps)
    deps.sender.providers = providers
    on_dossier_event(notice, deps)  # the unacked message comes back
    stored = {n.channel: n for n in repo.notifications.values() if n.event_id == notice["id"]}
    assert stored["email"].status == Status.SENDING  # claimed in its insert: never resent here
    assert (stored["sms"].status, stored["in_app"].status) == (Status.DELIVERED,) * 2
    deps.sender.claim_timeout = timedelta(minutes=1)
    clock.now += timedelta(minutes=2)
    assert deps.sender.recover() == 1
    clock.now = repo.get_notification(stored["email"].id).next_attempt_at
    deps.sender.send_due()
    assert repo.get_notification(stored["email"].id).status == Status.DELIVERED
    assert len([m for m in sink.list("lan@example.vn") if "tiếp nhận" in m.subject]) == 1
    assert len(sink.list("0912345678")) == 1


def test_an_inbox_notice_is_delivered_by_the_write_that_stores_it(world):
    deps, repo, _, _, _ = world
    on_user_registered(registered(), deps)
    [inbox] = [n for n in on_dossier_event(accepted(), deps) if n.channel == "in_app"]
    stored = repo.get_notification(inbox.id)
    assert stored.revision == 1  # one write
    assert [t.status for t in stored.history] == ["created", "sending", "delivered"]
    assert (stored.attempts, stored.provider) == (1, "inbox")


def contact_changed(field="phone", old="+84912345678", new="+8438****789"):
    return event(
        "identity.contact_changed",
        {
            "user_id": "u1",
            "field": field,
            "old_destination": old,
            "new_destination_masked": new,
            "changed_at": "2026-11-28T08:15:00Z",
        },
        version=2,
    )


def test_a_replaced_phone_gets_one_sms_saying_when_and_what_to_do(world):
    deps, repo, _, sink, _ = world
    on_user_registered(registered(phone="+84912345678"), deps)
    # the profile_updated of the same change may have been handled first: copy holds the new one
    on_profile_updated(
        event("identity.profile_updated", {"user_id": "u1", "phone": "+84383456789"}, version=2),
        deps,
    )
    [n] = on_contact_changed(contact_changed(), deps)
    assert (n.channel, n.recipient, n.status) == ("sms", "+84912345678", Status.DELIVERED)
    [sms] = sink.list("+84912345678")
    assert sms.body.startswith("motcua: Số điện thoại đăng nhập tài khoản của bạn đã được đổi")
    assert "15:15 ngày 28/11/2026" in sms.body  # local time (UTC+7)
    assert "Nếu không phải bạn, hãy liên hệ" in sms.body
    assert not sink.list("+84383456789")  # never to the new phone
    assert [x.channel for x in repo.notifications.values() if x.event_id == n.event_id] == ["sms"]


def test_a_replaced_email_gets_one_mail_with_the_masked_new_address(world):
    deps, _, _, sink, _ = world
    on_user_registered(registered(), deps)
    [n] = on_contact_changed(
        contact_changed("email", old="lan@example.vn", new="l***@example.vn"), deps
    )
    assert (n.channel, n.recipient) == ("email", "lan@example.vn")
    [mail] = [m for m in sink.list("lan@example.vn") if "thay đổi" in m.subject]
    assert mail.subject == "Địa chỉ email đăng nhập tài khoản motcua của bạn đã được thay đổi"
    assert mail.body.startswith("Kính gửi Nguyễn Thị Lan,")
    assert "đã được thay đổi lúc 15:15 ngày 28/11/2026" in mail.body
    assert "Địa chỉ email mới: l***@example.vn" in mail.body
    assert "Nếu không phải bạn, hãy liên hệ ngay" in mail.body
    assert '<a href="https://dvc.example.vn">' in n.html


def test_a_contact_change_notice_ignores_preferences_but_goes_out_once(world):
    deps, repo, _, sink, _ = world
    repo.save_preferences("u1", Preferences(email=False, sms=False, in_app=False))
    notice = contact_changed()
    for _ in range(3):  # redelivered
        on_contact_changed(notice, deps)
    assert len(repo.notifications) == 1
    assert len(sink.list("+84912345678")) == 1


def test_a_contact_change_without_an_old_destination_sends_nothing(world):
    deps, repo, _, _, _ = world
    assert on_contact_changed(contact_changed(old=""), deps) == []
    assert repo.notifications == {}


# -- identity.security_alert (issue 20, finding 2) --------------------------------------------

def security_alert(kind="totp_enabled", user_id="u1"):
    return event(
        "identity.security_alert",
        {"user_id": user_id, "kind": kind, "at": "2026-11-28T08:15:00Z"},
        version=3,
    )


def test_a_security_alert_reaches_every_contact_whatever_the_preferences(world):
    deps, repo, _, sink, _ = world
    on_user_registered(registered(phone="+84912345678"), deps)
    repo.save_preferences("u1", Preferences(email=False, sms=False, in_app=False))
    sent = on_security_alert(security_alert(), deps)
    assert sorted((n.channel, n.recipient) for n in sent) == [
        ("email", "lan@example.vn"), ("in_app", "u1"), ("sms", "+84912345678")]
    [mail] = [m for m in sink.list("lan@example.vn") if "bảo mật" in m.subject]
    assert mail.subject == "Thông báo bảo mật: Ứng dụng xác thực đã được bật"
    assert mail.body.startswith("Kính gửi Nguyễn Thị Lan,")
    assert "gắn một ứng dụng xác thực mới" in mail.body
    assert "Thời điểm: 15:15 ngày 28/11/2026." in mail.body  # local time (UTC+7)
    assert "Nếu không phải bạn, hãy đặt lại mật khẩu ngay tại https://dvc.example.vn" in mail.body
    [sms] = sink.list("+84912345678")
    assert sms.body.startswith("motcua: Ứng dụng xác thực đã được bật lúc 15:15 ngày 28/11/2026")


@pytest.mark.parametrize("kind, words", [
    ("totp_removed", "vừa được gỡ"),
    ("password_changed", "Mật khẩu tài khoản của bạn vừa được thay đổi"),
    ("account_recovered", "Ứng dụng xác thực đã được gỡ và mọi phiên đăng nhập đã kết thúc"),
    ("second_factor_locked", "bước xác thực thứ hai đã tạm khoá"),
    ("password_guessing", "nhiều lần đăng nhập sai mật khẩu"),
    ("something_new", "một thay đổi liên quan đến bảo mật"),
])
def test_each_kind_of_security_alert_says_what_happened(world, kind, words):
    deps, _, _, sink, _ = world
    on_user_registered(registered(), deps)
    on_security_alert(security_alert(kind), deps)
    assert any(words in m.body for m in sink.list("lan@example.vn"))


def test_a_redelivered_security_alert_goes_out_once(world):
    deps, repo, _, sink, _ = world
    on_user_registered(registered(phone="+84912345678"), deps)
    alert = security_alert()
    for _ in range(3):
        on_security_alert(alert, deps)
    assert len(sink.list("+84912345678")) == 1
    assert len([n for n in repo.notifications.values() if n.event_id == alert["id"]]) == 3


def test_a_security_alert_for_a_user_without_known_contacts_goes_to_the_inbox_only(world):
    deps, repo, _, sink, _ = world
    sent = on_security_alert(security_alert(user_id="stranger"), deps)
    assert [n.channel for n in sent] == ["in_app"]  # nothing sent out to nobody
