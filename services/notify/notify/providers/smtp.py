"""Email through an SMTP relay (smtplib), with STARTTLS, implicit TLS and auth configurable."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from notify.providers.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "no-reply@motcua.gov.vn"
    sender_name: str = "Cổng dịch vụ công motcua"
    username: str = ""
    password: str = ""
    starttls: bool = False
    use_ssl: bool = False  # implicit TLS (port 465)
    timeout: float = 10.0
    verify_tls: bool = True
    ca_file: str = ""  # extra CA bundle (a private relay's certificate)


class SmtpEmailProvider:
    name = "smtp"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def build(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = formataddr((self.settings.sender_name, self.settings.sender))
        mail["To"] = message.to
        mail["Subject"] = message.subject
        domain = self.settings.sender.rpartition("@")[2] or None
        mail["Message-ID"] = make_msgid(idstring=message.reference or None, domain=domain)
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.settings.ca_file or None)
        if not self.settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls_context())
        client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.starttls:
            client.starttls(context=self._tls_context())
        return client

    def send(self, message: OutgoingMessage) -> str:
        mail = self.build(message)
        try:
            with self._connect() as client:
                if self.settings.username:
                    client.login(self.settings.username, self.settings.password)
                refused = client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            # The only verdicts about the citizen's address or content: 5xx on RCPT or DATA.
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            error = PermanentDeliveryError if permanent else TemporaryDeliveryError
            raise error(f"SMTP từ chối người nhận: {codes}", provider=self.name) from exc
        except smtplib.SMTPDataError as exc:
            error = PermanentDeliveryError if exc.smtp_code >= 500 else TemporaryDeliveryError
            raise error(f"SMTP từ chối nội dung ({exc.smtp_code})", provider=self.name) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryDeliveryError(
                f"SMTP xác thực thất bại ({exc.smtp_code})", provider=self.name
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # Sender refused, TLS required...: our configuration, not the citizen's address;
            # retried until fixed or the attempts run out (technical failure).
            raise TemporaryDeliveryError(
                f"SMTP trả lời {exc.smtp_code}", provider=self.name
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryDeliveryError(
                f"không kết nối được máy chủ SMTP: {type(exc).__name__}", provider=self.name
            ) from exc
        if refused:
            raise PermanentDeliveryError(
                f"SMTP từ chối người nhận: {sorted(refused)}", provider=self.name
            )
        return str(mail["Message-ID"])
