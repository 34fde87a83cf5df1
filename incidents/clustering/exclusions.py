"""Exclusion rules learned from an editor's "not an outage" (pure).

A rule is the few telling words of the title the editor rejected, and its vendor: a later news
article about that vendor whose title holds every one of those words does not open an incident.
Words are compared stemmed ("earnings" matches "earning"), so the rule survives small rewordings;
outage words are never part of a rule, or the rule would exclude real outages too.
"""

from incidents.clustering.text_features import STOPWORDS, idf, stem, words

MAX_TERMS = 2  # the rarest words of the title: enough to be specific, few enough to catch rewordings
# Words that make a title look like an outage report: a rule built on them would hide real outages.
OUTAGE_WORDS = frozenset(stem(w) for w in (
    "outage", "outages", "down", "disruption", "degraded", "error", "errors", "issue", "issues", "problem",
    "problems", "incident", "offline", "unavailable", "failure", "failing", "broken", "crash", "restored",
))


def title_terms(title: str, names: tuple[str, ...] = ()) -> list[str]:
    """Stems of the title's most telling words (rarest first): what a rule made from it requires.
    `names` (the vendor's and services' names) are left out: the rule's vendor already says that."""
    named = {stem(word) for name in names for word in words(name.casefold())}
    seen: dict[str, float] = {}
    for word in words(title.casefold()):
        if word in STOPWORDS or word.isdigit() or len(word) < 3:
            continue
        term = stem(word)
        if term not in OUTAGE_WORDS and term not in named:
            seen[term] = max(seen.get(term, 0.0), idf(word))
    ranked = sorted(seen, key=lambda term: (-seen[term], term))
    return ranked[:MAX_TERMS]


def rule_matches(terms: list[str], rule_vendor: str | None, title: str, article_vendors: set[str]) -> bool:
    """Whether a rule (its stemmed terms, its vendor slug or None for any) covers an article."""
    if not terms or (rule_vendor is not None and rule_vendor not in article_vendors):
        return False
    title_stems = {stem(word) for word in words(title.casefold())}
    if title_stems & OUTAGE_WORDS:
        return False  # a title that reports an outage is never excluded by a rule
    return all(term in title_stems for term in terms)
