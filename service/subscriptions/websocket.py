"""The ``graphql-transport-ws`` protocol (the graphql-ws library's) at ``/graphql``.

The client opens the socket with that subprotocol and sends ``connection_init`` within
``subscription_init_timeout_ms``; its key is the payload's ``Authorization`` (``Bearer
<key>``) or, failing that, the handshake's ``Authorization`` header. A bad key, or none when
reads are not public, closes the socket with 4403. Then ``subscribe`` / ``next`` / ``error`` /
``complete`` as the protocol says; a refused subscription gets ``error`` with the same coded
errors a refused query gets, and the socket stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from service.auth.keys import AuthError, Principal
from service.faults import UNAVAILABLE_ERRORS
from service.gateway import access
from service.gateway.errors import Refusal
from service.subscriptions.session import (
    TOO_MANY_SUBSCRIPTIONS,
    Prepared,
    StreamRefused,
    Subscriptions,
)

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
# The protocol's close codes.
BAD_MESSAGE = 4400
UNAUTHORIZED = 4401
FORBIDDEN = 4403
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INITS = 4429
INTERNAL = 4500

INTERNAL_ERROR = {
    "message": "Internal server error.",
    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
}


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Connection:
    def __init__(self, subscriptions: Subscriptions, websocket: WebSocket) -> None:
        self.subscriptions = subscriptions
        self.settings = subscriptions.settings
        self.websocket = websocket
        self.state = websocket.app.state
        self.principal: Principal | None = None
        self.keyed = False
        self.running: dict[str, asyncio.Task[None]] = {}
        self._sending = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._sending:
            await self.websocket.send_text(json.dumps(message, default=str))

    async def serve(self) -> None:
        try:
            await self._init()
            while True:
                await self._handle(await self._receive())
        except _Close as close:
            with contextlib.suppress(Exception):
                await self.websocket.close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            for task in self.running.values():
                task.cancel()
            for task in list(self.running.values()):
                with contextlib.suppress(BaseException):
                    await task

    async def _receive(self) -> dict[str, Any]:
        received = await self.websocket.receive()
        if received["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(received.get("code", 1000))
        text = received.get("text")
        if not isinstance(text, str):  # the protocol's messages are text frames
            raise _Close(BAD_MESSAGE, "Invalid message received")
        if len(text) > self.settings.max_body_bytes:
            raise _Close(BAD_MESSAGE, "Message too large")
        try:
            message = json.loads(text)
        except ValueError:
            raise _Close(BAD_MESSAGE, "Invalid message received") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _Close(BAD_MESSAGE, "Invalid message received")
        return message

    async def _init(self) -> None:
        try:
            async with asyncio.timeout(self.settings.subscription_init_timeout_ms / 1000):
                message = await self._receive()
        except TimeoutError:
            raise _Close(INIT_TIMEOUT, "Connection initialisation timeout") from None
        if message["type"] != "connection_init":
            raise _Close(UNAUTHORIZED, "Unauthorized")
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            raise _Close(BAD_MESSAGE, "Invalid message received")
        try:
            authorization = _authorization(payload or {}, self.websocket.headers)
            self.principal, self.keyed = await self.subscriptions.principal(
                self.state.pool, authorization
            )
        except AuthError as exc:
            raise _Close(FORBIDDEN, f"Forbidden: {exc.message}"[:120]) from None
        except UNAVAILABLE_ERRORS:
            raise _Close(INTERNAL, "The database is unavailable; retry shortly.") from None
        await self.send({"type": "connection_ack"})

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "connection_init":
            raise _Close(TOO_MANY_INITS, "Too many initialisation requests")
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.running.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            raise _Close(BAD_MESSAGE, f"Unknown message type {kind!r}"[:120])

    async def _subscribe(self, message: dict[str, Any]) -> None:
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            raise _Close(BAD_MESSAGE, "Invalid message received")
        if operation_id in self.running:
            raise _Close(SUBSCRIBER_EXISTS, f"Subscriber for {operation_id} already exists"[:120])
        assert self.principal is not None
        limit = self.settings.subscriptions_per_connection
        try:
            if len(self.running) >= limit:
                raise Refusal(
                    TOO_MANY_SUBSCRIPTIONS,
                    f"A connection holds at most {limit} subscriptions; complete one first.",
                    limit=limit,
                )
            prepared = await self.subscriptions.prepare(
                self.websocket.scope,
                self.state.pool,
                self.principal,
                self.keyed,
                message.get("payload"),
            )
            self.subscriptions.reserve()
        except Refusal as refusal:
            await self.send({"id": operation_id, "type": "error", "payload": [refusal.error()]})
            return
        self.running[operation_id] = asyncio.create_task(
            self._stream(operation_id, prepared), name=f"subscription-{operation_id}"
        )

    async def _stream(self, operation_id: str, prepared: Prepared) -> None:
        assert self.principal is not None
        try:
            results = self.subscriptions.run(
                prepared, self.state.pool, self.state.database_url, self.principal
            )
            async for result in results:
                await self.send({"id": operation_id, "type": "next", "payload": result})
            if self.running.pop(operation_id, None) is not None:
                await self.send({"id": operation_id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        except StreamRefused as refused:
            if self.running.pop(operation_id, None) is not None:
                await self.send({"id": operation_id, "type": "error", "payload": refused.errors})
        except Exception:
            log.exception("subscription %s failed", operation_id)
            if self.running.pop(operation_id, None) is not None:
                with contextlib.suppress(Exception):
                    await self.send(
                        {"id": operation_id, "type": "error", "payload": [INTERNAL_ERROR]}
                    )
        finally:
            self.subscriptions.release()


def _authorization(payload: dict[str, Any], headers: Headers) -> str | None:
    """The key from ``connection_init``'s payload, else from the handshake's header."""
    for name, value in payload.items():
        if name.lower() == "authorization":
            if not isinstance(value, str):
                raise AuthError("UNAUTHENTICATED", "`Authorization` must be `Bearer <API key>`.")
            return value
    return access.authorization_header(headers)


async def serve(subscriptions: Subscriptions, scope: Scope, receive: Receive, send: Send) -> None:
    websocket = WebSocket(scope, receive, send)
    if PROTOCOL not in scope.get("subprotocols", []):
        await websocket.accept()
        await websocket.close(SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable")
        return
    await websocket.accept(subprotocol=PROTOCOL)
    await Connection(subscriptions, websocket).serve()
