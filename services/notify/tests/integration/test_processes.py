"""The deployable processes: gunicorn web app + ``python -m notify.worker``."""

import sys

from servicekit.testing import ServiceProcess, read_dev_messages


def test_an_otp_published_on_the_bus_is_readable_from_dev_messages(
    service_env, smtp_sink, publish, make, tmp_path
):
    port, _ = smtp_sink
    env = {**service_env, "SMTP_PORT": str(port), "DELIVERY_POLL_SECONDS": "0.1"}
    worker = ServiceProcess(
        [sys.executable, "-m", "notify.worker"], env, log_path=tmp_path / "worker.log"
    )
    web = ServiceProcess.gunicorn("notify.app:create_app()", env, log_path=tmp_path / "web.log")
    with worker, web:
        event = make.otp(destination="+84987654321", code="246810")
        # The worker declares its queues when it connects; publish until one copy lands.
        messages = None
        for _ in range(20):
            publish(event)
            try:
                messages = read_dev_messages(web.url, "+84987654321", timeout=1.0)
                break
            except AssertionError:
                continue
        assert messages, (tmp_path / "worker.log").read_text()[-2000:]
    assert "246810" in messages[0]["body"]
    assert len(messages) == 1  # the repeated publishes were one event: one message
    assert "246810" not in (tmp_path / "worker.log").read_text()
