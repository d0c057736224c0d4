"""E-mail through an SMTP server with aiosmtplib (HT_SMTP_*), or none when it is not set."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from haztrak.application.ports.notices import MailMessage, MailRefused, MailUnavailable
from haztrak.domain.secrets import Secret


class AiosmtplibMailer:
    """One connection per message: notices are few, and a held connection would outlive the
    server's idle timeout between them."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        security: str = "starttls",
        username: str | None = None,
        password: Secret | None = None,
        timeout: float = 30,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._security = security
        self._username = username
        self._password = password
        self._timeout = timeout
        self._tls_context = tls_context

    @property
    def enabled(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"AiosmtplibMailer({self._host}:{self._port}, {self._security})"

    async def send(self, message: MailMessage) -> None:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = message.message_id
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        try:
            await aiosmtplib.send(
                email,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password.reveal() if self._password else None,
                use_tls=self._security == "tls",
                start_tls=self._security == "starttls",
                tls_context=self._tls_context,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            permanent = all(500 <= r.code < 600 for r in exc.recipients)
            error = MailRefused if permanent else MailUnavailable
            raise error(f"recipient refused ({_codes(exc.recipients)})") from None
        except aiosmtplib.SMTPResponseException as exc:
            error = MailRefused if exc.code >= 500 else MailUnavailable
            raise error(f"the server answered {exc.code}") from None
        except ValueError:  # an address aiosmtplib will not put on an SMTP command line
            raise MailRefused("an address is not one a mail server takes") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailUnavailable(type(exc).__name__) from None


def _codes(recipients: list[aiosmtplib.SMTPRecipientRefused]) -> str:
    return ", ".join(str(r.code) for r in recipients)


class NoMailer:
    """E-mail is not configured: notices stay in the app."""

    @property
    def enabled(self) -> bool:
        return False

    async def send(self, message: MailMessage) -> None:
        raise MailUnavailable("e-mail is not configured (HT_SMTP_HOST)")
