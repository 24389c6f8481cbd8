import datetime
import ipaddress
import socket
import ssl
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notify.providers.base import OutgoingMessage, PermanentDeliveryError, TemporaryDeliveryError
from notify.providers.smtp import SmtpEmailProvider, SmtpSettings

MESSAGE = OutgoingMessage(
    channel="email",
    to="lan@example.vn",
    subject="Hồ sơ C1 đã được tiếp nhận",
    text="Ngày hẹn trả kết quả: 05/12/2026.",
    html="<p>Ngày hẹn trả kết quả: <b>05/12/2026</b>.</p>",
    reference="n1",
)


class Sink:
    def __init__(self, refuse: set[str] = frozenset()):
        self.messages = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(
            (envelope, message_from_bytes(envelope.original_content, policy=policy.default))
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sink():
    handler = Sink(refuse={"nobody@example.vn"})
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def secure_sink(certificate):
    cert_file, key_file = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    handler = Sink()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"motcua", b"s3cret")
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield handler, controller.port, cert_file
    controller.stop()


def test_email_reaches_the_sink_with_text_and_html_parts(sink):
    handler, port = sink
    reference = SmtpEmailProvider(SmtpSettings(port=port)).send(MESSAGE)
    [(envelope, mail)] = handler.messages
    assert envelope.rcpt_tos == ["lan@example.vn"]
    assert mail["Subject"] == "Hồ sơ C1 đã được tiếp nhận"
    assert mail["Message-ID"] == reference
    assert mail.get_body(("plain",)).get_content().strip() == MESSAGE.text
    assert "<b>05/12/2026</b>" in mail.get_body(("html",)).get_content()


def test_starttls_and_login_are_used_when_configured(secure_sink):
    handler, port, ca_file = secure_sink
    settings = SmtpSettings(
        port=port, starttls=True, username="motcua", password="s3cret", ca_file=ca_file
    )
    SmtpEmailProvider(settings).send(MESSAGE)
    [(envelope, _)] = handler.messages
    assert envelope.rcpt_tos == ["lan@example.vn"]


def test_a_server_requiring_starttls_refuses_a_plain_client(secure_sink):
    handler, port, _ = secure_sink
    with pytest.raises(TemporaryDeliveryError):
        SmtpEmailProvider(SmtpSettings(port=port)).send(MESSAGE)
    assert handler.messages == []


def test_wrong_credentials_are_a_temporary_error(secure_sink):
    _, port, ca_file = secure_sink
    settings = SmtpSettings(
        port=port, starttls=True, username="motcua", password="wrong", ca_file=ca_file
    )
    with pytest.raises(TemporaryDeliveryError, match="xác thực"):
        SmtpEmailProvider(settings).send(MESSAGE)


def test_an_untrusted_certificate_is_refused(secure_sink):
    _, port, _ = secure_sink
    with pytest.raises(TemporaryDeliveryError):
        SmtpEmailProvider(SmtpSettings(port=port, starttls=True)).send(MESSAGE)


def test_a_refused_recipient_is_a_permanent_error(sink):
    _, port = sink
    message = OutgoingMessage(channel="email", to="nobody@example.vn", subject="s", text="t")
    with pytest.raises(PermanentDeliveryError):
        SmtpEmailProvider(SmtpSettings(port=port)).send(message)


def test_no_server_is_a_temporary_error():
    settings = SmtpSettings(port=free_port(), timeout=2)
    with pytest.raises(TemporaryDeliveryError):
        SmtpEmailProvider(settings).send(MESSAGE)
