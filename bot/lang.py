"""Language of an article: the page's declaration, checked against the text itself."""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this much text a classifier's guess is noise.
_MIN_CHARS = 40
# A declaration is overruled only by a confident verdict on a paragraph or more.
_OVERRULE_CHARS = 200
_OVERRULE_CONFIDENCE = 0.95
# Long articles are classified on their beginning: the verdict is settled by then.
_SAMPLE_CHARS = 5000
# Codes the classifier folds together: it answers "no" for Bokmål and Nynorsk alike.
_SAME_LANGUAGE = {"nb": "no", "nn": "no"}
_PRIMARY_SUBTAG = re.compile(r"^\s*([a-z]{2})(?:[-_]|\s*$)", re.IGNORECASE)


def detect_language(text: str, declared: str | None) -> str | None:
    """ISO 639-1 code (lower-case) for `text`; `declared` is what the page claims ("fr-FR")."""
    claimed = normalize_language(declared)
    sample = text[:_SAMPLE_CHARS].strip()
    if len(sample) < _MIN_CHARS:
        return claimed
    detected, confidence = _identifier().classify(sample)
    if claimed is None:
        return str(detected)
    if (
        detected != _SAME_LANGUAGE.get(claimed, claimed)
        and confidence >= _OVERRULE_CONFIDENCE
        and len(sample) >= _OVERRULE_CHARS
    ):
        return str(detected)  # templates often declare the site's default language
    return claimed


def normalize_language(tag: str | None) -> str | None:
    """ "fr-FR", "fr_fr", "FR" -> "fr"; anything without a two-letter primary subtag -> None."""
    match = _PRIMARY_SUBTAG.match(tag or "")
    return match.group(1).lower() if match else None


@cache
def _identifier() -> LanguageIdentifier:
    # Normalised probabilities make the confidence comparable across texts.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
