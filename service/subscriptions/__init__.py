"""GraphQL subscriptions (docs/subscriptions.md): the change feed delivered as it happens,
over ``graphql-transport-ws`` websockets and ``graphql-sse``, woken by LISTEN/NOTIFY."""
