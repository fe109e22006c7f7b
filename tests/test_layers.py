"""The layers stay apart: the core imports nothing of the app, the store nothing above it,
sessions nothing of the web, and no module of the web imports a route module.

Each rule is checked by one function over the import graph, and each function is shown
to catch a planted offender, so a rule cannot pass by checking nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app

APP = Path(app.__file__).parent
WEB_FRAMEWORKS = {"fastapi", "starlette", "jinja2", "sse_starlette"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module under ``root`` (a package directory) and the modules it imports, with
    relative imports made absolute; ``from package import name`` counts both."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                found.add(base)
                found |= {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = found
    return graph


def crossings(graph: dict[str, set[str]], layer: str, forbidden: set[str]) -> list[str]:
    """Imports from modules of ``layer`` into any of ``forbidden`` (packages or modules)."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module == layer or module.startswith(f"{layer}.")
        for target in targets
        if any(target == f or target.startswith(f"{f}.") for f in forbidden)
    )


def route_modules(root: Path) -> set[str]:
    """Modules that declare routes (``@router.get(...)`` and the like)."""
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and isinstance(d.func.value, ast.Name)
                and d.func.value.id == "router"
                for d in node.decorator_list
            ):
                found.add(module_name(path, root))
                break
    return found


def route_imports(root: Path) -> list[str]:
    """Web modules importing a route module. Only a package's ``__init__`` (which gathers
    its feature's routers) and ``app.py`` (which includes each feature once) may."""
    graph = import_graph(root)
    routes = route_modules(root)
    assemblers = {module_name(p, root) for p in root.rglob("__init__.py")}
    assemblers.add(f"{root.name}.app")
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module not in assemblers
        for target in targets & routes
    )


GRAPH = import_graph(APP)


def test_the_store_imports_nothing_of_sessions_the_web_or_its_frameworks():
    forbidden = {"app.web", "app.sessions", "app.cli", *WEB_FRAMEWORKS}
    assert crossings(GRAPH, "app.store", forbidden) == []


def test_sessions_import_nothing_of_the_web_or_its_frameworks():
    assert crossings(GRAPH, "app.sessions", {"app.web", "app.cli", *WEB_FRAMEWORKS}) == []


def test_the_core_imports_neither_sessions_nor_the_store_nor_the_web():
    forbidden = {"app.sessions", "app.store", "app.web", "app.cli", *WEB_FRAMEWORKS}
    assert crossings(GRAPH, "app.sim", forbidden) == []


def test_no_web_module_imports_a_route_module():
    web = APP / "web"
    assert len(route_modules(web)) >= 10  # the rule looks at the real routes
    assert route_imports(web) == []


def test_only_the_application_dependency_touches_app_state():
    readers = {
        str(path.relative_to(APP.parent))
        for path in (APP / "web").rglob("*.py")
        if "app.state" in path.read_text(encoding="utf-8")
    }
    assert readers == {"app/web/deps.py"}


# The checks catch what they are for: a planted offender in a copy-sized tree of its own.


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "app"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_store_module_importing_sessions_is_caught(tmp_path):
    root = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "store/__init__.py": "",
            "store/bad.py": "from ..sessions.live import Live\n",
            "store/worse.py": "from fastapi import Request\n",
            "sessions/__init__.py": "",
            "sessions/live.py": "",
        },
    )
    found = crossings(import_graph(root), "app.store", {"app.sessions", *WEB_FRAMEWORKS})
    assert found == [
        "app.store.bad imports app.sessions.live",
        "app.store.bad imports app.sessions.live.Live",
        "app.store.worse imports fastapi",
        "app.store.worse imports fastapi.Request",
    ]


def test_a_sessions_module_importing_the_web_is_caught(tmp_path):
    root = _plant(
        tmp_path,
        {"__init__.py": "", "sessions/__init__.py": "", "sessions/bad.py": "import app.web.deps\n"},
    )
    assert crossings(import_graph(root), "app.sessions", {"app.web"}) == [
        "app.sessions.bad imports app.web.deps"
    ]


ROUTES = "from fastapi import APIRouter\nrouter = APIRouter()\n\n@router.get('/x')\ndef x(): ...\n"


def test_a_web_module_importing_a_route_module_is_caught(tmp_path):
    root = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "web/__init__.py": "",
            "web/app.py": "from .player import pages\n",  # the assembler may
            "web/render.py": "",
            "web/player/__init__.py": "from . import pages\n",  # so may a feature's package
            "web/player/pages.py": ROUTES,
            "web/lectures/__init__.py": "",
            "web/lectures/lessons.py": ROUTES + "from ..player.pages import x\n",
            "web/lectures/rooms.py": ROUTES + "from . import lessons\nfrom .. import render\n",
        },
    )
    assert route_imports(root / "web") == [
        "web.lectures.lessons imports web.player.pages",
        "web.lectures.rooms imports web.lectures.lessons",
    ]
