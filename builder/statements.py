"""The sentence patterns through which a report states derived numbers in prose.

Each pattern names its numbers with groups, so the parser can turn a match into
located claims. Zone names come from the methodology, never from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from builder.numbers import MINUS, NUMBER, TIMES

U = r"\d+(?:\.\d+)?"  # an unsigned number
N = NUMBER  # a signed number
_TO = r"(?:[-\u2013\u2014]|\bto\b)"  # a range's "to": "0-3", "25\u201347", "-2 to 2"
# Between "sits" and the zone it sits in ("sits firmly within the", "sits comfortably mid-"): up to three
# words, none placing the score outside the zone named ("sits well above the Red band" is not in it).
_SITS_WORDS = (r"(?:(?!(?:above|below|beneath|under|over|near|outside|beyond|between|toward|towards|off|short)\b)"
               r"[a-z]+\s+){0,3}?")


@dataclass(frozen=True)
class Patterns:
    """The compiled sentence patterns for one methodology's zone names."""

    zone_word: re.Pattern[str]
    trs: re.Pattern[str]
    split_line: re.Pattern[str]
    split_part: re.Pattern[str]
    quick_screen: re.Pattern[str]
    growth_confirmed: re.Pattern[str]
    modifier: re.Pattern[str]
    out_of: re.Pattern[str]
    raw: re.Pattern[str]
    score: re.Pattern[str]
    zone_line: re.Pattern[str]
    band: re.Pattern[str]
    share_high_metric: re.Pattern[str]
    override: re.Pattern[str]
    label_at: re.Pattern[str]
    sits_in: re.Pattern[str]
    score_sits_in: re.Pattern[str]
    not_word: re.Pattern[str]
    role_after: re.Pattern[str]
    role_before: re.Pattern[str]
    scored_at: re.Pattern[str]
    cited_score: re.Pattern[str]
    relation_before: re.Pattern[str]
    zone_group: re.Pattern[str]
    gap: re.Pattern[str]
    zone_band: re.Pattern[str]
    average: re.Pattern[str]
    header_range: re.Pattern[str]
    scored_row: re.Pattern[str]


# A role title as written in prose: capitalised words, with "of", "and", "&", "for"
# between them ("Head of Data", "ML/AI Engineer").
# Capitalised in Latin (accented too), Greek or Cyrillic; letters of any script after the first,
# combining accents included (a decomposed "é").
_TOKEN = r"[A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f][\w/&+.'\u2019\u0300-\u036f-]*"
# Between words: spaces (no-break ones too), or a line break where a paragraph is wrapped.
_GAP = r"(?:[ \t\u00a0]*\n[ \t\u00a0]*|[ \t\u00a0]+)"
ROLE = rf"{_TOKEN}(?:{_GAP}(?:(?:of|and|for|in|the|&){_GAP})*{_TOKEN})*"
# What may close a role title before its cited score: emphasis or code marks, or a link's target
# ("*NLP Engineer* (36.3)", "[NLP Engineer](nlp-engineer.md) (36.3)").
_ROLE_END = r"(?:[*_`]{1,2}|\]\([^()\s]*\))?"
# How far before a citation's "(" its role title and relation word may start: bounded,
# so that a long run of capitalised words cannot make the search quadratic.
ROLE_WINDOW = 160
RELATION_WINDOW = 48
# Words that start a sentence rather than a role title.
LEADING_WORDS = frozenset({"The", "A", "An", "But", "And", "Both", "Unlike", "Like", "Compared", "Comparison",
                           "Versus", "Vs", "Even", "While", "Whereas", "As", "So", "Yet", "Only", "Each", "Every"})


@lru_cache(maxsize=8)
def patterns(zone_names: tuple[str, ...]) -> Patterns:
    zone = "|".join(re.escape(name) for name in zone_names)
    return Patterns(
        zone_word=re.compile(rf"(?i:{zone})"),
        trs=re.compile(rf"Task Resistance Score:\s*(?P<base>{U})\s*{MINUS}\s*(?P<total>{U})\s*=\s*(?P<result>{U})"
                       rf"(?:\s*/\s*(?P<max>{U}))?"),
        split_line=re.compile(r"Displacement\s*/\s*Augmentation split:", re.I),
        split_part=re.compile(rf"(?P<value>{U})\s*%\s+(?P<label>[A-Za-z][A-Za-z ]*?)(?=\s*(?:,|\.|;|$|\band\b))"),
        quick_screen=re.compile(rf"Protective\s+(?P<protective>{N})\s*\+\s*Correlation\s+(?P<growth>{N})", re.I),
        growth_confirmed=re.compile(rf"Confirmed at\s+(?P<growth>{N})", re.I),
        modifier=re.compile(rf"(?P<base>{U})\s*(?P<op>[+\-\u2212\u2013])\s*\(\s*(?P<input>{N})\s*{TIMES}\s*"
                            rf"(?P<coef>{U})\s*\)\s*=\s*(?P<result>{U})"),
        out_of=re.compile(rf"\s*(?P<value>{N})\s*/\s*(?P<max>{U})\s*"),
        raw=re.compile(rf"Raw:\s*(?P<trs>{U})\s*{TIMES}\s*(?P<evidence>{U})\s*{TIMES}\s*(?P<barrier>{U})\s*{TIMES}\s*"
                       rf"(?P<growth>{U})\s*=\s*(?P<result>{U})"),
        score=re.compile(rf"JobZone Score:\s*\(\s*(?P<raw>{U})\s*{MINUS}\s*(?P<floor>{U})\s*\)\s*/\s*(?P<span>{U})\s*"
                         rf"{TIMES}\s*(?P<scale>{U})\s*=\s*(?P<result>{U})(?:\s*/\s*(?P<out_of>{U}))?"),
        zone_line=re.compile(r"^Zone:\s*(?P<zone>[A-Za-z]+)(?:\s*\((?P<bands>[^)]*)\))?", re.M),
        band=re.compile(rf"(?P<zone>{zone})\s*(?:(?P<op>>=|≥|<=|≤|<|>)\s*(?P<limit>{U})|(?P<low>{U})\s*[-\u2013]\s*(?P<high>{U}))",
                        re.I),
        share_high_metric=re.compile(r"%\s*of task time scoring\s+(?P<threshold>\d+)\+", re.I),
        override=re.compile(rf"Assessor override:\s*(?P<value>None|{U})", re.I),
        label_at=re.compile(rf"(?P<sublabel>(?:{zone})\s*\([A-Za-z][A-Za-z ]*\))\s+label at\s+(?P<score>{U})"),
        sits_in=re.compile(rf"\b(?P<score>{U})\s+sits\s+{_SITS_WORDS}(?:mid-|low-|high-|upper-|lower-)?"
                           rf"(?P<zone>{zone})\b"),
        score_sits_in=re.compile(rf"\b(?:[Tt]he|[Tt]his|[Ii]ts)\s+score\s+sits\s+{_SITS_WORDS}"
                                 rf"(?:mid-|low-|high-|upper-|lower-)?(?P<zone>{zone})\b"
                                 rf"(?:\s+band\s*\(\s*(?P<low>{U})\s*{_TO}\s*(?P<high>{U})\s*\))?"),
        not_word=re.compile(r"\bNOT\s+(?:an?\s+|the\s+)?"),
        role_after=re.compile(rf"(?P<role>{ROLE})(?:\s*\((?P<paren>[^()]{{0,400}})\))?"),
        role_before=re.compile(rf"(?P<role>{ROLE}){_ROLE_END}\s*$"),
        scored_at=re.compile(rf"scored\s+(?P<zone>{zone})\s+at\s+(?P<score>{U})"),
        cited_score=re.compile(rf"\(\s*(?:AIJRI\s+(?P<aijri>{U})|(?P<score>\d{{1,3}}\.\d+))\s*"
                            rf"(?:,\s*(?P<zone>{zone})(?:\s+Zone)?(?:\s*\(?(?P<sub>[A-Z][A-Za-z]+)\)?)?)?\s*\)"),
        relation_before=re.compile(r"(?P<relation>identical to|the same as|equal to|level with|above|below|"
                                   r"higher than|lower than)\s+(?:the\s+)?$", re.I),
        zone_group=re.compile(rf"\bthese\s+(?P<zone>{zone})\s+Zone\s+roles", re.I),
        gap=re.compile(rf"\b(?P<gap>{U})-point gap"),
        # "within the Yellow band (25-47)": the limits of the zone named.
        zone_band=re.compile(rf"\b(?P<zone>{zone})\s+band\s*\(\s*(?P<low>{U})\s*{_TO}\s*(?P<high>{U})\s*\)", re.I),
        # "The 3.15 average masks this split": the Task Resistance Score, the average resistance of the tasks.
        average=re.compile(rf"\b[Tt]he\s+(?P<value>{U})\s+average(?:\s+(?:task\s+)?resistance(?:\s+score)?)?"
                           r"(?=\s*(?:[.,;:)]|$)|\s+(?:masks|hides|obscures|conceals|understates|overstates|is|sits|"
                           r"reflects|suggests|says)\b)"),
        # A score column's header "Score (0-3)", "Score (-2 to 2)": the range of its table's scores.
        header_range=re.compile(rf"\(\s*(?P<low>{N})\s*{_TO}\s*(?P<high>{N})\s*\)"),
        # "Scored +1 not +2 because ...", opening a sentence of a scored row and followed by the end of the
        # clause or a reason: that row's score ("Scored 3 of 5 signals", "Scored 2 points below" are not).
        scored_row=re.compile(rf"(?:^|(?<=[.;:!?]\s))Scored\s+(?P<value>{N})(?!\d|[.,]\d)(?=\s*(?:[.,;:)]|$)|\s+"
                              r"(?:not|rather than|instead of|because|since|as|given|despite|for|on balance)\b)"),
    )


RELATIONS = {
    "identical to": "identical", "the same as": "identical", "equal to": "identical", "level with": "identical",
    "above": "above", "higher than": "above", "below": "below", "lower than": "below",
}


def clean_role(name: str) -> str:
    """Drop sentence-starting words so "The ML/AI Engineer" cites "ML/AI Engineer"."""
    words = name.split()  # a wrapped or doubly spaced title is the title
    while len(words) > 1 and words[0] in LEADING_WORDS:
        words = words[1:]
    return " ".join(words).rstrip(".'\u2019")


def role_key(name: str) -> str:
    """How role names are matched: any case, '&' as 'and', punctuation other than '/' ignored, and
    Unicode compatibility forms as one (a composed and a decomposed 'é', full-width letters)."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = re.sub(r"[^\w/+ ]+", " ", text)
    return " ".join(text.split())
