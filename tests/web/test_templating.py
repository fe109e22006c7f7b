"""A worker's templates: every one loaded before it serves, compiled once a process."""

from fastapi.testclient import TestClient
from jinja2 import Environment
from jinja2.bccache import Bucket
from jinja2.loaders import BaseLoader

from app.settings import Settings
from app.web.app import create_app
from app.web.templating import CompiledOnce, page_templates, warm


def counted(monkeypatch, owner: type, method: str) -> list[str]:
    calls: list[str] = []
    real = getattr(owner, method)

    def counting(self, *args, **kwargs):
        calls.append(str(args[0])[:40])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, counting)
    return calls


def test_the_first_page_waits_for_no_template_to_be_loaded(database_url, monkeypatch):
    # the first students of a class waited 0.3–0.7 s behind a worker compiling its templates
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        loads = counted(monkeypatch, BaseLoader, "load")  # read and compiled, or taken as compiled
        session = client.post("/api/sessions", json={"scenario": "all-devices"}).json()
        page = client.get(session["url"])
        assert page.status_code == 200 and "<svg" in page.text
        assert client.get("/").status_code == 200
        assert loads == []


def test_a_process_compiles_each_template_once(monkeypatch):
    warm(page_templates())
    compiled = counted(monkeypatch, Environment, "compile")
    assert warm(page_templates()) >= 40  # every page, part and diagram
    assert compiled == []


def test_a_template_whose_text_changed_is_compiled_again():
    env = Environment()
    cache = CompiledOnce()
    made = Bucket(env, "key", "checksum of the old text")
    made.code = compile("x = 1", "<template>", "exec")
    cache.dump_bytecode(made)
    same, changed = Bucket(env, "key", "checksum of the old text"), Bucket(env, "key", "new")
    cache.load_bytecode(same)
    cache.load_bytecode(changed)
    assert same.code is made.code
    assert changed.code is None
