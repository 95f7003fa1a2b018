"""The one owner of a GraphQL request over HTTP, from its first byte to its response.

In order, each step refusing with a coded error before the next one costs anything: the body
(bounded while it streams in), its JSON (UTF-8, nesting), the document (tokens, aliases,
directives, fragment spreads, expanded size; parsed and validated once, cached by hash), the
operation's input values (fields set, nesting, list lengths), who is asking (authenticated
once), what the operation may cost, and then one executor under one deadline: the compiled
read path when it can answer, the strawberry resolvers otherwise, in one transaction that is
opened, committed or rolled back here.
"""
