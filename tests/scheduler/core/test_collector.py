"""The collector is off inside a burst and back on after the last overlapping one."""
from __future__ import annotations

import gc

import pytest

from scheduler.core.collector import collector_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_off_inside_and_on_after(collector_on):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_bursts_turn_it_on_only_after_the_last(collector_on):
    outer = collector_paused()
    outer.__enter__()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the first burst is still running
    outer.__exit__(None, None, None)
    assert gc.isenabled()


def test_back_on_when_the_burst_fails(collector_on):
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off_before(collector_on):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
