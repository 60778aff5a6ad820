"""Carrying a request's query arguments into a new URL.

`url_for(endpoint, week=..., **request.args)` answered 500 when the query held a name the call
sets itself (`?week=x`: "got multiple values for keyword argument") or one of url_for's own
(`?endpoint=`), and `?_external=1&_scheme=...` or `?_anchor=` changed the URL's kind. Use
`carried_args(...)` instead of `**request.args`.
"""
from __future__ import annotations

from flask import request

# url_for's own keyword arguments, besides those starting with "_" (_external, _anchor,
# _method, _scheme): never taken from a query.
URL_FOR_OWN = frozenset({"endpoint"})


def carried_args(*taken: str) -> dict[str, list[str]]:
    """The current query's arguments (every value of each) to pass on to `url_for`, without
    `taken` (the names the call sets itself, e.g. the route's own arguments) and without any
    name url_for would read as its own."""
    return {name: values for name, values in request.args.lists()
            if name not in taken and name not in URL_FOR_OWN and not name.startswith("_")}
