"""Pluggable SMS backends, chosen by ``settings.SMS_BACKEND`` (like Django's e-mail backends).

- ``ConsoleSMSBackend`` (default): writes the message to the log, for development.
- ``LocMemSMSBackend``: keeps messages in ``outbox`` for tests.
- ``HTTPGatewaySMSBackend``: POSTs JSON to ``SMS_GATEWAY_URL`` with ``SMS_GATEWAY_TOKEN``.

``send_sms`` queues the message until the surrounding transaction commits: a rolled-back
sign-in never texts anyone, and no network call runs while rows are locked.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SMSMessage:
    phone: str
    text: str


class BaseSMSBackend:
    def send_messages(self, messages: list[SMSMessage]) -> int:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send_messages(self, messages: list[SMSMessage]) -> int:
        for message in messages:
            logger.info("SMS to %s: %s", message.phone, message.text)
        return len(messages)


outbox: list[SMSMessage] = []


class LocMemSMSBackend(BaseSMSBackend):
    """Keeps every message in ``accounts.sms.outbox`` (tests empty it)."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class HTTPGatewaySMSBackend(BaseSMSBackend):
    """A self-hosted or operator gateway: POST {"phone", "text"} with a bearer token."""

    timeout = 10

    def __init__(self):
        if not settings.SMS_GATEWAY_URL:
            raise ImproperlyConfigured("HTTPGatewaySMSBackend needs SMS_GATEWAY_URL")
        self.url = settings.SMS_GATEWAY_URL
        self.token = settings.SMS_GATEWAY_TOKEN

    def send_messages(self, messages: list[SMSMessage]) -> int:
        sent = 0
        for message in messages:
            request = urllib.request.Request(
                self.url,
                data=json.dumps({"phone": message.phone, "text": message.text}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    if 200 <= response.status < 300:
                        sent += 1
            except OSError:
                logger.exception("SMS gateway failed for %s", message.phone[-4:])
        return sent


def get_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    """Send after the current transaction commits (immediately when there is none)."""
    message = SMSMessage(phone=phone, text=text)
    transaction.on_commit(lambda: get_backend().send_messages([message]))
