"""spaCy pipelines, built once per process: tokens, sentences and lemmas for en and fr.

Only what extraction reads is loaded: the tokenizer, sentence boundaries and lemmas.
French takes `fr_core_news_sm`'s sentence recognizer with lookup lemmas: the model's
tagger-driven lemmatizer costs 4× the time and 70 MB more for the same corpus scores
(README, "Speed and memory").
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources

import spacy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokenizer import Tokenizer

log = logging.getLogger(__name__)

SUPPORTED_LANGS = ("en", "fr")
# Abbreviations that end in a period but do not end a sentence in news text.
_ABBREVIATIONS = ("Inc.", "Corp.", "Co.", "Ltd.", "Cie.", "Bros.", "Mr.", "Mrs.", "Ms.", "Dr.")
# A capitalised word is read as a name when English text writes it capitalised at least
# this much more often (natural log: 5×) and rarely as a word ("Tesla", "Airbus", "Ford").
_NAME_MARGIN = 1.6
_RARE_WORD_LOGPROB = -13.0
# Names that no dictionary lists but that read as ordinary words in news text.
_EXTRA_COMMON_WORDS = frozenset({"meta", "snap", "block", "square", "visa", "gap", "match"})


@dataclass(frozen=True)
class Pipelines:
    by_lang: Mapping[str, Language]
    common_words: frozenset[str]  # lower-case dictionary words and stop words, all languages

    def get(self, lang: str | None) -> Language | None:
        return self.by_lang.get(lang or "")


def load_pipelines(langs: tuple[str, ...] = SUPPORTED_LANGS) -> Pipelines:
    loaders = {"en": _english, "fr": _french}
    by_lang = {lang: _with_abbreviations(loaders[lang]()) for lang in langs}
    words = set(_EXTRA_COMMON_WORDS)
    for nlp in by_lang.values():
        words.update(_dictionary(nlp))
    return Pipelines(by_lang, frozenset(words))


def _english() -> Language:
    try:
        # The trained pipeline lemmatizes better; its parser and NER are not needed.
        nlp = spacy.load("en_core_web_sm", exclude=["parser", "ner"])
        nlp.enable_pipe("senter")
        return nlp
    except OSError:
        log.info("en_core_web_sm is not installed: English uses lookup lemmas")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def _french() -> Language:
    nlp = spacy.load(
        "fr_core_news_sm",
        exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"],
    )
    nlp.enable_pipe("senter")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert isinstance(lemmatizer, Lemmatizer)
    lemmatizer.initialize()
    return nlp


def _with_abbreviations(nlp: Language) -> Language:
    tokenizer: Tokenizer = nlp.tokenizer
    for abbreviation in _ABBREVIATIONS:
        tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    return nlp


def _dictionary(nlp: Language) -> set[str]:
    """The language's words: stop words and every lemma its lemmatizer tables know."""
    words = {w.lower() for w in nlp.Defaults.stop_words}
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        assert isinstance(lemmatizer, Lemmatizer)
        lookups = lemmatizer.lookups
        for name in lookups.tables:
            for value in lookups.get_table(name).values():
                if isinstance(value, str):
                    words.add(value.lower())
                elif isinstance(value, dict):  # lemma_index: {pos: [lemmas]}
                    words.update(w.lower() for lemmas in value.values() for w in lemmas)
                elif isinstance(value, list):
                    words.update(w.lower() for w in value if isinstance(w, str))
    return words


def mostly_names(words: Collection[str]) -> set[str]:
    """Those capitalised `words` that English usage writes as names, not as words.

    Reads spacy-lookups-data's word frequencies once, for just these words (the
    whole table would cost 150 MB as a dict).
    """
    forms = {form for w in words for form in (w, w.lower())}
    if not forms:
        return set()
    table = resources.files("spacy_lookups_data").joinpath("data/en_lexeme_prob.json.gz")
    text = gzip.decompress(table.read_bytes()).decode("utf-8")
    keys = "|".join(map(re.escape, sorted(forms)))
    logprob = {m[1]: float(m[2]) for m in re.finditer(rf'"({keys})":\s*(-?[\d.]+)', text)}
    return {
        w
        for w in words
        if w in logprob
        and logprob.get(w.lower(), -99.0) < _RARE_WORD_LOGPROB
        and logprob[w] - logprob.get(w.lower(), -99.0) >= _NAME_MARGIN
    }
