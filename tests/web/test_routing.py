"""The features' routes are matched in the order of ``FEATURES`` (the busiest first, for
speed): that order must decide nothing, so no path of one feature may be taken by a route
of another."""

import re

from fastapi.routing import APIRoute
from starlette.routing import Match

from app.web.app import FEATURES


def _routes(router) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in router.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _routes(inner)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def _scope(path: str, method: str) -> dict:
    return {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}


def test_no_features_routes_take_another_features_paths():
    by_feature = {feature.__name__: _routes(feature.router) for feature in FEATURES}
    assert sum(map(len, by_feature.values())) > 60  # every feature's routes were found
    taken = []
    for name, routes in by_feature.items():
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "sample", route.path)
            for other, theirs in by_feature.items():
                for rival in theirs if other != name else ():
                    for method in route.methods:
                        match, _ = rival.matches(_scope(path, method))
                        if match == Match.FULL:
                            taken.append(f"{name} {method} {route.path} ← {other} {rival.path}")
    assert taken == []


def test_a_catch_all_route_would_be_caught(monkeypatch):
    """The check above finds a route of one feature that takes another's path."""
    from app.web import lectures

    greedy = APIRoute("/{anything:path}", lambda: None, methods=["GET"])
    monkeypatch.setattr(lectures.router, "routes", [*lectures.router.routes, greedy])
    try:
        test_no_features_routes_take_another_features_paths()
    except AssertionError as caught:
        assert "← app.web.lectures /{anything:path}" in str(caught)
    else:
        raise AssertionError("a catch-all route went unnoticed")
