"""Endpoint secrets and the Standard Webhooks signature.

A secret reads ``whsec_<base64 of 24 random bytes>``; the signing key is the decoded bytes. A
delivery is signed with HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}``, sent as
``v1,<base64>``; several signatures (a rotated secret's old and new) are space-separated, and a
receiver accepts the message when any of them verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 24


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signing_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes
) -> str:
    return " ".join(signature(s, message_id, timestamp, body) for s in secrets_in_use)
