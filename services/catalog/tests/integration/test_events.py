"""Events leave through the outbox and reach consumers on the real RabbitMQ."""

import contextlib
import threading

from catalog.worker import OUTBOX_COLLECTIONS
from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer
from servicekit.mongo import connect
from servicekit.outbox import OutboxRelay
from servicekit.testing import EventCapture, wait_until
from servicekit.worker import Worker

QUEUE = "test.catalog-published"


@contextlib.contextmanager
def relaying(settings):
    """The catalog's outbox relay (the collections its worker relays) running in a thread."""
    bus = EventBus(settings.amqp_url)
    relay = OutboxRelay(connect(settings), OUTBOX_COLLECTIONS, bus)
    stop = threading.Event()

    def loop():
        with bus.connection() as connection:
            bus.declare(connection)
            while not stop.is_set():
                if not relay.run_once(connection):
                    stop.wait(0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def record_published(event, ctx):
    ctx.once(
        "received",
        {"_id": event["id"]},
        {
            "$set": {
                "type": event["type"],
                "source": event["source"],
                "aggregate_id": event["aggregate_id"],
                "aggregate_version": event["aggregate_version"],
                "data": event["data"],
            }
        },
        upsert=True,
    )


def procedure(**overrides):
    body = {
        "code": "1.999002",
        "name": "Thủ tục kiểm thử sự kiện",
        "field": "Hộ tịch",
        "level": 3,
        "online_mode": "mot_phan",
        "applicants": ["Công dân Việt Nam"],
        "steps": ["Nộp hồ sơ"],
        "agencies": ["000.00.21.H29", "000.00.21.H17"],
        "methods": [
            {
                "channel": "truc_tuyen",
                "processing_days": 5,
                "fee_vnd": 15000,
                "fee_text": "15.000 đồng",
            },
            {"channel": "truc_tiep", "processing_days": 7, "fee_vnd": 20000},
        ],
        "components": [
            {
                "code": "to-khai",
                "name": "Tờ khai",
                "required": True,
                "file_types": ["pdf", "docx"],
                "max_size_mb": 5,
                "template": "to-khai-dang-ky-khai-sinh",
            }
        ],
        "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
        "keywords": ["kiểm thử"],
        "eform": {
            "fields": [
                {
                    "name": "ho_ten",
                    "type": "text",
                    "label": "Họ và tên",
                    "required": True,
                    "max": 100,
                    "prefill": "full_name",
                },
                {
                    "name": "ngay_sinh",
                    "type": "date",
                    "label": "Ngày sinh",
                    "max": "today",
                    "prefill": "date_of_birth",
                },
                {
                    "name": "gioi_tinh",
                    "type": "radio",
                    "label": "Giới tính",
                    "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
                },
            ]
        },
    }
    body.update(overrides)
    return body


def test_published_event_reaches_a_consumer_with_the_full_definition(
    client, seeded, admin, settings
):
    bus = EventBus(settings.amqp_url)
    consumer = EventConsumer(
        bus=bus,
        db=connect(settings),
        queue=QUEUE,
        handlers={"catalog.procedure_published": record_published},
        retry_delay_ms=200,
    )
    with bus.connection() as connection:
        consumer.declare(connection)  # bound before anything is published
    consumers = Worker(bus, consumers=[consumer])
    consumers.start()
    try:
        with relaying(settings):
            assert (
                client.post("/admin/procedures", json=procedure(), headers=admin).status_code == 201
            )
            assert (
                client.post("/admin/procedures/1.999002/publish", headers=admin).status_code == 200
            )
            received = connect(settings).received
            message = wait_until(
                lambda: received.find_one({"aggregate_id": "1.999002"}),
                timeout=60,
                message="catalog.procedure_published at the test consumer",
            )
    finally:
        consumers.stop()
    stored = client.get("/admin/procedures/1.999002", headers=admin).get_json()["versions"][0]
    data = message["data"]
    assert (message["type"], message["source"], message["aggregate_version"]) == (
        "catalog.procedure_published",
        "catalog",
        1,
    )
    assert {
        k: v for k, v in data.items() if k not in {"version", "published_at", "processing_days"}
    } == stored["definition"]
    assert data["eform"]["fields"][2]["options"][1] == {"value": "nu", "label": "Nữ"}
    assert (data["version"], data["published_at"], data["processing_days"]) == (
        1,
        stored["published_at"],
        5,
    )


def test_seed_publishes_every_procedure_through_the_outbox(seeded, settings):
    db = connect(settings)
    pending = list(db.procedures.find({"outbox_pending": {"$gt": 0}}, {"_id": 1}))
    assert len(pending) == seeded["procedures_published"] == 15


def test_agency_change_is_published_on_the_bus(client, seeded, admin, settings, bus):
    with EventCapture(bus, "catalog.agency_changed") as events, relaying(settings):
        body = {
            "code": "000.00.41.H17",
            "name": "Ủy ban nhân dân phường Kiểm Thử",
            "kind": "ubnd_xa",
            "province": "48",
            "parent": "000.00.00.H17",
        }
        assert client.post("/admin/agencies", json=body, headers=admin).status_code == 201
        event = events.wait(lambda e: e["aggregate_id"] == "000.00.41.H17", timeout=60)
    assert event["tenant"] == "48"
    assert event["data"]["change"] == "created"
    assert event["data"]["agency"]["ancestors"] == ["000.00.00.H17"]


def test_seed_again_writes_nothing(seeded, settings, storage):
    from catalog.seed.command import seed

    db = connect(settings)
    before = {d["_id"]: d["revision"] for d in db.procedures.find({}, {"revision": 1})}
    pending_before = sum(d.get("outbox_pending", 0) for d in db.agencies.find())
    again = seed(db, storage)
    assert again["agencies"] == again["templates"] == again["procedures_published"] == 0
    assert {d["_id"]: d["revision"] for d in db.procedures.find({}, {"revision": 1})} == before
    assert sum(d.get("outbox_pending", 0) for d in db.agencies.find()) == pending_before


def test_broker_down_the_api_still_publishes_and_the_event_waits(seeded, settings, admin):
    import dataclasses

    from catalog.app import create_app

    broker_down = dataclasses.replace(settings, amqp_url="amqp://guest:guest@127.0.0.1:1/")
    client = create_app(broker_down).test_client()
    assert client.post("/admin/procedures", json=procedure(), headers=admin).status_code == 201
    assert client.post("/admin/procedures/1.999002/publish", headers=admin).status_code == 200
    ready = client.get("/readyz")  # the broker is reported, not required (docs/decisions.md)
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["rabbitmq"].startswith("error")
    document = connect(settings).procedures.find_one({"_id": "1.999002"})
    assert document["outbox_pending"] == 1
