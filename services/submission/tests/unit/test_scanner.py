"""The clamd adapter against a tiny local server that speaks clamd's INSTREAM protocol
(no clamd runs here; production sets CLAMD_ADDRESS)."""
import io
import socket

import pytest

from servicekit.testing.clamd import FakeClamd
from servicekit.testing.files import EICAR, minimal_pdf
from submission.config import SubmissionSettings
from submission.domain.errors import UploadRefused
from submission.scanning import ClamdScanner, NoScanner, ScannerUnavailable, scanner_from_settings


@pytest.fixture
def clamd():
    server = FakeClamd()
    yield server
    server.close()


def test_a_clean_file_passes_and_is_streamed_whole(clamd):
    data = minimal_pdf(pad=150_000)  # several chunks
    stream = io.BytesIO(data)
    ClamdScanner("127.0.0.1", clamd.port, chunk_size=64 * 1024).scan("a.pdf", stream)
    assert clamd.commands == [b"zINSTREAM\0"] and clamd.received == [data]
    assert stream.tell() == 0


def test_an_infected_file_is_refused(clamd):
    with pytest.raises(UploadRefused) as caught:
        ClamdScanner("127.0.0.1", clamd.port).scan("hoa-don.pdf", io.BytesIO(EICAR))
    assert caught.value.http_status == 422 and "mã độc" in caught.value.message


def test_an_error_answer_is_no_verdict():
    server = FakeClamd(reply=b"INSTREAM size limit exceeded. ERROR\0")
    try:
        with pytest.raises(ScannerUnavailable):
            ClamdScanner("127.0.0.1", server.port).scan("a.pdf", io.BytesIO(b"x" * 10))
    finally:
        server.close()


def test_an_unreachable_scanner_is_no_verdict():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(ScannerUnavailable):
        ClamdScanner("127.0.0.1", port, timeout=2).scan("a.pdf", io.BytesIO(b"x"))


def test_the_setting_switches_scanning_on():
    assert isinstance(scanner_from_settings("", 10), NoScanner)
    scanner = scanner_from_settings("clamd.motcua-data.svc:3310", 5)
    assert scanner == ClamdScanner("clamd.motcua-data.svc", 3310, 5)
    assert SubmissionSettings.from_env({"CLAMD_ADDRESS": "clamd:3310"}).clamd_address == \
        "clamd:3310"


def test_a_malformed_address_is_refused_at_start_up():
    from servicekit.config import ConfigError

    with pytest.raises(ConfigError):
        SubmissionSettings.from_env({"CLAMD_ADDRESS": "clamd-without-port"})
