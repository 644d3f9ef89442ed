"""A letter's words in reading order, each with its page, compared word by word: the passages
that changed, marked as `git diff --word-diff` marks them ([-removed-]{+added+}), each with
the rest of its sentence so the old and new sentence can both be read."""

import difflib
import re
from dataclasses import dataclass

import lxml.etree

from letters.letter.read_back import PAGE_BREAK
from letters.letter.references import parsed_html

SENTENCE_ENDS = (".", "?", "!", ":")
MOST_AROUND = 12  # words of context each side, when no sentence ends sooner
JOINED_WITHIN = 6  # changes fewer words apart than this are one passage


Opcode = tuple[str, int, int, int, int]  # difflib's: what, old from, old to, new from, new to


@dataclass(frozen=True)
class Word:
    text: str
    page: int


@dataclass(frozen=True)
class Passage:
    """One changed passage: the page it is on now (or was, if it went) and how it reads."""

    page: int
    marked: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.marked}"


def words_of(text: str) -> list[Word]:
    """The words of a text kept as build/text/ keeps a letter (pages parted by form feeds)."""
    return [
        Word(word, page)
        for page, content in enumerate(text.split(PAGE_BREAK), 1)
        for word in content.split()
    ]


def changed_passages(before: str, after: str) -> list[Passage]:
    """Every passage whose words differ, in the order the letter reads now."""
    old, new = words_of(before), words_of(after)
    matcher = difflib.SequenceMatcher(
        None, [w.text for w in old], [w.text for w in new], autojunk=False
    )
    changes: list[Opcode] = [
        (tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]
    return [passage(old, new, group) for group in grouped(changes)]


def grouped(changes: list[Opcode]) -> list[list[Opcode]]:
    """Changes a few words apart, as one passage."""
    groups: list[list[Opcode]] = []
    for change in changes:
        if groups and change[3] - groups[-1][-1][4] < JOINED_WITHIN:
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def passage(old: list[Word], new: list[Word], group: list[Opcode]) -> Passage:
    start, end = group[0][3], group[-1][4]  # in the new words
    first = sentence_start(new, start)
    last = sentence_end(new, end)
    pieces = [word.text for word in new[first:start]]
    for number, (_, i1, i2, j1, j2) in enumerate(group):
        if number:
            pieces += [word.text for word in new[group[number - 1][4] : j1]]
        pieces.append(marked(old[i1:i2], "[-", "-]") + marked(new[j1:j2], "{+", "+}"))
    pieces += [word.text for word in new[end:last]]
    if first > 0 and not ends_sentence(new[first - 1]):
        pieces.insert(0, "...")
    if last < len(new) and not ends_sentence(new[last - 1]):
        pieces.append("...")
    _, i1, _, j1, j2 = group[0]
    page = new[j1].page if j1 < j2 else old[i1].page  # where it starts: now, or where it was
    return Passage(page, " ".join(pieces))


def marked(words: list[Word], opening: str, closing: str) -> str:
    return f"{opening}{' '.join(word.text for word in words)}{closing}" if words else ""


def sentence_start(words: list[Word], index: int) -> int:
    start = index
    while start > 0 and index - start < MOST_AROUND and not ends_sentence(words[start - 1]):
        start -= 1
    return start


def sentence_end(words: list[Word], index: int) -> int:
    end = index
    if end > 0 and ends_sentence(words[end - 1]):
        return end
    while end < len(words) and end - index < MOST_AROUND:
        end += 1
        if ends_sentence(words[end - 1]):
            break
    return end


def ends_sentence(word: Word) -> bool:
    return word.text.endswith(SENTENCE_ENDS)


SEEN_TEXT = lxml.etree.XPath(
    "//body//text()[not(ancestor::style or ancestor::script or ancestor::*[@aria-hidden='true'])]"
)


def html_words(html: str) -> str:
    """The words a screen reader reads in an HTML letter, in document order (no pages; what is
    hidden from it, such as the display figures, left out)."""
    document = parsed_html(html)
    if document is None:
        return ""
    texts = SEEN_TEXT(document)
    assert isinstance(texts, list)
    return " ".join(" ".join(str(text) for text in texts).split())


GONE = re.compile(r"\[-.*?-\]")
NEW = re.compile(r"\{\+(.*?)\+\}")


def as_it_reads_now(passage: Passage, around: int | None = None) -> str:
    """A changed passage as the letter now says it, the marks taken out; `around`: only so
    many words before its first change, and twice as many from it."""
    marked = passage.marked
    start = min((i for i in (marked.find("[-"), marked.find("{+")) if i >= 0), default=0)
    before, after = now_words(marked[:start]), now_words(marked[start:])
    if around is None:
        return " ".join(before + after)
    cut_before = ["...", *before[-around:]] if len(before) > around else before
    cut_after = [*after[: around * 2], "..."] if len(after) > around * 2 else after
    return " ".join(cut_before + cut_after)


def now_words(marked: str) -> list[str]:
    return NEW.sub(r"\1", GONE.sub("", marked)).split()
