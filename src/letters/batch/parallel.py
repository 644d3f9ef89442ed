"""Run one piece of work over many letters in worker processes forked from this one."""

import contextlib
import ctypes
import gc
import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PR_SET_PDEATHSIG = 1  # Linux: a signal for this process when the one that forked it dies

# What each worker runs: set by the main process before forking, so it is never pickled.
worker_function: Callable[[Any], Any] | None = None


def start_worker(function: Callable[[Any], Any]) -> None:
    global worker_function
    worker_function = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C for all
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_the_main_process()


def die_with_the_main_process() -> None:
    """If the main process is killed, its workers go too, at once and quietly (instead of
    finishing a letter nobody waits for and printing a broken pipe's traceback)."""
    # Not on Linux, workers end instead when they next read from the main process.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def call_worker_function(item: Any) -> Any:
    assert worker_function is not None
    return worker_function(item)


def in_processes(
    function: Callable[[Item], Result],
    items: list[Item],
    processes: int,
    lost: Callable[[Item], Result],
) -> Iterator[Result]:
    """`function` over `items`, in `processes` worker processes when there is more than one.

    The first item is done here, before forking, so that every worker starts warmed up (for
    letters: WeasyPrint imported, stylesheet and fonts parsed, font machinery initialised).
    Workers live for the whole run: their memory stays flat (benchmarks/RESULTS.md).
    Results come in the order they are finished. An item whose worker was killed gets
    `lost(item)`, and so does every item not done yet (the pool cannot go on without it).
    """
    if not items:
        return
    yield function(items[0])
    if processes <= 1 or len(items) == 2:  # no pool: here, one after another
        yield from map(function, items[1:])
        return
    with warm_objects_frozen():
        yield from in_a_pool(function, items[1:], processes, lost)


@contextlib.contextmanager
def warm_objects_frozen() -> Iterator[None]:
    """What the first item left alive (WeasyPrint's modules, the stylesheet, the fonts) lives
    for the whole run: set aside from the garbage collector, which no longer walks it with
    every letter's garbage (8% of a letter's time, 3.5% once set aside), nor writes to its
    memory in forked workers. Its own garbage is collected first, so none is kept for good."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def in_a_pool(
    function: Callable[[Item], Result],
    items: list[Item],
    processes: int,
    lost: Callable[[Item], Result],
) -> Iterator[Result]:
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=start_worker,
        initargs=(function,),
    )
    try:
        futures: dict[Future[Result], Item] = {
            pool.submit(call_worker_function, item): item for item in items
        }
        for future in as_completed(futures):
            item = futures.pop(future)  # a result is held only until it is handed on
            try:
                result = future.result()
            except BrokenProcessPool:
                result = lost(item)
            del future
            yield result
            del result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
