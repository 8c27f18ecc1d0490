"""Grade a free-text answer against key points (SPEC §5): pure, deterministic, fast.

How it works, in short. The answer is tokenised once, straight from the original text (so every
word keeps its offsets for the evidence): Slack markup is dropped or replaced by its label, Unicode
is folded, contractions are expanded, and words are stemmed. Each key point (its sentence and each
accepted alternative) becomes a set of *concepts*: its content words, weighted by rarity (IDF) and
discounted when they merely echo the question. A concept is found in the answer when some answer
word is close enough to it (rapidfuzz ratio of the stems, so typos and inflections are forgiven).
Cue phrases are synonyms: a cue found in the answer stands in for the concepts it replaces, and a
cue stated exactly is extra evidence for its point. A key point is covered when enough of its
weight is found inside one window of one to a few adjacent sentences, with the same polarity
("does not reduce" never covers "reduces"), and not as a bare list of keywords. Long points (the
bank's run to 25 words) need a smaller share of their weight than short ones, but at least a few
of their concepts: people paraphrase a long sentence by its main ideas. The score is the weighted
share of covered points, plus partial credit for near misses (weak overlap earns nothing).

Key points and questions are prepared once and memoised (`_wordings`, `_question_stems`): the
bank's texts repeat on every call, so only the answer is tokenised per call (SPEC §7).

This is the only module of the project that imports rapidfuzz.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.domain.bank import KeyPoint

__all__ = [
    "DEFAULT_CONFIG",
    "EMPTY_MESSAGE",
    "NO_WORDS_MESSAGE",
    "Grade",
    "GraderConfig",
    "PointResult",
    "build_idf",
    "grade",
    "normalise",
    "similarity",
]

EMPTY_MESSAGE = "Your answer is empty: write a few sentences that answer the question."
NO_WORDS_MESSAGE = (
    "Your answer has no words to grade (only emoji, links or mentions): "
    "write a few sentences that answer the question."
)


@dataclass(frozen=True, slots=True)
class GraderConfig:
    """Tuning of the grader (docs/benchmarks.md): defaults chosen on SemEval-2013 `train` and on
    the tuning half of tests/data/bank-answers.yaml, checked against bank separation."""

    word_threshold: float = 70.0  # min rapidfuzz ratio (0-100) for two stems to be the same word
    exact_len: int = 3  # stems this short (L1, SVM, 1.5) must match exactly
    idf_power: float = 1.5  # concept weight = idf ** idf_power (0 = every word counts the same)
    echo_weight: float = 0.3  # share of its weight kept by a key-point word found in the question
    echo_floor: float = 0.25  # if less than this share is left, the point is about the question
    window_sentences: int = 2  # a key point must be found within this many adjacent sentences
    max_sentence_tokens: int = 40  # longer sentences are cut into pieces of this many words
    negation_scope: int = 2  # a negator governs the next words of its clause, this many
    negation_penalty: float = 0.5  # strength kept when matched words have the opposite polarity
    dump_penalty: float = 0.5  # strength kept when the match is a bare list of keywords
    cover_threshold: float = 0.7  # strength from which a key point counts as covered
    partial_credit: float = 1.0  # share of its strength an uncovered point adds to the score
    partial_floor: float = 0.3  # strength below which an uncovered point adds nothing
    max_anchors: int = 6  # best sentences per key point from which windows are grown
    full_concepts: float = 6.0  # a longer point is fully found with this many concepts (0: all)
    full_power: float = 1.3  # how fast the share needed falls with length beyond full_concepts
    min_found: int = 4  # concepts (or cues) a point needs found for its full strength (0: off)
    cue_bonus: float = 0.3  # share of a point's weight each cue found adds, besides its words


DEFAULT_CONFIG = GraderConfig()


@dataclass(frozen=True, slots=True)
class PointResult:
    """How one key point fared: covered or not, how strongly, and the words that showed it."""

    index: int
    key_point: KeyPoint
    covered: bool
    strength: float
    evidence: str | None


@dataclass(frozen=True, slots=True)
class Grade:
    """The grade of one answer: a 0-100 score and the result for each key point."""

    score: int
    points: tuple[PointResult, ...]
    message: str | None = None

    @property
    def covered(self) -> tuple[KeyPoint, ...]:
        """The key points the answer covers, in order."""
        return tuple(p.key_point for p in self.points if p.covered)

    @property
    def missed(self) -> tuple[KeyPoint, ...]:
        """The key points the answer misses, in order."""
        return tuple(p.key_point for p in self.points if not p.covered)

    @property
    def covered_indices(self) -> tuple[int, ...]:
        """Positions of the covered key points."""
        return tuple(p.index for p in self.points if p.covered)

    @property
    def missed_indices(self) -> tuple[int, ...]:
        """Positions of the missed key points."""
        return tuple(p.index for p in self.points if not p.covered)

    @property
    def evidence(self) -> dict[int, str]:
        """Matched text of the answer for each covered key point, by position."""
        return {p.index: p.evidence for p in self.points if p.covered and p.evidence is not None}


# --- tokenisation -------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
      (?P<markup><(?P<target>[^<>|\s]*)(?:\|(?P<label>[^<>\n]*))?>)  # <@U1> <#C|x> <url|label>
    | (?P<emoji>:(?:[a-z0-9_+'-]*[a-z][a-z0-9_+'-]*|[+-]1):)        # :white_check_mark: :+1:
    | (?P<entity>&(?:amp|lt|gt|quot|apos|nbsp|\#\d+);)              # Slack escapes & < >
    | (?P<number>\d+(?:[.,]\d+)+)                                   # 1.5, 0.001
    | (?P<word>[^\W_]+(?:['’‘ʼ`´][^\W_]+)*)                         # words, contractions
    | (?P<stop>[.!?…]+(?=[\s"'”’)*_~]|$)|\n)                       # sentence ends, new lines
    | (?P<sep>[,;:()\[\]{}•·|/=]|\s[-–—]+\s|[–—])                  # clause separators
    """,
    re.VERBOSE,
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

_STOPWORDS = frozenset(
    {
        "whether", "upon", "along", "very", "her", "other", "she", "or", "the", "their", "across",
        "hence", "than", "whenever", "whose", "why", "would", "be", "do", "had", "gets", "how",
        "everything", "anyhow", "are", "much", "but", "off", "well", "who", "yes", "says", "ours",
        "may", "something", "these", "which", "usually", "further", "that", "any", "way", "yours",
        "afterwards", "always", "if", "ourselves", "actually", "became", "one", "of", "almost",
        "perhaps", "some", "us", "after", "another", "been", "via", "lets", "shall", "have",
        "being", "your", "for", "ever", "in", "anyone", "d", "etc", "you", "around", "both",
        "toward", "before", "every", "i", "indeed", "thus", "once", "becomes", "they", "was", "t",
        "over", "even", "yourselves", "out", "mine", "re", "where", "generally", "got", "can", "my",
        "down", "often", "did", "e", "about", "again", "just", "things", "as", "him", "rather",
        "really", "against", "towards", "has", "like", "beside", "wherever", "all", "ve", "does",
        "get", "somehow", "because", "while", "this", "himself", "below", "during", "each", "its",
        "such", "itself", "ie", "anyway", "by", "quite", "me", "it", "simply", "to", "with",
        "become", "from", "although", "doing", "own", "on", "please", "myself", "otherwise",
        "either", "through", "up", "sometimes", "what", "whereas", "getting", "might", "eg",
        "thing", "besides", "meanwhile", "together", "since", "whom", "else", "there", "above",
        "could", "must", "throughout", "when", "already", "will", "m", "between", "too", "a", "s",
        "until", "typically", "is", "thereby", "g", "our", "and", "at", "am", "so", "were",
        "however", "anything", "he", "theirs", "then", "whoever", "yourself", "those", "say", "we",
        "likely", "ll", "his", "among", "here", "let", "them", "should", "also", "done", "into",
        "others", "hers", "herself", "under", "though", "within", "per", "basically", "only",
        "onto", "therefore", "an", "having", "yet", "whatever", "themselves",
    }
)  # fmt: skip
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "without",
        "none",
        "neither",
        "nor",
        "nothing",
        "nobody",
        "nowhere",
        "hardly",
        "barely",
    ]
)
# Long negators are recognised with one typo ("canot", "wihtout"): losing the negation of a
# mistyped "cannot" would credit the opposite statement. Short ones ("not", "no") are not: one
# edit away from them lie too many ordinary words. Real words one edit away are excluded.
_TYPO_TOLERANT_NEGATORS = ("cannot", "without")
_NOT_MISTYPED_NEGATORS = frozenset({"cannon", "withouts"})
_NOT_A_NEGATION_BEFORE = frozenset({"only", "just", "merely", "simply", "doubt"})
# Leading words of "n't" contractions whose stem changes: won't, can't, shan't, ain't.
_NT_BASES = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}
_APOSTROPHE_LESS = {
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"),
    "couldnt": ("could", "not"),
    "mustnt": ("must", "not"),
    "neednt": ("need", "not"),
    "cant": ("cannot",),
    "wont": ("will", "not"),
    "aint": ("is", "not"),
    "shouldve": ("should", "have"),
    "wouldve": ("would", "have"),
    "couldve": ("could", "have"),
}
_S_IS = frozenset(
    [
        "it",
        "that",
        "what",
        "there",
        "here",
        "he",
        "she",
        "who",
        "where",
        "how",
        "when",
        "which",
        "everything",
        "nothing",
        "someone",
    ]
)
_LITTLE_WORDS = _STOPWORDS | _NEGATORS
_ARTICLES = frozenset({"the", "a", "an", "of", "and", "to", "for", "in", "on", "by"})
_BRITISH_ENDINGS = tuple(
    stem + end
    for stem, ends in (
        ("is", ("e", "es", "ed", "ing", "ation", "ations", "er", "ers")),
        ("ys", ("e", "es", "ed", "ing", "er", "ers")),
        ("our", ("", "s", "ed", "ing", "al")),
    )
    for end in ends
)
_BRITISH = (
    (re.compile(r"(?<=\w\w\w)is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w\w)ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w\w)our(s|ed|ing|al)?$"), r"or\1"),
)


def _fold(word: str) -> str:
    """NFKC, no accents, straight apostrophes, lower case."""
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKC", word).translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _expand(word: str) -> tuple[str, ...]:
    """Contractions and possessives as plain words: isn't -> is not, model's -> model."""
    if "'" not in word:
        return _APOSTROPHE_LESS.get(word, (word,))
    head, _, tail = word.partition("'")
    if tail == "t" and head.endswith("n"):
        base = head[:-1]
        if base == "ca":
            return ("cannot",)
        return (_NT_BASES.get(base, base), "not")
    if tail == "s":
        if head == "let":
            return ("let", "us")
        return (head, "is") if head in _S_IS else (head,)
    expansions = {"re": "are", "ve": "have", "ll": "will", "d": "would", "m": "am"}
    if tail in expansions:
        return (head, expansions[tail])
    return tuple(part for part in word.split("'") if part)


@dataclass(slots=True)
class _Text:
    """A tokenised text: parallel lists, one entry per word."""

    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    sentence: list[int] = field(default_factory=list)
    clause: list[int] = field(default_factory=list)
    upper: list[bool] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    content: list[bool] = field(default_factory=list)
    negated: list[bool] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)


def _tokenise(text: str, max_sentence: int = 10**9) -> _Text:
    """Words of `text` with their offsets, sentence and clause numbers (not yet stemmed)."""
    out = _Text()
    words, starts, ends = out.words, out.starts, out.ends
    sentences, clauses, upper = out.sentence, out.clause, out.upper
    sentence = clause = in_sentence = 0

    def scan(segment: str, base: int) -> None:
        nonlocal sentence, clause, in_sentence
        for m in _TOKEN_RE.finditer(segment):
            kind = m.lastgroup
            if kind == "word" or kind == "number":
                raw = m.group()
                if raw.isascii():
                    word = raw.lower()
                    if "`" in word:
                        word = word.replace("`", "'")
                else:
                    word = _fold(raw)
                parts = _expand(word) if "'" in word or word in _APOSTROPHE_LESS else (word,)
                is_upper = len(raw) >= 2 and raw.isupper()
                start, end = base + m.start(), base + m.end()
                for part in parts:
                    if in_sentence >= max_sentence:
                        sentence += 1
                        clause += 1
                        in_sentence = 0
                    words.append(part)
                    starts.append(start)
                    ends.append(end)
                    sentences.append(sentence)
                    clauses.append(clause)
                    upper.append(is_upper)
                    in_sentence += 1
            elif kind == "stop":
                if in_sentence:
                    sentence += 1
                    clause += 1
                    in_sentence = 0
            elif kind == "sep":
                if in_sentence:
                    clause += 1
            elif kind == "markup":
                if in_sentence:
                    clause += 1
                label = m.group("label")
                if label and not m.group("target").startswith(("@", "!")):
                    scan(label, base + m.start("label"))
                    if in_sentence:
                        clause += 1
            # emoji and entities carry no words

    scan(text, 0)
    return out


def normalise(text: str) -> str:
    """Slack-aware normal form: markup, emoji, entities and punctuation gone, Unicode folded,
    contractions expanded, lower case; words separated by single spaces (not stemmed)."""
    return " ".join(_tokenise(text).words)


def _spelling(word: str) -> str:
    """British to American endings, so both stem alike (regularisation, behaviour, analyse)."""
    if not word.endswith(_BRITISH_ENDINGS):
        return word
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def _negators_among(words: Iterable[str]) -> frozenset[str]:
    """The words that negate: the negators, plus long ones with a single typo."""
    found = {w for w in words if w in _NEGATORS}
    for w in words:
        if w in found or w in _NOT_MISTYPED_NEGATORS or not 5 <= len(w) <= 8:
            continue
        if any(OSA.distance(w, n, score_cutoff=1) <= 1 for n in _TYPO_TOLERANT_NEGATORS):
            found.add(w)
    return frozenset(found)


def _finish(
    t: _Text,
    stemmer: Stemmer.Stemmer,
    cache: dict[str, str],
    scope: int,
    with_sentences: bool = True,
) -> _Text:
    """Stems, content flags, negation flags and sentence ranges of a tokenised text."""
    if len(cache) > _STEMS_MAX:
        cache.clear()
    # a local view, so that another thread clearing the shared cache cannot lose a stem
    known = {w: stem for w in set(t.words) if (stem := cache.get(w)) is not None}
    missing = [w for w in set(t.words) if w not in known]
    if missing:
        for word, stem in zip(
            missing, stemmer.stemWords([_spelling(w) for w in missing]), strict=True
        ):
            known[word] = cache[word] = stem
    t.stems = [known[w] for w in t.words]
    words = t.words
    t.content = [w not in _LITTLE_WORDS for w in words]
    negators = _negators_among(known)
    if negators.isdisjoint(words):
        t.negated = [False] * len(words)
    else:
        negated: list[bool] = []
        last_negator = -(10**9)
        current_clause = -1
        for i, word in enumerate(words):
            if t.clause[i] != current_clause:
                current_clause = t.clause[i]
                last_negator = -(10**9)
            negated.append(i - last_negator <= scope)
            if word in negators and not (
                i + 1 < len(words) and words[i + 1] in _NOT_A_NEGATION_BEFORE
            ):
                last_negator = i
        t.negated = negated
    sentences: list[tuple[int, int]] = []
    if with_sentences:
        begin = 0
        marks = t.sentence
        for i in range(1, len(words)):
            if marks[i] != marks[i - 1]:
                sentences.append((begin, i))
                begin = i
        if words:
            sentences.append((begin, len(words)))
    t.sentences = sentences
    return t


# --- key points ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Concept:
    stem: str
    weight: float
    negated: bool
    occurrences: list[tuple[int, float, bool]] = field(default_factory=list)  # pos, credit, agrees
    positions: list[int] = field(default_factory=list)
    either: bool = False  # the point uses the word both negated and not: any polarity agrees


@dataclass(slots=True)
class _Cue:
    words: list[_Concept]  # every content word of the cue must be found
    aligned: frozenset[int]  # indices of the variant's concepts the cue also states
    extra: int  # how many other concepts the cue stands in for


@dataclass(frozen=True, slots=True)
class _CueTemplate:
    words: tuple[tuple[str, bool], ...]  # stem and polarity of each content word of the cue
    aligned: frozenset[int]  # indices of the wording's concepts the cue also states
    extra: int  # how many other concepts the cue stands in for


@dataclass(frozen=True, slots=True)
class _Wording:
    """One wording of a key point, prepared once: it depends on neither the answer nor the IDF."""

    stems: tuple[str, ...]  # its concepts, distinct, in order
    negated: tuple[bool, ...]
    upper: tuple[bool, ...]  # written in capitals in the point (an acronym to spell out)
    either: tuple[bool, ...]  # used both negated and not ("changes ... with no changes")
    cues: tuple[_CueTemplate, ...]


def _concept_stems(t: _Text) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[bool, ...]]:
    """The distinct content stems of a wording, in order, their polarity, and whether the
    wording uses them with both polarities."""
    picked = [i for i in range(len(t.words)) if t.content[i]]
    if not picked:  # a point made only of little words: they are its concepts
        picked = list(range(len(t.words)))
    stems: list[str] = []
    negated: list[bool] = []
    seen: dict[str, int] = {}
    either: list[bool] = []
    for i in picked:
        stem = t.stems[i]
        k = seen.get(stem)
        if k is not None:
            either[k] = either[k] or negated[k] != t.negated[i]
            continue
        seen[stem] = len(stems)
        stems.append(stem)
        negated.append(t.negated[i])
        either.append(False)
    return tuple(stems), tuple(negated), tuple(either)


def _concepts(
    w: _Wording,
    question: frozenset[str],
    idf: Mapping[str, float],
    unseen: float,
    cfg: GraderConfig,
) -> list[_Concept]:
    """The wording's concepts for one call, weighted by rarity and discounted for echoes."""
    if idf and cfg.idf_power:
        power = cfg.idf_power
        weights = [idf.get(stem, unseen) ** power for stem in w.stems]
    else:
        weights = [1.0] * len(w.stems)
    if question and weights:
        echo = cfg.echo_weight
        discounted = [
            x * (echo if stem in question else 1.0)
            for x, stem in zip(weights, w.stems, strict=True)
        ]
        if sum(discounted) >= cfg.echo_floor * sum(weights):
            weights = discounted
    return [
        _Concept(stem, x, neg and not mixed, either=mixed)
        for stem, x, neg, mixed in zip(w.stems, weights, w.negated, w.either, strict=True)
    ]


def _initials(t: _Text) -> tuple[str, list[int]]:
    """First letters of the words that may appear in an acronym, and their word positions."""
    keep = [i for i, w in enumerate(t.words) if w not in _ARTICLES]
    return "".join(t.words[i][0] for i in keep), keep


def _cue_words(cue: _Text) -> tuple[tuple[str, bool], ...]:
    """The content words of a cue (stem, polarity), each to be found in the answer."""
    return tuple((cue.stems[i], cue.negated[i]) for i in range(len(cue.words)) if cue.content[i])


def _align_cue(
    cue: _Text,
    words: tuple[tuple[str, bool], ...],
    variant: _Text,
    initials: tuple[str, list[int]],
    stems: tuple[str, ...],
    cfg: GraderConfig,
) -> _CueTemplate:
    """Which concepts of a wording a cue states, and how many others it stands in for."""
    by_stem = {stem: k for k, stem in enumerate(stems)}
    aligned: set[int] = set()
    extra = 0
    letters, positions = initials
    cue_words = [cue.words[i] for i in range(len(cue.words)) if cue.content[i]]
    for (stem, _), word in zip(words, cue_words, strict=True):
        k = by_stem.get(stem)
        if k is None and len(stem) > cfg.exact_len:
            near = process.extractOne(
                stem, stems, scorer=fuzz.ratio, score_cutoff=cfg.word_threshold
            )
            if near is not None and len(near[0]) > cfg.exact_len:
                k = near[2]
        if k is not None:
            aligned.add(k)
            continue
        at = letters.find(word) if len(word) >= 2 else -1
        if at >= 0:  # an acronym of the point's words: IDF for inverse document frequency
            run = {variant.stems[positions[p]] for p in range(at, at + len(word))}
            aligned.update(k2 for s, k2 in by_stem.items() if s in run)
            continue
        extra += 1
    return _CueTemplate(words, frozenset(aligned), extra)


@dataclass(slots=True)
class _Variant:
    concepts: list[_Concept]
    cues: list[_Cue]
    total: float


# --- alignment ----------------------------------------------------------------------------------


class _Answer:
    """The answer, tokenised, with lookups from stems to word positions."""

    def __init__(self, t: _Text) -> None:
        self.t = t
        self.positions: dict[str, list[int]] = {}
        for i, stem in enumerate(t.stems):
            if t.content[i]:
                self.positions.setdefault(stem, []).append(i)
        self.choices = list(self.positions)
        self.first_letters, self.letter_positions = _initials(t)
        self.matches: dict[str, list[tuple[str, float]]] = {}
        self.located: dict[
            tuple[str, bool, bool, bool], tuple[list[tuple[int, float, bool]], list[int]]
        ] = {}

    def similar(self, stem: str, cfg: GraderConfig) -> list[tuple[str, float]]:
        """Answer stems close to `stem`, with a credit in (0, 1]."""
        found = self.matches.get(stem)
        if found is not None:
            return found
        if len(stem) <= cfg.exact_len or stem[0].isdigit():
            found = [(stem, 1.0)] if stem in self.positions else []
        else:
            found = [
                (choice, 1.0 if choice == stem else score / 100.0)
                for choice, score, _ in process.extract(
                    stem,
                    self.choices,
                    scorer=fuzz.ratio,
                    score_cutoff=cfg.word_threshold,
                    limit=None,
                )
                if len(choice) > cfg.exact_len
            ]
        self.matches[stem] = found
        return found

    def locate(self, concept: _Concept, upper: bool, cfg: GraderConfig) -> None:
        """Fill the concept's occurrences in the answer, sorted by position (shared, read-only)."""
        key = (concept.stem, concept.negated, upper, concept.either)
        done = self.located.get(key)
        if done is None:
            polarity = None if concept.either else concept.negated
            done = self.located[key] = self._occurrences(concept.stem, polarity, upper, cfg)
        concept.occurrences, concept.positions = done

    def _occurrences(
        self, stem: str, polarity: bool | None, upper: bool, cfg: GraderConfig
    ) -> tuple[list[tuple[int, float, bool]], list[int]]:
        occurrences: list[tuple[int, float, bool]] = []
        negated = self.t.negated
        for choice, credit in self.similar(stem, cfg):
            for pos in self.positions[choice]:
                occurrences.append((pos, credit, polarity is None or negated[pos] == polarity))
        if upper and len(stem) >= 2:  # an acronym of the point, spelled out in the answer
            letters = stem
            at = self.first_letters.find(letters)
            while at >= 0:
                first, last = (
                    self.letter_positions[at],
                    self.letter_positions[at + len(letters) - 1],
                )
                occurrences.append((last, 1.0, polarity is None or negated[first] == polarity))
                at = self.first_letters.find(letters, at + 1)
        occurrences.sort()
        return occurrences, [o[0] for o in occurrences]


@lru_cache(maxsize=4096)
def _wordings(
    kp: KeyPoint, scope: int, exact_len: int, word_threshold: float
) -> tuple[tuple[_Wording, ...], tuple[tuple[str, bool], ...]]:
    """A key point's wordings (point and alternatives) with their cues, and all its cue words.

    Memoised: the bank's key points are prepared once, not on every call (SPEC §7).
    """
    finish = _Finisher(_stemmer(), _STEMS, scope)
    cfg = GraderConfig(exact_len=exact_len, word_threshold=word_threshold)
    cues = [(c, _cue_words(c)) for c in (finish(text) for text in kp.cues)]
    cues = [(c, words) for c, words in cues if words]
    out: list[_Wording] = []
    for text in (kp.point, *kp.alternatives):
        t = finish(text, with_sentences=False)
        stems, negated, either = _concept_stems(t)
        if not stems:
            continue
        upper_stems = {t.stems[i] for i in range(len(t.words)) if t.upper[i]}
        initials = _initials(t) if cues else ("", [])
        out.append(
            _Wording(
                stems,
                negated,
                tuple(stem in upper_stems for stem in stems),
                either,
                tuple(_align_cue(c, words, t, initials, stems, cfg) for c, words in cues),
            )
        )
    all_words = tuple(dict.fromkeys(w for _, words in cues for w in words))
    return tuple(out), all_words


@lru_cache(maxsize=1024)
def _question_stems(question: str, scope: int) -> frozenset[str]:
    """The content stems of a question (memoised: the bank's questions repeat)."""
    if not question:
        return frozenset()
    q = _Finisher(_stemmer(), _STEMS, scope)(question, with_sentences=False)
    return frozenset(s for i, s in enumerate(q.stems) if q.content[i])


def _prepare(
    kp: KeyPoint,
    ans: _Answer,
    question: frozenset[str],
    idf: Mapping[str, float],
    unseen: float,
    cfg: GraderConfig,
) -> list[_Variant]:
    wordings, all_cue_words = _wordings(kp, cfg.negation_scope, cfg.exact_len, cfg.word_threshold)
    cue_concepts: dict[tuple[str, bool], _Concept] = {}
    for stem, negated in all_cue_words:
        c = cue_concepts[stem, negated] = _Concept(stem, 1.0, negated)
        ans.locate(c, False, cfg)
    variants: list[_Variant] = []
    for w in wordings:
        concepts = _concepts(w, question, idf, unseen, cfg)
        for c, upper in zip(concepts, w.upper, strict=True):
            ans.locate(c, upper, cfg)
        cues = [
            _Cue([cue_concepts[x] for x in cue.words], cue.aligned, cue.extra) for cue in w.cues
        ]
        total = sum(c.weight for c in concepts)
        if cfg.full_concepts > 0.0 and len(concepts) > cfg.full_concepts:
            # long points: their main concepts suffice
            total *= (cfg.full_concepts / len(concepts)) ** cfg.full_power
        variants.append(_Variant(concepts, cues, total))
    return variants


_LOCAL = threading.local()
_STEMS: dict[str, str] = {}  # word -> stem, shared by all calls (a word always has the same stem)
_STEMS_MAX = 200_000


def _stemmer() -> Stemmer.Stemmer:
    """This thread's stemmer (a Stemmer object must not be shared between threads)."""
    stemmer: Stemmer.Stemmer | None = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = Stemmer.Stemmer("english")
    return stemmer


class _Finisher:
    """Tokenises texts with this thread's stemmer and the shared stem cache."""

    def __init__(self, stemmer: Stemmer.Stemmer, cache: dict[str, str], scope: int) -> None:
        self.stemmer, self.cache, self.scope = stemmer, cache, scope

    def __call__(self, text: str, max_sentence: int = 10**9, with_sentences: bool = True) -> _Text:
        t = _tokenise(text, max_sentence)
        return _finish(t, self.stemmer, self.cache, self.scope, with_sentences)


def _best_in(concept: _Concept, a: int, b: int) -> tuple[float, int, float, int]:
    """Best credit (and its position) in [a, b) with the point's polarity, and against it."""
    positions = concept.positions
    k = bisect_left(positions, a)
    agree, agree_at, against, against_at = 0.0, -1, 0.0, -1
    occurrences = concept.occurrences
    while k < len(positions) and positions[k] < b:
        pos, credit, agrees = occurrences[k]
        if agrees:
            if credit > agree:
                agree, agree_at = credit, pos
        elif credit > against:
            against, against_at = credit, pos
        k += 1
    return agree, agree_at, against, against_at


def _is_dump(t: _Text, a: int, b: int) -> bool:
    """A bare list of terms: several short items and hardly any little words between them."""
    n = b - a
    if n < 3:
        return False
    items = len(set(t.clause[a:b]))
    if items < 3 or n / items > 3.0:
        return False
    little = sum(1 for i in range(a, b) if not t.content[i])
    return little / n < 0.2


def _evaluate(
    variant: _Variant, ans: _Answer, a: int, b: int, cfg: GraderConfig, dumps: dict[int, bool]
) -> tuple[float, list[int]]:
    got = 0.0
    used: list[int] = []
    missing: list[float] = []
    conflict = False
    found = [False] * len(variant.concepts)
    negation_kept = negation_lost = False
    for k, concept in enumerate(variant.concepts):
        credit, where, against, against_at = _best_in(concept, a, b)
        if concept.negated:
            # A negative point ("accuracy is not enough"): the answer must negate at least one
            # of the words the point negates; negators need not govern exactly the same words.
            negation_kept = negation_kept or credit > 0.0
            if credit == 0.0 and against > 0.0:
                negation_lost = True
                credit, where = against, against_at
        elif credit == 0.0 and against > 0.0:
            conflict = True  # the answer negates what the point asserts
        if credit > 0.0:
            got += concept.weight * credit
            used.append(where)
            found[k] = True
    conflict = conflict or (negation_lost and not negation_kept)
    cues_found = 0
    for cue in variant.cues:
        if not cue.extra and all(found[k] for k in cue.aligned):
            continue
        credits: list[float] = []
        spots: list[int] = []
        for w in cue.words:
            credit, where, _, _ = _best_in(w, a, b)
            if credit <= 0.0:
                break
            credits.append(credit)
            spots.append(where)
        else:
            credit = min(credits)
            for k in cue.aligned:
                if not found[k]:
                    found[k] = True
                    got += variant.concepts[k].weight * credit
            missing = sorted(
                (c.weight for k, c in enumerate(variant.concepts) if not found[k]), reverse=True
            )
            got += sum(missing[: cue.extra]) * credit
            if cue.extra:
                # mark the filled concepts so that two cues do not fill the same one
                order = sorted(
                    (k for k in range(len(found)) if not found[k]),
                    key=lambda k: -variant.concepts[k].weight,
                )
                for k in order[: cue.extra]:
                    found[k] = True
            used.extend(spots)
            if cue.extra and credit >= 1.0:  # a synonym, stated exactly, not a fuzzy lookalike
                cues_found += 1
    if cues_found and cfg.cue_bonus:
        got += cfg.cue_bonus * cues_found * variant.total  # several cues: strong evidence
    strength = min(1.0, got / variant.total) if variant.total > 0 else 0.0
    if cfg.min_found and len(found) > cfg.full_concepts:
        # a long point is not shown by one or two of its words, however rare
        needed = min(cfg.min_found, len(found))
        strength *= min(1.0, (sum(found) + cues_found) / needed)
    if conflict:
        strength *= cfg.negation_penalty
    if strength > 0.0:
        key = a * 1_000_003 + b
        dump = dumps.get(key)
        if dump is None:
            dump = dumps[key] = _is_dump(ans.t, a, b)
        if dump:
            strength *= cfg.dump_penalty
    return strength, used


def _bound(
    per_sentence: dict[int, dict[int, float]],
    cued: set[int],
    weights: list[float],
    total: float,
    first: int,
    last: int,
) -> float:
    """Upper bound of a variant's strength in sentences first..last (cues may fill anything)."""
    if first == last:
        if first in cued:
            return 1.0
        slot = per_sentence.get(first)
        return sum(weights[k] * c for k, c in slot.items()) / total if slot else 0.0
    if any(s in cued for s in range(first, last + 1)):
        return 1.0
    found: dict[int, float] = {}
    for s in range(first, last + 1):
        for k, credit in per_sentence.get(s, {}).items():
            if credit > found.get(k, 0.0):
                found[k] = credit
    return sum(weights[k] * c for k, c in found.items()) / total


def _score_point(
    variants: list[_Variant], ans: _Answer, cfg: GraderConfig, dumps: dict[int, bool]
) -> tuple[float, list[int]]:
    """The best strength of any variant in any window, and the answer words that gave it."""
    best, best_used = 0.0, []
    sentences = ans.t.sentences
    sentence_of = ans.t.sentence
    n_sent = len(sentences)
    for variant in variants:
        if best >= 1.0:
            break
        # where each concept is found (best credit per sentence), and where cue words are
        per_sentence: dict[int, dict[int, float]] = {}
        for k, concept in enumerate(variant.concepts):
            for pos, credit, agrees in concept.occurrences:
                if agrees or concept.negated:
                    slot = per_sentence.setdefault(sentence_of[pos], {})
                    if credit > slot.get(k, 0.0):
                        slot[k] = credit
        cued = {sentence_of[pos] for cue in variant.cues for w in cue.words for pos in w.positions}
        for sent in cued:
            per_sentence.setdefault(sent, {})
        if not per_sentence or variant.total <= 0:
            continue
        ranked = sorted(per_sentence)
        weights = [c.weight for c in variant.concepts]
        total = variant.total
        if len(ranked) > cfg.max_anchors:
            solo = {s: _bound(per_sentence, cued, weights, total, s, s) for s in ranked}
            ranked = sorted(ranked, key=lambda s: (-solo[s], s))[: cfg.max_anchors]
        windows: dict[tuple[int, int], float] = {}
        for s in ranked:
            for size in range(1, cfg.window_sentences + 1):
                for first in range(max(0, s - size + 1), min(s, n_sent - size) + 1):
                    key = (first, first + size - 1)
                    if key not in windows:
                        windows[key] = _bound(per_sentence, cued, weights, total, *key)
        for (first, last), upper in sorted(windows.items(), key=lambda kv: (-kv[1], kv[0])):
            if upper <= best + 1e-9:
                break
            a, b = sentences[first][0], sentences[last][1]
            strength, used = _evaluate(variant, ans, a, b, cfg, dumps)
            if strength > best + 1e-9:
                best, best_used = strength, used
    return best, best_used


# --- public API ---------------------------------------------------------------------------------


def _credit(strength: float, covered: bool, cfg: GraderConfig) -> float:
    """A point's share of its weight in the score: all of it when covered; else partial credit
    that rises from 0 at `partial_floor` to `cover_threshold` just below the threshold."""
    if covered:
        return 1.0
    floor, cover = cfg.partial_floor, cfg.cover_threshold
    if floor <= 0.0:
        return cfg.partial_credit * strength
    if strength <= floor or cover <= floor:
        return 0.0
    return cfg.partial_credit * cover * (strength - floor) / (cover - floor)


def _as_key_point(item: KeyPoint | str) -> KeyPoint:
    return KeyPoint(point=item) if isinstance(item, str) else item


def _unseen_idf(idf: Mapping[str, float]) -> float:
    """The weight of a word the corpus never saw: as rare as the rarest word."""
    if "" in idf:
        return idf[""]
    return max(idf.values(), default=1.0)


def grade(
    answer: str,
    key_points: Sequence[KeyPoint | str],
    *,
    question: str = "",
    idf: Mapping[str, float] | None = None,
    config: GraderConfig = DEFAULT_CONFIG,
) -> Grade:
    """Grade `answer` against `key_points`; `question` words earn nothing, `idf` weighs words."""
    kps = tuple(_as_key_point(k) for k in key_points)
    missed = tuple(PointResult(i, kp, False, 0.0, None) for i, kp in enumerate(kps))
    if not answer.strip():
        return Grade(0, missed, EMPTY_MESSAGE)
    cfg = config
    finish = _Finisher(_stemmer(), _STEMS, cfg.negation_scope)
    ans = _Answer(finish(answer, cfg.max_sentence_tokens))
    if not ans.t.words:
        return Grade(0, missed, NO_WORDS_MESSAGE)
    weights = idf or {}
    unseen = _unseen_idf(weights) if weights else 1.0
    question_stems = _question_stems(question, cfg.negation_scope)
    dumps: dict[int, bool] = {}
    results: list[PointResult] = []
    earned = total = 0.0
    for i, kp in enumerate(kps):
        variants = _prepare(kp, ans, question_stems, weights, unseen, cfg)
        strength, used = _score_point(variants, ans, cfg, dumps)
        strength = round(strength, 4)
        covered = strength >= cfg.cover_threshold
        evidence = None
        if covered and used:
            evidence = answer[min(ans.t.starts[p] for p in used) : max(ans.t.ends[p] for p in used)]
        results.append(PointResult(i, kp, covered, strength, evidence))
        weight = max(kp.weight, 0.0)
        total += weight
        earned += weight * _credit(strength, covered, cfg)
    score = round(100.0 * earned / total) if total > 0 else 0
    return Grade(max(0, min(100, score)), tuple(results))


def build_idf(texts: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency of each normalised stem over `texts` (e.g. the whole bank).

    The entry for "" is the weight of a stem the corpus never saw.
    """
    finish = _Finisher(_stemmer(), _STEMS, DEFAULT_CONFIG.negation_scope)
    df: dict[str, int] = {}
    n = 0
    for text in texts:
        n += 1
        for stem in set(finish(text).stems):
            df[stem] = df.get(stem, 0) + 1
    idf = {stem: math.log((n + 1) / (count + 1)) + 1.0 for stem, count in df.items()}
    idf[""] = math.log(n + 1) + 1.0
    return idf


def similarity(a: str, b: str) -> float:
    """How alike two answers are, 0-100, after normalisation (near-duplicates score 90+)."""
    return float(fuzz.ratio(normalise(a), normalise(b)))


def copy_form(text: str) -> str:
    """What the copy check compares: the answer's normal form (kept with the answer, so each
    answer is normalised once, not on every later reply in its thread)."""
    return normalise(text)


def copies_any(form: str, earlier: Iterable[str], threshold: float) -> bool:
    """Whether an answer (its `copy_form`) is at least `threshold` alike to one of the
    `earlier` answers' copy forms."""
    return any(fuzz.ratio(form, other, score_cutoff=threshold) >= threshold for other in earlier)
