"""Every letter that says a phrase (`letters find`): searched in the letters' words as laid out
(build/text/), whatever their case and however lines and pages break them."""

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from letters.data.project import Project
from letters.letter.read_back import PAGE_BREAK
from letters.problems import Problem
from letters.send.approval import built_letters

MOST_AROUND = 300  # characters of the sentence each side, when it runs on longer


@dataclass(frozen=True)
class Found:
    """One place a letter says the phrase: its pages (first, last) and the sentence around it."""

    pages: tuple[int, int]
    sentence: str

    def __str__(self) -> str:
        first, last = self.pages
        where = f"page {first}" if first == last else f"pages {first}-{last}"
        return f"{where}: {self.sentence}"


@dataclass(frozen=True)
class Searched:
    """A letter's words run together with single spaces, and where each page starts in them."""

    text: str
    page_starts: list[int]

    def page_at(self, offset: int) -> int:
        return bisect_right(self.page_starts, offset)


def searched(letter: str) -> Searched:
    pieces, starts, length = [], [], 0
    for page in letter.split(PAGE_BREAK):
        starts.append(length)
        words = " ".join(page.split())
        pieces.append(words)
        length += len(words) + 1
    return Searched(" ".join(pieces), starts)


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The phrase as a search: any case, any run of spaces or breaks between its words."""
    words = phrase.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def find_in(letter: str, pattern: re.Pattern[str]) -> list[Found]:
    """Each place the letter says the phrase, in reading order."""
    search = searched(letter)
    return [
        Found(
            (search.page_at(match.start()), search.page_at(match.end() - 1)),
            sentence_around(search.text, match.start(), match.end()),
        )
        for match in pattern.finditer(search.text)
    ]


SENTENCE_END = re.compile(r"[.?!](?= )")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or sentences) holding text[start:end], cut at MOST_AROUND characters
    each side."""
    ends_before = [m.end() for m in SENTENCE_END.finditer(text, max(0, start - MOST_AROUND), start)]
    first = ends_before[-1] + 1 if ends_before else max(0, start - MOST_AROUND)
    after = SENTENCE_END.search(text, end, min(len(text), end + MOST_AROUND))
    last = after.end() if after else min(len(text), end + MOST_AROUND)
    said = text[first:last].strip()
    opening = "..." if first > 0 and not ends_before else ""
    closing = "..." if last < len(text) and after is None else ""
    return f"{opening}{said}{closing}"


@dataclass
class Search:
    """Where every letter built from its current files says a phrase, by council file."""

    found: dict[str, list[Found]] = field(default_factory=dict)
    searched: int = 0
    problems: list[Problem] = field(default_factory=list)  # letters that were not searched

    def summary(self) -> str:
        """'12 of 343 letters say it, 24 times'."""
        saying = sum(1 for places in self.found.values() if places)
        places = sum(len(places) for places in self.found.values())
        return (
            f"{saying} of {self.searched} letters say it"
            + (f", {places} times" if places > saying else "")
            + (f"; {len(self.problems)} not searched" if self.problems else "")
        )


def find_in_letters(project: Project, pattern: re.Pattern[str]) -> Search:
    """`letters find`: every letter as last built from its current files, searched."""
    letters, problems = built_letters(project, ())
    search = Search(searched=len(letters), problems=problems)
    for slug, letter in letters.items():
        search.found[project.shown(project.council_file(slug))] = find_in(letter.text, pattern)
    return search
