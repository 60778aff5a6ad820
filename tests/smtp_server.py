"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests: it keeps every message it accepts,
parsed, and can refuse chosen recipients permanently (550) or for now (451). With a
certificate (`make_certificate`, issued by a test CA of its own with trustme for 127.0.0.1
and localhost) it requires STARTTLS and a login, or speaks TLS from the first byte."""
from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage
    tls: bool = False  # the message came over an encrypted connection
    login: str | None = None  # the user name the client logged in with

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
    logins: dict[str, str] = field(default_factory=dict)  # user name -> password accepted

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
        login = getattr(session, "test_login", None)
        tls = session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, tls=tls, login=login))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        given = (auth_data.login.decode(), auth_data.password.decode())
        if self.logins.get(given[0]) == given[1]:
            session.test_login = given[0]
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM of the issuing CA: what a client trusts
    chain: Path  # PEM of the server's key and certificate chain

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.chain)
        return context


def make_certificate(folder: Path, name: str = "server",
                     names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> Certificate:
    """A server certificate for `names`, issued by a CA made for this call alone (trustme),
    so two certificates never trust each other."""
    import trustme

    authority = trustme.CA()
    cert, chain = folder / f"{name}-ca.pem", folder / f"{name}.pem"
    authority.cert_pem.write_to_path(str(cert))
    authority.issue_cert(*names).private_key_and_cert_chain_pem.write_to_path(str(chain))
    return Certificate(cert, chain)


@contextmanager
def loopback_smtp(certificate: Certificate | None = None, *, implicit_tls: bool = False,
                  logins: dict[str, str] | None = None) -> Iterator[LoopbackSmtp]:
    """The server; with a certificate it requires STARTTLS before anything else and a login
    (over TLS only) before a message, or with `implicit_tls` speaks TLS from the first byte."""
    from aiosmtpd.controller import Controller

    server = LoopbackSmtp("127.0.0.1", free_port(), logins=dict(logins or {}))
    if certificate is None:
        controller = Controller(server, hostname=server.host, port=server.port)
    elif implicit_tls:
        controller = Controller(server, hostname=server.host, port=server.port, server_hostname="localhost",
                                ssl_context=certificate.server_context(), authenticator=server.authenticate,
                                auth_required=True, auth_require_tls=False)
    else:
        controller = Controller(server, hostname=server.host, port=server.port,
                                tls_context=certificate.server_context(), require_starttls=True,
                                authenticator=server.authenticate, auth_required=True, auth_require_tls=True)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
