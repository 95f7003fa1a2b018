"""The compiled read path under the same rules as the resolvers.

The compiler (service/compiler/http.py) answers plain queries before strawberry, and so before
the permissions extension, sees them. This subclass lets it answer only what needs no more than
it does: a request whose key checks out with the ``read`` scope (or none where reads are
public), and that reads now — ``asOf`` requests set up an as-of transaction, which only the
resolvers do. Everything else goes to the resolvers, which refuse or serve it.
"""

from __future__ import annotations

from starlette.types import Scope as AsgiScope

from service.auth.keys import AuthError, authenticate, bearer_token
from service.compiler.http import CompiledReads
from service.domain import Scope


class GuardedCompiledReads(CompiledReads):
    async def _compiled(self, scope: AsgiScope, body: bytes) -> bytes | None:
        # A cheap, conservative test: any mention sends the request to the resolvers, which
        # are always right; the compiler never sees an as-of request.
        if b"asOf" in body:
            return None
        header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
        settings = self.compiler.settings
        if header is None and not settings.reads_are_public:
            return None
        if header is not None:
            try:
                principal = await authenticate(scope["app"].state.pool, bearer_token(header))
            except AuthError:
                return None
            if not principal.allows(Scope.READ):
                return None
        return await super()._compiled(scope, body)
