"""The pages' templates: compiled once a process, and every one before a worker serves.

Compiling the 43 templates takes about 0.4 s. A worker that compiled each when first
asked for it made the first students of a class wait behind it: under ``bench/load.py``
the first pages and sessions of each worker answered in 0.3–0.7 s, against 8 ms for the
rest. A worker now compiles them all while it starts, before it takes a request.
"""

from __future__ import annotations

from types import CodeType

from fastapi.templating import Jinja2Templates
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from app.settings import ROOT

from .render import install_filters


class CompiledOnce(BytecodeCache):
    """Compiled templates kept in the process, never written anywhere: every application a
    process builds (a test suite builds hundreds) compiles each template once. A template
    whose text changed (its checksum) is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, CodeType]] = {}  # one look-up or store: no lock

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self._code[bucket.key] = (bucket.checksum, bucket.code)


COMPILED = CompiledOnce()


def page_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=ROOT / "templates")
    # templates change only with a new release: no stat() of the file on every render
    templates.env.auto_reload = False
    templates.env.bytecode_cache = COMPILED
    install_filters(templates.env)
    return templates


def warm(templates: Jinja2Templates) -> int:
    """Load every template now (compiled, or taken from this process's compiled ones);
    returns how many."""
    env = templates.env
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)
