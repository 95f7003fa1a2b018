"""Routes subscriptions to their transports, in front of the GraphQL gateway: websockets at
``/graphql``, and requests for ``text/event-stream`` at ``/graphql`` or ``/graphql/stream``."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from service.subscriptions import sse, websocket
from service.subscriptions.session import Subscriptions

WEBSOCKET_PATHS = frozenset({"/graphql", "/graphql/"})


class SubscriptionGateway:
    def __init__(self, app: ASGIApp, *, subscriptions: Subscriptions) -> None:
        self.app = app
        self.subscriptions = subscriptions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] in WEBSOCKET_PATHS:
            await websocket.serve(self.subscriptions, scope, receive, send)
        elif sse.wants_events(scope):
            await sse.serve(self.subscriptions, scope, receive, send)
        else:
            await self.app(scope, receive, send)
