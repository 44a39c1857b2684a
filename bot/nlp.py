"""spaCy pipelines, built once per process: tokens, sentences and lemmas for en and fr."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

log = logging.getLogger(__name__)

SUPPORTED_LANGS = ("en", "fr")
# Abbreviations that end in a period but do not end a sentence in news text.
_ABBREVIATIONS = ("Inc.", "Corp.", "Co.", "Ltd.", "Cie.", "Bros.", "Mr.", "Mrs.", "Ms.", "Dr.")


@dataclass(frozen=True)
class Pipelines:
    by_lang: Mapping[str, Language]

    def get(self, lang: str | None) -> Language | None:
        return self.by_lang.get(lang or "")


def load_pipelines(langs: tuple[str, ...] = SUPPORTED_LANGS) -> Pipelines:
    loaders = {"en": _english, "fr": _french}
    return Pipelines({lang: _with_abbreviations(loaders[lang]()) for lang in langs})


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
    # The parser and NER cost twice the rest of the pipeline and attribution does not use them.
    nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner"])
    nlp.enable_pipe("senter")
    return nlp


def _with_abbreviations(nlp: Language) -> Language:
    tokenizer: Tokenizer = nlp.tokenizer
    for abbreviation in _ABBREVIATIONS:
        tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    return nlp
