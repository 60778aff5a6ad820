"""Mail over TLS with a login (issue 13, row 6): through a loopback aiosmtpd server that
requires STARTTLS and AUTH, with a certificate made for the test; the certificate is checked
against the system's trust store (SSL_CERT_FILE) or SMTP_CA_FILE, an untrusted one is
refused, and TLS from the first byte (`ssl`) works too. The channel comes from the settings,
as `scheduler send-notifications` builds it."""
from __future__ import annotations

import pytest

from scheduler.core.config import Settings
from scheduler.notices.outbox import channels_from_settings, send_pending
from tests.scheduler.notices.test_outbox import NOW, add, row
from tests.smtp_server import loopback_smtp, make_certificate

LOGIN = {"gfw@example.org": "s3cret-pass-word"}
SUBJECT = "【走访时间变更】湾底村 / Visit moved"
# aiosmtpd warns that the implicit-TLS server takes a login without STARTTLS: it is TLS already.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def certificate(tmp_path):
    return make_certificate(tmp_path)


def channels(server, **env):
    settings = Settings.from_env({"SMTP_HOST": server.host, "SMTP_PORT": str(server.port),
                                  "SMTP_FROM": "公共法律服务 <gfw@example.org>", **env})
    return channels_from_settings(settings)


def with_login(**env):
    (username, password), = LOGIN.items()
    return {"SMTP_USERNAME": username, "SMTP_PASSWORD": password, **env}


def test_starttls_with_login_is_the_default_with_a_user_name_and_trusts_ssl_cert_file(
        committed_factory, certificate, monkeypatch):
    # The system's trust store as ssl.create_default_context() reads it: SSL_CERT_FILE honoured.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    with loopback_smtp(certificate, logins=LOGIN) as smtp:
        nid = add(committed_factory)
        email = channels(smtp, **with_login())
        assert email["email"].security == "starttls"
        report = send_pending(committed_factory, email, now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    (got,) = smtp.received
    assert got.tls and got.login == "gfw@example.org" and got.subject == SUBJECT
    assert row(committed_factory, nid).status == "sent"


def test_the_ca_file_of_the_settings_is_trusted_instead(committed_factory, certificate, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with loopback_smtp(certificate, logins=LOGIN) as smtp:
        add(committed_factory)
        report = send_pending(committed_factory, channels(smtp, **with_login(SMTP_CA_FILE=str(certificate.cert))),
                              now=NOW)
    assert report.sent == 1 and smtp.received[0].tls


def test_a_certificate_nobody_trusts_is_refused_and_nothing_is_sent(committed_factory, certificate, tmp_path,
                                                                    monkeypatch):
    other = make_certificate(tmp_path, "other")  # trusted, but not the server's
    monkeypatch.setenv("SSL_CERT_FILE", str(other.cert))
    with loopback_smtp(certificate, logins=LOGIN) as smtp:
        nid = add(committed_factory)
        report = send_pending(committed_factory, channels(smtp, **with_login()), now=NOW)
    assert (report.sent, report.retrying) == (0, 1)
    assert smtp.received == []
    refused = row(committed_factory, nid)
    assert refused.status == "pending" and refused.attempts == 1
    assert "CERTIFICATE_VERIFY_FAILED" in refused.last_error
    assert LOGIN["gfw@example.org"] not in refused.last_error


def test_a_trusted_certificate_for_another_host_name_is_refused(committed_factory, tmp_path, monkeypatch):
    elsewhere = make_certificate(tmp_path, "elsewhere", names=("mail.example.org",))
    monkeypatch.setenv("SSL_CERT_FILE", str(elsewhere.cert))
    with loopback_smtp(elsewhere, logins=LOGIN) as smtp:
        nid = add(committed_factory)
        assert send_pending(committed_factory, channels(smtp, **with_login()), now=NOW).retrying == 1
    assert smtp.received == []
    assert "mismatch" in row(committed_factory, nid).last_error


def test_implicit_tls_with_ssl(committed_factory, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    with loopback_smtp(certificate, implicit_tls=True, logins=LOGIN) as smtp:
        add(committed_factory)
        report = send_pending(committed_factory, channels(smtp, **with_login(SMTP_SECURITY="ssl")), now=NOW)
    assert report.sent == 1
    (got,) = smtp.received
    assert got.tls and got.login == "gfw@example.org"


def test_a_wrong_password_is_tried_again_later_not_failed_for_good(committed_factory, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    with loopback_smtp(certificate, logins=LOGIN) as smtp:
        nid = add(committed_factory)
        env = with_login(SMTP_PASSWORD="not-the-password")
        assert send_pending(committed_factory, channels(smtp, **env), now=NOW).retrying == 1
    waiting = row(committed_factory, nid)
    # 535: the relay's set-up is wrong, not the message.
    assert waiting.status == "pending" and waiting.last_error.startswith("535")
    assert "not-the-password" not in waiting.last_error and smtp.received == []


def test_without_tls_or_login_such_a_server_refuses_and_the_message_waits(committed_factory, certificate):
    with loopback_smtp(certificate, logins=LOGIN) as smtp:
        nid = add(committed_factory)
        assert send_pending(committed_factory, channels(smtp), now=NOW).retrying == 1
    assert row(committed_factory, nid).last_error.startswith("530") and smtp.received == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(committed_factory, monkeypatch):
    with loopback_smtp() as smtp:  # plain, no STARTTLS
        nid = add(committed_factory)
        assert send_pending(committed_factory, channels(smtp, SMTP_SECURITY="starttls"), now=NOW).retrying == 1
    assert smtp.received == []
    assert "STARTTLS" in row(committed_factory, nid).last_error


def test_the_password_stays_out_of_reprs():
    settings = Settings.from_env(with_login(SMTP_HOST="mail.example.org"))
    channel = channels_from_settings(settings)["email"]
    assert (channel.security, channel.port) == ("starttls", 587)
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(channel)
