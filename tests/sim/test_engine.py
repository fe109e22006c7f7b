from app.sim.engine import Engine, Resource


def test_engine_same_time_events_run_in_the_order_scheduled():
    engine = Engine()
    seen: list[str] = []
    for name in "abc":
        engine.at(5, seen.append, name)
    engine.at(1, seen.append, "first")
    engine.run()
    assert seen == ["first", "a", "b", "c"]
    assert engine.now == 5


def test_engine_step_advances_one_event_at_a_time():
    engine = Engine()
    seen: list[int] = []
    engine.at(3, seen.append, 3)
    engine.at(7, seen.append, 7)
    assert engine.step() and seen == [3] and engine.now == 3
    assert engine.step() and seen == [3, 7]
    assert not engine.step()


def test_process_waits_the_microseconds_it_yields():
    engine = Engine()
    times: list[int] = []

    def process():
        times.append(engine.now)
        yield 10
        times.append(engine.now)
        yield 5
        times.append(engine.now)

    engine.start(process(), at_us=2)
    engine.run()
    assert times == [2, 12, 17]


def _user(engine, resource, key, hold, log):
    waited = yield resource.claim(key)
    log.append((key, engine.now, waited))
    yield hold
    resource.release()


def test_fifo_resource_serves_one_claim_at_a_time_in_arrival_order():
    engine = Engine()
    disk = Resource(engine)
    log: list[tuple[str, int, int]] = []
    for key in ["a", "b", "c"]:
        engine.start(_user(engine, disk, key, 10, log))
    engine.run()
    assert log == [("a", 0, 0), ("b", 10, 10), ("c", 20, 20)]


def test_round_robin_resource_alternates_between_keys():
    engine = Engine()
    wire = Resource(engine, round_robin=True)
    log: list[tuple[str, int, int]] = []

    def sender(key, frames):
        for _ in range(frames):
            yield from _user(engine, wire, key, 1, log)

    engine.start(sender("vm1", 3))
    engine.start(sender("vm2", 3))
    engine.run()
    assert [key for key, _, _ in log] == ["vm1", "vm2", "vm1", "vm2", "vm1", "vm2"]
    assert [t for _, t, _ in log] == [0, 1, 2, 3, 4, 5]
