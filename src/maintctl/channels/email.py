"""Email over SMTP (smtplib): a text and an HTML part to a list of recipients."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from maintctl.channels.base import Message, Transport, TransportError

TIMEOUT_S = 30.0


class EmailTransport(Transport):
    def send(self, message: Message) -> None:
        mail = self.channel.email
        assert mail is not None
        name = self.channel.name
        out = EmailMessage()
        try:  # a line break in a header would forge headers: the message is refused for good
            out["Subject"] = message.subject
            out["From"] = mail.sender
            out["To"] = ", ".join(mail.to)
            if message.idempotency_key:  # a repeat after a crash carries the same Message-ID
                out["Message-ID"] = f"<{message.idempotency_key}@maintctl>"
        except ValueError:
            raise TransportError(f"channel {name}: a header holds a line break", True) from None
        out.set_content(message.text)
        out.add_alternative(message.html, subtype="html")
        where = urlsplit(mail.smtp)
        password = self.secret(mail.password_file) if mail.password_file else None
        smtp_cls = smtplib.SMTP_SSL if where.scheme == "smtps" else smtplib.SMTP
        try:
            with smtp_cls(where.hostname or "", where.port or 0, timeout=TIMEOUT_S) as smtp:
                if mail.username and password is not None:
                    smtp.login(mail.username, password)
                refused = smtp.send_message(out, mail.sender, mail.to)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise TransportError(
                f"channel {name}: every recipient was refused ({_codes(codes)})",
                all(c >= 500 for c in codes),
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise TransportError(
                f"channel {name}: the SMTP server answered {exc.smtp_code}", exc.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"channel {name}: {type(exc).__name__}") from None
        if refused:  # some got it: a retry would repeat it to them, so say so and stop
            codes = [code for code, _ in refused.values()]
            raise TransportError(
                f"channel {name}: {len(refused)} recipients refused ({_codes(codes)})", True
            )


def _codes(codes: list[int]) -> str:
    return ", ".join(str(c) for c in sorted(set(codes)))


TRANSPORT = EmailTransport
