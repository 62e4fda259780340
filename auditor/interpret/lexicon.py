"""The domain dictionary, segmented with jieba: which words before a figure say what it is."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

# jieba's own dictionary (~350,000 words) takes ~0.35 s to load; we segment with the domain
# words only, which loads in milliseconds and is all the label windows need.
DOMAIN_FREQ = 100000


@dataclass(frozen=True, slots=True)
class Term:
    word: str
    role: str  # "base", "part", "indicator"
    meaning: str  # concept name, part name or indicator slot


@dataclass(frozen=True, slots=True)
class Lexicon:
    terms: dict[str, Term]
    signs: dict[str, int]

    def words(self) -> list[str]:
        return list(self.terms)


@cache
def load_lexicon() -> Lexicon:
    data = yaml.safe_load(
        resources.files("auditor.interpret").joinpath("data/lexicon.yaml").read_text("utf-8")
    )
    terms: dict[str, Term] = {}
    for role, key in (("base", "bases"), ("part", "parts"), ("indicator", "indicator")):
        for meaning, words in data[key].items():
            for word in words:
                terms[word] = Term(word, role, meaning)
    return Lexicon(terms, {k: int(v) for k, v in data["signs"].items()})


def import_jieba():
    """jieba imports pkg_resources (~0.1 s, deprecated) only to open its bundled files and falls
    back to plain open() without it; hide pkg_resources for the length of that import only."""
    import sys

    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    saved = sys.modules.get("pkg_resources", ...)
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if saved is ...:
            del sys.modules["pkg_resources"]
        else:
            sys.modules["pkg_resources"] = saved
    return jieba


@cache
def tokenizer():
    jieba = import_jieba()
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    # Build the prefix dictionary from our words alone (jieba.Tokenizer reads only files; its
    # gen_pfdict takes any line iterable), instead of its 350k-word default.
    lines = "".join(f"{w} {DOMAIN_FREQ} n\n" for w in load_lexicon().words())
    tok.FREQ, tok.total = tok.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
    tok.initialized = True
    return tok


@dataclass(frozen=True, slots=True)
class Hit:
    term: Term
    start: int  # offset within the segmented text
    end: int


@lru_cache(maxsize=4096)
def find_terms(text: str) -> tuple[Hit, ...]:
    """The domain words in `text`, left to right, as jieba segments them. Cached: every figure
    of a paragraph asks about the same paragraph and clauses (else quadratic in its length)."""
    lexicon = load_lexicon()
    hits: list[Hit] = []
    pos = 0
    for word in tokenizer().cut(text, HMM=False):
        term = lexicon.terms.get(word)
        if term:
            hits.append(Hit(term, pos, pos + len(word)))
        pos += len(word)
    return tuple(hits)
