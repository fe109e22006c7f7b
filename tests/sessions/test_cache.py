"""The session cache is bounded by the hops it holds, whatever the sessions' sizes."""

import threading

import pytest

from app.sessions.cache import HopBoundedCache


def test_small_sessions_are_kept_until_their_hops_pass_the_bound():
    cache: HopBoundedCache[str, str] = HopBoundedCache(max_hops=1_000)
    for i in range(10):
        cache.put(f"s{i}", f"trace {i}", hops=100)
    assert len(cache) == 10 and cache.total_hops == 1_000
    cache.put("s10", "trace 10", hops=100)
    assert "s0" not in cache and "s10" in cache
    assert cache.total_hops == 1_000


def test_one_big_session_pushes_out_as_many_small_ones_as_it_needs():
    cache: HopBoundedCache[str, int] = HopBoundedCache(max_hops=1_000)
    for i in range(10):
        cache.put(f"s{i}", i, hops=100)
    cache.put("big", 99, hops=750)
    assert [k for k in (f"s{i}" for i in range(10)) if k in cache] == ["s8", "s9"]
    assert cache.total_hops == 950


def test_the_least_recently_used_goes_first():
    cache: HopBoundedCache[str, int] = HopBoundedCache(max_hops=300)
    cache.put("a", 1, hops=100)
    cache.put("b", 2, hops=100)
    cache.put("c", 3, hops=100)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("d", 4, hops=100)
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in "abcd" if k in cache}


def test_a_session_heavier_than_the_whole_bound_is_not_kept_and_pushes_nothing_out():
    cache: HopBoundedCache[str, int] = HopBoundedCache(max_hops=500)
    cache.put("a", 1, hops=200)
    cache.put("huge", 2, hops=501)
    assert cache.get("huge") is None and cache.get("a") == 1


def test_a_new_version_of_a_session_replaces_its_weight():
    cache: HopBoundedCache[str, str] = HopBoundedCache(max_hops=500)
    cache.put("a", "v1", hops=400)
    cache.put("a", "v2", hops=450)
    assert cache.get("a") == "v2" and cache.total_hops == 450
    assert cache.pop("a") == "v2" and cache.total_hops == 0 and cache.pop("a") is None


def test_the_bound_holds_under_threads():
    cache: HopBoundedCache[tuple[int, int], int] = HopBoundedCache(max_hops=5_000)

    def work(n: int) -> None:
        for i in range(500):
            cache.put((n, i), i, hops=(i * 7) % 300)
            cache.get((n, i // 2))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.total_hops <= 5_000


def test_a_bound_below_one_hop_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        HopBoundedCache(max_hops=0)
