"""Run one piece of work over many letters in worker processes forked from this one."""

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# What each worker runs: set by the main process before forking, so it is never pickled.
worker_function: Callable | None = None


def start_worker(function: Callable) -> None:
    global worker_function
    worker_function = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C for all
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def call_worker_function(item):
    return worker_function(item)


def in_processes(function: Callable[[Item], Result], items: list[Item],
                 processes: int) -> Iterator[Result]:
    """`function` over `items`, in `processes` worker processes when there is more than one.

    The first item is done here, before forking, so that every worker starts warmed up (for
    letters: WeasyPrint imported, stylesheet and fonts parsed, font machinery initialised).
    Workers live for the whole run: their memory stays flat (benchmarks/RESULTS.md).
    Results come in the order they are finished.
    """
    if not items:
        return
    yield function(items[0])
    if processes <= 1 or len(items) <= 2:
        yield from map(function, items[1:])
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, start_worker, (function,)) as pool:
        yield from pool.imap_unordered(call_worker_function, items[1:])
