"""The issue's "Must show" list, end to end through RabbitMQ, nx-27017 and the SMTP sink."""

import json

from notify.repository import NOTIFICATIONS, MongoRepository
from servicekit.smtp_sink import read_messages
from servicekit.testing import EventCapture, wait_until


def notifications(db, **query):
    return list(db[NOTIFICATIONS].find(query))


def delivered(db, **query):
    return [n for n in notifications(db, **query) if n["status"] == "delivered"]


def test_an_otp_by_sms_reaches_the_dev_record_and_is_stored_masked(
    start_worker, publish, client, mongo_db, make, web_settings
):
    start_worker()
    event = publish(make.otp(code="482913"))
    wait_until(lambda: delivered(mongo_db, event_id=event["id"]), message="OTP delivered")
    messages = client.get("/dev/messages", query_string={"to": "+84912345678"}).json["messages"]
    assert "482913" in messages[0]["body"]
    assert messages[0]["channel"] == "sms"
    [stored] = notifications(mongo_db, event_id=event["id"])
    assert "482913" not in json.dumps(stored, default=str)
    assert "912345678" not in json.dumps(stored, default=str)  # the number is sealed too
    opened = MongoRepository(mongo_db, web_settings.sealer()).get_notification(stored["_id"])
    assert "******" in opened.body and opened.recipient == "+84912345678"


def test_an_otp_by_email_reaches_the_smtp_sink_and_is_stored_masked(
    start_worker, publish, mongo_db, smtp_sink, make
):
    _, mail_dir = smtp_sink
    start_worker()
    event = publish(make.otp(channel="email", destination="otp-mail@example.vn", code="735190"))

    def mail():
        return [m for m in read_messages(mail_dir) if m["To"] == "otp-mail@example.vn"]

    [message] = wait_until(mail, message="OTP mail in the sink")
    assert "735190" in message.get_body(("plain",)).get_content()
    wait_until(lambda: delivered(mongo_db, event_id=event["id"]))
    [stored] = notifications(mongo_db, event_id=event["id"])
    assert "735190" not in json.dumps(stored, default=str)


def test_a_provider_failing_twice_then_succeeding_is_retried_with_growing_delays(
    start_worker, publish, mongo_db, make
):
    sms = make.provider("flaky-sms", failures=2)
    start_worker({"sms": sms})
    event = publish(make.otp())
    [stored] = wait_until(lambda: delivered(mongo_db, event_id=event["id"]), timeout=15)
    assert stored["attempts"] == 3
    assert len(sms.sent) == 1 and "482913" in sms.sent[0].text
    first_gap, second_gap = sms.calls[1] - sms.calls[0], sms.calls[2] - sms.calls[1]
    assert first_gap >= 0.3 and second_gap >= 0.6  # base 0.3 s, doubled
    assert second_gap > first_gap
    assert [h["status"] for h in stored["history"]] == [
        "created",
        "sending",
        "temporary_failure",
        "sending",
        "temporary_failure",
        "sending",
        "delivered",
    ]


def test_a_provider_always_failing_records_the_failure_publishes_it_and_keeps_consuming(
    start_worker, publish, bus, mongo_db, make, client
):
    email = make.provider("dead-smtp", failures=1000)
    start_worker({"email": email})
    with EventCapture(bus, "notify.#") as captured:
        event = publish(make.otp(channel="email", destination="lan@example.vn"))
        failed = captured.wait(lambda e: e["type"] == "notify.delivery_failed", timeout=20)
    [stored] = notifications(mongo_db, event_id=event["id"])
    assert stored["status"] == "technical_failure"
    assert stored["attempts"] == 3
    assert failed["data"]["notification_id"] == stored["_id"]
    assert failed["data"]["event_id"] == event["id"]
    assert failed["source"] == "notify"
    # The consumer goes on with the next message.
    after = publish(make.otp(code="111222"))
    wait_until(lambda: delivered(mongo_db, event_id=after["id"]))
    messages = client.get("/dev/messages", query_string={"to": "+84912345678"}).json["messages"]
    assert "111222" in messages[0]["body"]


def test_the_same_event_delivered_three_times_makes_one_notification(
    start_worker, publish, mongo_db, client, make
):
    start_worker()
    event = make.otp(code="909090")
    for _ in range(3):
        publish(event)
    wait_until(lambda: delivered(mongo_db, event_id=event["id"]))
    marker = publish(make.otp(code="000111"))  # queued after the three copies
    wait_until(lambda: delivered(mongo_db, event_id=marker["id"]))
    assert len(notifications(mongo_db, event_id=event["id"])) == 1
    messages = client.get("/dev/messages", query_string={"to": "+84912345678"}).json["messages"]
    assert [m["body"].count("909090") for m in messages].count(1) == 1


def test_dossier_notices_reach_email_sms_and_inbox_of_the_registered_citizen(
    start_worker, publish, mongo_db, smtp_sink, make, client
):
    _, mail_dir = smtp_sink
    start_worker()
    publish(make.registered(user_id="u-dossier", email="dossier@example.vn", phone="+84911000111"))
    wait_until(lambda: mongo_db["contacts"].find_one({"_id": "u-dossier"}))
    event = publish(make.dossier(user_id="u-dossier"))
    sent = wait_until(lambda: len(delivered(mongo_db, event_id=event["id"])) == 3 or None)
    assert sent
    sms = client.get("/dev/messages", query_string={"to": "+84911000111"}).json["messages"]
    assert "05/12/2026" in sms[0]["body"]
    subjects = [m["Subject"] for m in read_messages(mail_dir) if m["To"] == "dossier@example.vn"]
    assert "Hồ sơ 000.00.31.H29-261128-0001 đã được tiếp nhận" in subjects


def test_two_worker_replicas_deliver_each_message_exactly_once(
    start_worker, publish, mongo_db, make
):
    sms = make.provider("shared-sms", failures=4)  # both replicas share the flaky gateway
    start_worker({"sms": sms})
    start_worker({"sms": sms})
    events = [publish(make.otp(destination=f"+8491000{i:04d}", code=f"{i:06d}")) for i in range(12)]
    ids = [e["id"] for e in events]

    def all_delivered():
        return len([n for n in notifications(mongo_db) if n["status"] == "delivered"]) == 12

    wait_until(all_delivered, timeout=20, message="12 OTPs delivered")
    assert len(notifications(mongo_db)) == 12
    assert sorted(m.to for m in sms.sent) == sorted(f"+8491000{i:04d}" for i in range(12))
    assert {n["event_id"] for n in notifications(mongo_db)} == set(ids)


def test_a_replaced_phone_is_told_by_sms_once_though_the_event_comes_twice(
    start_worker, publish, mongo_db, client, make, web_settings
):
    start_worker()
    publish(make.registered(user_id="u-moved", email="moved@example.vn", phone="+84911000333"))
    wait_until(lambda: mongo_db["contacts"].find_one({"_id": "u-moved"}))
    event = make.contact_changed(old="+84911000333", user_id="u-moved")
    for _ in range(2):
        publish(event)
    wait_until(lambda: delivered(mongo_db, event_id=event["id"]), message="notice delivered")
    marker = publish(make.otp(destination="+84911000444", code="121212"))  # after both copies
    wait_until(lambda: delivered(mongo_db, event_id=marker["id"]))
    [stored] = notifications(mongo_db, event_id=event["id"])
    opened = MongoRepository(mongo_db, web_settings.sealer()).get_notification(stored["_id"])
    assert (opened.channel, opened.recipient) == ("sms", "+84911000333")
    sms = client.get("/dev/messages", query_string={"to": "0911000333"}).json["messages"]
    notices = [m for m in sms if "đã được đổi lúc 15:15 ngày 28/11/2026" in m["body"]]
    assert len(notices) == 1


def test_a_replaced_email_is_told_by_mail_to_the_old_address(
    start_worker, publish, mongo_db, smtp_sink, make
):
    _, mail_dir = smtp_sink
    start_worker()
    event = publish(
        make.contact_changed(field="email", old="old-mail@example.vn", new="n***@example.vn")
    )

    def mail():
        return [m for m in read_messages(mail_dir) if m["To"] == "old-mail@example.vn"]

    [message] = wait_until(mail, message="notice in the SMTP sink")
    assert "đã được thay đổi" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "n***@example.vn" in text and "Nếu không phải bạn" in text
    wait_until(lambda: delivered(mongo_db, event_id=event["id"]))
    assert [n["channel"] for n in notifications(mongo_db, event_id=event["id"])] == ["email"]
