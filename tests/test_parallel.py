"""The build's worker pool hands each letter on and keeps none: the main process's memory stays
flat however many letters a year has (benchmarks/against.py measures it on whole years)."""

import gc
import weakref

from letters.batch.parallel import in_processes


class Letter:
    """Stands for a rendered letter: its outputs are most of a build's memory."""

    def __init__(self, number: int):
        self.number, self.outputs = number, bytes(100_000)


def rendered(number: int) -> Letter:
    return Letter(number)


def test_the_pool_holds_no_letter_it_has_handed_on():
    handed: list[weakref.ref[Letter]] = []
    for letter in in_processes(rendered, list(range(12)), 2, rendered):
        gc.collect()
        assert [ref() for ref in handed] == [None] * len(handed), "a letter handed on is held"
        handed.append(weakref.ref(letter))
        del letter
    assert len(handed) == 12


def test_every_letter_comes_back_once():
    numbers = [letter.number for letter in in_processes(rendered, list(range(12)), 2, rendered)]
    assert sorted(numbers) == list(range(12))
