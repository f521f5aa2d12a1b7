"""``labtrack.utils.gc.paused``: no collection inside, the collector's state restored after."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import weakref
from collections.abc import Iterator

import pytest

from labtrack.utils import gc as _gc


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_on_after() -> None:
    with _gc.paused():
        assert not gc.isenabled()
        with _gc.paused():  # nested: the inner end does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_it_is_back_on_after_an_error() -> None:
    with pytest.raises(ValueError), _gc.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with _gc.paused():
        pass
    assert not gc.isenabled()


def test_what_was_made_meanwhile_is_old_but_still_collectable() -> None:
    class Cycle:
        pass

    with _gc.paused():
        survivors = [Cycle() for _ in range(_gc.PROMOTE_ABOVE + 1000)]
        garbage = Cycle()
        garbage.me = garbage  # type: ignore[attr-defined]
        ref = weakref.ref(garbage)
        del garbage
    assert gc.get_count()[0] < 700  # promoted, not waiting for a young collection
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert ref() is None
    assert len(survivors) == _gc.PROMOTE_ABOVE + 1000


def test_after_a_small_pause_young_garbage_stays_young() -> None:
    class Cycle:
        pass

    with _gc.paused():
        garbage = Cycle()
        garbage.me = garbage  # type: ignore[attr-defined]
        ref = weakref.ref(garbage)
        del garbage
    gc.collect(0)  # a young collection is enough: nothing was promoted
    assert ref() is None


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _gc.paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def paused_in_another_thread() -> Iterator[None]:
    """Another thread holds a pause for the duration of the block."""
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _gc.paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join(5)


def test_concurrent_pauses_share_one() -> None:
    with paused_in_another_thread():
        with _gc.paused():
            pass
        assert not gc.isenabled()  # the other thread's pause is still on
    assert gc.isenabled()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_while_another_thread_pauses_collects() -> None:
    with paused_in_another_thread():
        pid = os.fork()
        if pid == 0:  # the child: exit status 0 if the collector is back on
            os._exit(0 if gc.isenabled() else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_inside_its_own_pause_ends_it_normally() -> None:
    paused_in_child = False
    with _gc.paused():
        pid = os.fork()
        if pid == 0:
            paused_in_child = not gc.isenabled()
    if pid == 0:  # the child: 0 if it was still paused, and collects after the block
        os._exit(0 if paused_in_child and gc.isenabled() else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert gc.isenabled()
