"""SMS through Alibaba Cloud SMS (阿里云短信, `alibabacloud-dysmsapi20170525`): a notice goes out
as an approved template (one per notice kind) and its parameters, never as free text.

A notice to a village (its parameters name the `village`) uses the kind's village template
when one is configured (SMS_TEMPLATE_CHANGE_VILLAGE ...): the same kind says other things to a
village than to a person. A notice's parameters are its own (`Outgoing.params`, filled in
when it was written); a notice
without any gets {"subject": ..., "text": ...} from its subject and the Chinese lines of its
body, so every notice can go by SMS. Every value is put on one line and cut to
`PARAM_LENGTH` characters (the provider's limit for a variable), so the message stays one
segment where the template allows.

The provider's answer decides: "OK" is sent; throttling, its own errors, a network that fails
and a set-up it refuses (the account's key, balance or permissions) are tried again later; a
mobile number, template, sign name or parameter it refuses fails the message for good (and
its fallback, if any, takes over). docs/notifications.md has the templates and the codes.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils_models import Config

from scheduler.core.config import SMS_TEMPLATE_VARIABLES
from scheduler.notices.outbox import DeliveryError, Outgoing
from scheduler.notices.routing import china_mobile
from scheduler.notices.text import FOOTER, one_line

PARAM_LENGTH = 35  # characters in one template variable
# Refusals of the message itself: sending it again cannot help.
PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.SMS_TEMPLATE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL", "isv.SIGN_NAME_ILLEGAL", "isv.SMS_SIGN_ILLEGAL", "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM", "isv.PARAM_LENGTH_LIMIT", "isv.PARAM_NOT_SUPPORT_URL", "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_CONTENT_ILLEGAL", "isv.EXTEND_CODE_ERROR",
})
_STOPS = "。！？；，：,.;:!?"
_PERMANENT_WORDS = ("MOBILE", "TEMPLATE", "SIGN_", "SIGNATURE_ILLEGAL", "PARAM")


def normalise_mobile(text: str) -> str:
    """`routing.china_mobile`, or DeliveryError (permanent) for anything that is not one."""
    digits = china_mobile(text)
    if digits is None:
        raise DeliveryError(f"not a mainland Chinese mobile number (不是中国大陆手机号): {mask(text)}", permanent=True)
    return digits


def mask(text: str) -> str:
    """A number as it may be kept in an error: the first three and last four digits."""
    text = one_line(text or "")[:40]
    return text[:3] + "*" * max(len(text) - 7, 0) + text[-4:] if len(text) > 7 else "*" * len(text)


def short(value: object, length: int = PARAM_LENGTH) -> str:
    """One line without the sign brackets 【】 (the provider keeps them for the sign), at most
    `length` characters: a longer value ends in "…". A link is never cut (a cut link opens
    nothing): the provider accepts it when the template's variable is approved for links."""
    text = one_line(str(value)).strip()
    if text.startswith(("https://", "http://")):
        return text
    text = text.replace("【", "").replace("】", " ").strip()
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def derived_params(subject: str, body: str) -> dict[str, str]:
    """{"subject", "text"} of a notice written without parameters: the Chinese half of the
    subject, and the Chinese lines of the body after its greeting ("湾底村您好："), up to the footer."""
    zh_subject = subject.split(" / ", 1)[0]
    lines, body_lines = [], body.splitlines()
    if body_lines and body_lines[0].rstrip().endswith(("：", ":")):
        body_lines = body_lines[1:]
    for line in body_lines:
        if line.strip() in ("----", FOOTER[0]):
            break
        if line.strip():
            lines.append(line.strip())
    text = "".join(line if i == 0 or lines[i - 1][-1] in _STOPS else "，" + line for i, line in enumerate(lines))
    return {"subject": short(zh_subject), "text": short(text or zh_subject)}


def is_permanent(code: str) -> bool:
    return code in PERMANENT_CODES or (code.startswith("isv.") and any(w in code for w in _PERMANENT_WORDS))


class SmsChannel:
    """Alibaba Cloud SMS's SendSms: one message to one mobile number per call."""

    name = "sms"

    def __init__(self, access_key_id: str, access_key_secret: str, sign_name: str, templates: Mapping[str, str], *,
                 region: str = "cn-hangzhou", endpoint: str | None = None, protocol: str = "https",
                 timeout: float = 10.0) -> None:
        self.sign_name, self.templates = sign_name, dict(templates)
        self.endpoint, self.protocol = endpoint, protocol
        self._client = Client(Config(
            access_key_id=access_key_id, access_key_secret=access_key_secret, region_id=region,
            endpoint=endpoint, protocol=protocol, read_timeout=int(timeout * 1000),
            connect_timeout=int(timeout * 1000)))

    def __repr__(self) -> str:
        return f"SmsChannel(sign_name={self.sign_name!r}, endpoint={self.endpoint!r}, kinds={sorted(self.templates)})"

    def request(self, message: Outgoing) -> sms_models.SendSmsRequest:
        """The SendSms request of a notice, or DeliveryError (permanent) when it cannot be one."""
        template = self.template(message)
        if not template:
            variable = next((v for v, k in SMS_TEMPLATE_VARIABLES.items() if k == message.kind), "no variable")
            raise DeliveryError(f"no SMS template for notices of kind {message.kind!r} "
                                f"({variable}; 未配置该类通知的短信模板)", permanent=True)
        params = {str(k): short(v) for k, v in message.params.items()} if message.params \
            else derived_params(message.subject, message.body)
        return sms_models.SendSmsRequest(
            phone_numbers=normalise_mobile(message.recipient), sign_name=self.sign_name, template_code=template,
            template_param=json.dumps(params, ensure_ascii=False), out_id=message.key[:256])

    def template(self, message: Outgoing) -> str | None:
        """The template of the notice's kind; for a notice to a village (its parameters name
        the village) the kind's village template when there is one."""
        village = self.templates.get(f"{message.kind}/village") if "village" in message.params else None
        return village or self.templates.get(message.kind)

    def send(self, message: Outgoing) -> None:
        request = self.request(message)
        try:
            body = self._client.send_sms(request).body
        except AlibabaCloudException as exc:  # an HTTP error answer: key, signature, throttling, server
            code = str(exc.code or exc.status_code)
            raise DeliveryError(f"{code}: {exc.message}", permanent=is_permanent(code)) from exc
        except Exception as exc:  # the network, or an answer that is not the provider's
            raise DeliveryError(f"SMS request failed: {exc.__class__.__name__}: {exc}") from exc
        code = str(body.code or "")
        if code != "OK":
            raise DeliveryError(f"{code or 'no code'}: {body.message}", permanent=is_permanent(code))
