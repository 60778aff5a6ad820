"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests: it keeps every message it accepts,
parsed, and can refuse chosen recipients permanently (550) or for now (451)."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class LoopbackSmtp:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550: the address does not exist
    later: set[str] = field(default_factory=set)  # 451: try again later
    spam: set[str] = field(default_factory=set)  # 554 after the message: refused as spam

    def to(self, recipient: str) -> list[Received]:
        return [m for m in self.received if recipient in m.recipients]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's name
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.later:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        if self.spam & set(envelope.rcpt_tos):
            return "554 5.7.1 message refused"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def loopback_smtp() -> Iterator[LoopbackSmtp]:
    from aiosmtpd.controller import Controller

    server = LoopbackSmtp("127.0.0.1", free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
