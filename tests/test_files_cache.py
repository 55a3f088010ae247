"""Test the one cache of things read from files: made once per version, bounded, shared."""

from __future__ import annotations

import json
import threading

from reader.files import Cache, read_cached
from reader.web.widget import FILES, WidgetFiles


def counting():
    """Return a maker that counts its calls, and the list it counts in."""
    calls = []

    def make(value):
        calls.append(value)
        return value

    return make, calls


def test_a_value_is_made_once_per_version_and_again_when_it_changes():
    cache, (make, calls) = Cache(4), counting()
    assert cache.get("a", 1, lambda: make("a1")) == "a1"
    assert cache.get("a", 1, lambda: make("again")) == "a1"
    assert cache.get("a", 2, lambda: make("a2")) == "a2"
    assert cache.get("a", 2, lambda: make("again")) == "a2"
    assert calls == ["a1", "a2"]


def test_the_least_recently_used_name_is_dropped_first():
    cache, (make, calls) = Cache(2), counting()
    cache.get("a", 1, lambda: make("a"))
    cache.get("b", 1, lambda: make("b"))
    cache.get("a", 1, lambda: make("a again"))  # a is now the most recently used
    cache.get("c", 1, lambda: make("c"))  # so b goes
    cache.get("a", 1, lambda: make("a again"))
    cache.get("b", 1, lambda: make("b again"))
    assert calls == ["a", "b", "c", "b again"]


def test_threads_asking_at_once_all_get_a_correct_value():
    cache, results = Cache(8), []
    start = threading.Barrier(8)

    def ask(n):
        start.wait()
        results.append(cache.get("name", n % 2, lambda: f"v{n % 2}") == f"v{n % 2}")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8


def test_a_changed_file_is_read_again_and_a_missing_one_is_none(tmp_path):
    path = tmp_path / "data.json"
    loads = []

    def load(data: bytes, name: str):
        loads.append(name)
        return json.loads(data)

    assert read_cached(path, load) is None
    path.write_text('{"n": 1}')
    assert read_cached(path, load) == read_cached(path, load) == {"n": 1}
    assert loads == [str(path)]
    path.write_text('{"n": 22}')  # another size, so another version whatever the clock
    assert read_cached(path, load) == {"n": 22}
    assert len(loads) == 2
    path.unlink()
    assert read_cached(path, load) is None


def test_the_widget_is_read_again_once_any_of_its_files_changes(tmp_path):
    for name in FILES:
        (tmp_path / name).write_text(f"/* {name} */")
    widget = WidgetFiles(tmp_path)
    first = widget.current()
    assert widget.current() is first
    stylesheet = tmp_path / "voice-reader.css"
    stylesheet.write_text("/* changed, and longer */")  # another size, whatever the clock
    assert widget.current().version != first.version
    stylesheet.unlink()
    assert widget.current() is None
