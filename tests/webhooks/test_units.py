"""The parts without a database: signatures as the standardwebhooks library makes them, the
backoff schedule, and which addresses count as public."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from standardwebhooks.webhooks import Webhook

from service.webhooks.deliverer import backoff_ms
from service.webhooks.signing import new_secret, signature, signature_header
from service.webhooks.urls import AllowList, UrlRefused, check_url


def test_signatures_are_the_standard_webhooks_ones() -> None:
    secret = new_secret()
    body = b'{"type":"Organization.CREATED","data":{}}'
    stamp = 1_767_225_600
    expected = Webhook(secret).sign(
        "msg_1", dt.datetime.fromtimestamp(stamp, dt.UTC), body.decode()
    )
    assert signature(secret, "msg_1", stamp, body) == expected


def test_several_secrets_sign_side_by_side() -> None:
    old, new = new_secret(), new_secret()
    header = signature_header([new, old], "msg_2", 1, b"{}")
    assert header.split(" ") == [
        signature(new, "msg_2", 1, b"{}"),
        signature(old, "msg_2", 1, b"{}"),
    ]


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    rng = random.Random(7)
    for attempt, full in [(1, 100), (2, 200), (3, 400), (4, 800), (10, 5_000), (60, 5_000)]:
        delays = [backoff_ms(attempt, 100, 5_000, rng) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays), (attempt, delays)
        assert len(set(delays)) > 1


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080/hook"),
        ("10.0.0.0/8", "https://10.20.30.40/hook"),
        ("hooks.internal", "https://hooks.internal/hook"),
        ("", "https://8.8.8.8/hook"),
    ],
)
async def test_allowed_and_public_hosts_pass(allowed: str, url: str) -> None:
    assert await check_url(f"  {url} ", AllowList.parse(allowed)) == url


async def test_an_allow_list_allows_only_what_it_names() -> None:
    with pytest.raises(UrlRefused, match="private"):
        await check_url("http://10.0.0.1/", AllowList.parse("127.0.0.1, hooks.internal"))
