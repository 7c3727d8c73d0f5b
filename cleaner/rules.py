"""Named heuristic rules: patterns that mark a line as a kind of boilerplate.

Each rule has a name, the category it points to and a compiled pattern. The
rules serve three purposes:

* as features of the model (the model learns how far to trust each rule);
* as the fallback classifier when no model can be used (``--no-model``);
* to name the category of a line the model drops as generic ``noise``.

Patterns are written for whole short lines (anchored with ``^...$``) where a
phrase could also occur inside an article sentence, and unanchored only for
phrases that no article sentence uses.

>>> [r.name for r in match_rules("* indicates required")]
['required_field']
>>> match_rules("He said he would subscribe to nothing.")
()
"""

# ruff: noqa: E501  (one rule per line: the long patterns read best unbroken)
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

SHORT_LINE_CHARS = 80  # "short" lines: menus, prompts, credits rarely exceed this
RULE_SCAN_CHARS = 300  # rules read only a line's start: boilerplate says what it is early; bounds cost per line
TRUNCATION_TAIL = re.compile(r"[^\W\d_](\.\.\.|…)\s*$")  # a word cut off by an ellipsis: "tha..."


@dataclass(frozen=True, slots=True)
class Rule:
    """A named pattern pointing to a drop category."""

    name: str
    category: str
    pattern: re.Pattern[str]
    max_chars: int = 10_000  # the rule only applies to lines up to this length
    case_sensitive: bool = False  # else the pattern is matched against the lower-cased line
    needles: tuple[str, ...] = ()  # cheap prefilter: every match contains one of these (lower case)
    hard: bool = False  # a whole line no article contains: dropped whatever the model says

    def matches(self, text: str, lower: str) -> bool:
        """Whether the rule fires on a line's ``text`` (its lower-cased copy given too)."""
        if self.needles and not any(map(lower.__contains__, self.needles)):
            return False
        return bool(self.pattern.search(text if self.case_sensitive else lower))


def _rule(
    name: str,
    category: str,
    pattern: str,
    max_chars: int = 10_000,
    case_sensitive: bool = False,
    needles: tuple[str, ...] = (),
    hard: bool = False,
) -> Rule:
    """A rule; case-insensitive patterns are written in lower case (matching lower-cased text is faster than re.I)."""
    return Rule(name, category, re.compile(pattern), max_chars, case_sensitive, needles, hard)


S = SHORT_LINE_CHARS
RULES: tuple[Rule, ...] = (
    # newsletter
    _rule("required_field", "newsletter", r"^\W*\*?\s*(indicates|denotes) (a )?required( field)?\W*$", S, hard=True),
    _rule(
        "enter_email",
        "newsletter",
        r"\b(enter|type|provide|your) (your |a )?(e-?mail|email address)\b",
        S * 2,
        needles=("mail",),
    ),
    _rule(
        "subscribe_word",
        "newsletter",
        r"^\W*(subscribe|sign up|sign me up|join|abonnieren|s'abonner|abonnez-vous|suscr[ií]b[ae]te|assine|iscriviti|підписатися|подписаться|zapisz się)\W*$",
        S,
        hard=True,
    ),
    _rule(
        "subscribed_confirm",
        "newsletter",
        r"\b(successful+y subscribed|thanks? (you )?for (signing up|subscribing)|you('re| are) (now )?subscribed|check your inbox|confirmation e-?mail)\b",
        S * 3,
        needles=("subscribed", "thank", "inbox", "confirmation"),
    ),
    _rule(
        "newsletter_word",
        "newsletter",
        r"\b(newsletter|inbox|digest|infolettre|boletín)\b",
        S * 2,
        needles=("newsletter", "inbox", "digest", "infolettre", "boletín"),
    ),
    # donation
    _rule(
        "donate",
        "donation",
        r"\b(donate|donation|become a patron|patreon|support (our|independent|us|quality)|become a (member|supporter|patron)|make a (contribution|gift)|spenden|faire un don|dona ahora|apoie|sostienici|підтримайте|поддержите|wesprzyj)\b",
        S * 6,
        needles=(
            "donat",
            "patr",
            "support",
            "become a",
            "make a",
            "spenden",
            "faire un don",
            "dona ahora",
            "apoie",
            "sostienici",
            "підтримайте",
            "поддержите",
            "wesprzyj",
        ),
    ),
    _rule(
        "close_this_page",
        "donation",
        r"\b(close this page|join our community|keep our (reporting|journalism) (open|free))\b",
        needles=("close this", "join our", "keep our"),
    ),
    # paywall
    _rule(
        "short_citation",
        "paywall",
        r"^\W*\[?\s*short citation of \d+\s*% of the original article\s*\]?\W*$",
        S,
        hard=True,
    ),
    _rule(
        "continue_reading",
        "paywall",
        r"\b(subscribe|log ?in|sign in|register) to (continue|keep) reading|\bcontinue reading\b|for subscribers only|subscriber[- ]only|premium (article|content)|free articles? (left|remaining)|reached your (limit|monthly limit)|already a subscriber",
        S * 3,
        needles=("reading", "subscriber", "premium", "free article", "reached your"),
    ),
    # caption
    _rule(
        "photo_credit",
        "caption",
        r"(\b(photo|image|picture|foto|credit|source|bild|fotó|фото)s?\s*(by|credit)?\s*:|\((photo|image|foto)[^)]*\)$|\b(getty images|reuters|afp|ap photo|shutterstock|epa|anadolu|via getty)\W*\)?\s*$)",
        S * 3,
        needles=(
            "photo",
            "image",
            "picture",
            "foto",
            "credit",
            "source",
            "bild",
            "фото",
            "getty",
            "reuters",
            "afp",
            "shutterstock",
            "epa",
            "anadolu",
        ),
    ),
    _rule("image_counter", "media", r"^\W*(image|photo|slide|foto)\s*\d+\s*(of|/|von|de|di)\s*\d+\W*$", S, hard=True),
    # related
    _rule(
        "teaser_tag",
        "related",
        r"\[(insight|video|reaction|warning|pictures|photos?|poll|latest|news|gallery|watch|live|update)\]\W*$",
        S * 2,
        needles=("]",),
    ),
    _rule(
        "click_here",
        "promo",
        r"^\W*click here\b|\bget the [\w ]{1,30} app\b|\border reprints\b",
        S * 2,
        needles=("click here", "app", "reprints"),
    ),
    _rule(
        "write_to",
        "meta",
        r"^\W*(write to|contact|email) [\w .'-]{2,60} at [\w.+-]+@[\w-]+\.\w+",
        S * 2,
        needles=("@",),
    ),
    _rule(
        "personal_use",
        "legal",
        r"\bfor your personal,? non-?commercial use only\b",
        needles=("non",),
        hard=True,
    ),
    _rule(
        "enjoyed_this",
        "donation",
        r"^\W*(if you (enjoyed|liked|value) (this|our) (article|story|reporting|journalism)|like this (story|article)\?)",
        S * 3,
        needles=("enjoyed", "liked", "value", "like this"),
    ),
    _rule(
        "site_error",
        "navigation",
        r"^\W*(text size|an error has occurred|please try again later|loading\.*|javascript is (disabled|required))\W*",
        S,
        needles=("text size", "error", "try again", "loading", "javascript"),
    ),
    _rule(
        "read_also",
        "related",
        r"^\W*(read (also|more|next)|see also|related( (posts|articles|stories|coverage|news|content))?|more (news|stories|on this|from)|also on|see more|don'?t miss|watch more|you (may|might) (also )?like|recommended( for you)?|editors'? picks|most (read|popular)|top stories|lesen sie (auch|mehr)|mehr zum thema|lire aussi|à lire aussi|lee también|leia também|leggi anche|читайте (також|также)|czytaj (też|także|więcej))\b.{0,80}$",
        S * 2,
    ),
    # navigation
    _rule(
        "skip_link",
        "navigation",
        r"^\W*(skip to (main )?(content|navigation)|back to top|go to top|jump to|main menu|menu|search|home|next article|previous article|next|previous|load more|show more)\W*$",
        S,
        hard=True,
    ),
    _rule(
        "breadcrumb",
        "navigation",
        r"^\s*\w[^>›»/|]{0,40}(\s*[>›»/|]\s*[^>›»/|]{1,40}){2,}$",
        S,
        needles=(">", "›", "»", "/", "|"),  # the separators: backtracking over a line without one costs ~5 µs
    ),
    # meta
    _rule(
        "byline",
        "meta",
        r"^\W*(?i:by|von|par|por|di|автор)\s+[A-ZÀ-ÝА-Я][\w.'’-]+(\s+[A-ZÀ-ÝА-Я][\w.'’-]+){0,4}\W*$",
        S,
        case_sensitive=True,
    ),
    _rule(
        "timestamp",
        "meta",
        r"^\W*((updated|published|posted|last updated|aktualisiert|mis à jour)\s*:?\s*)?[\w ,.:/-]{0,20}\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?(\s*[a-z]{2,4})?\W*$",
        S // 2,
    ),
    _rule(
        "date_only",
        "meta",
        r"^\W*((updated|published|posted)\s*:?\s*)?(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(mon|tue|wed|thu|fri|sat|sun)\w*,? .{0,30}\d{4}|\w+ \d{1,2},? \d{4})\W*$",
        S // 2,
    ),
    _rule(
        "reading_time",
        "meta",
        r"^\W*\d+\s*(min(ute)?s?|мин|хв)\.?\s*(read|lesezeit|de lecture|чтения|читання)?\W*$",
        S,
        hard=True,
    ),
    _rule(
        "reporting_credit",
        "meta",
        r"\b((additional )?report(ing|s) by|editing by|contributed (reporting|to this report)|written by|compiled by)\b",
        S * 2,
        needles=(" by", "contributed"),
    ),
    # social
    _rule(
        "share_follow",
        "social",
        r"^\W*(share( this( article| story)?)?( on| via|:|$)|tweet|follow us|like us|pin it|email this|print|copy link|teilen|partager|compartir|compartilhe|condividi|поділитися|поделиться|udostępnij)\b.{0,60}$",
        S,
    ),
    _rule(
        "social_network",
        "social",
        r"^\W*(facebook|twitter|x|instagram|linkedin|whatsapp|telegram|reddit|pinterest|flipboard|email|e-mail|youtube|tiktok|threads|bluesky)\W*$",
        S,
        hard=True,
    ),
    _rule(
        "counter",
        "social",
        r"^\W*\d[\d.,]*\s*[km]?\s*(shares?|likes?|views?|comments?|reactions?|followers?)\W*$",
        S,
        hard=True,
    ),
    # promo
    _rule(
        "ad_blocker",
        "promo",
        r"\b(ad ?-?blocker|disable your ad|whitelist us|advertisement|anzeige|publicité|publicidad|sponsored( content)?|download (our|the) app|pre-?order)\b",
        S * 2,
        needles=("ad", "whitelist", "anzeige", "publicit", "sponsored", "app", "order"),
    ),
    # feedback
    _rule(
        "correction",
        "feedback",
        r"\b(suggest a correction|ctrl\s*\+\s*enter|report (an? )?(error|typo)|spotted a mistake|leave your (suggestions|corrections|comment))\b",
        S * 2,
        needles=("correction", "ctrl", "report", "mistake", "leave your"),
    ),
    # publisher
    _rule(
        "we_are_outlet",
        "publisher",
        r"\b(we are an? (independent|non-?profit|nonprofit|reader-funded)|relies (solely )?on (advertising|readers)|our (mission|journalism) (is|depends))\b",
        needles=("we are", "relies", "our mission", "our journalism"),
    ),
    # legal
    _rule(
        "copyright",
        "legal",
        r"(©|\(c\)\s*\d{4}|copyright\s*(©|\d{4})|all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos)",
        S * 3,
        needles=("©", "(c)", "copyright", "rights reserved", "rechte vorbehalten", "droits réservés", "derechos"),
    ),
    _rule(
        "rights_reserved",
        "legal",
        r"\b(all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|tutti i diritti riservati|wszelkie prawa zastrzeżone|все права защищены|всі права захищені)\b",
        S * 2,
        needles=("rights", "rechte", "droits", "derechos", "diritti", "prawa", "права"),
        hard=True,
    ),
    _rule(
        "cookies",
        "legal",
        r"\b(we use cookies|cookie (policy|settings|preferences)|accept (all )?cookies|privacy policy|terms of (use|service))\b",
        S * 4,
        needles=("cookie", "privacy", "terms of"),
    ),
    # media
    _rule(
        "ai_audio",
        "media",
        r"\b(audio (is|was|has been) (created|generated)|created with ai|ai[- ]generated (audio|voice)|listen to (this|the) (article|story)|watch the video|video player|press play)\b",
        S * 2,
        needles=("audio", "created with", "listen to", "video", "press play"),
    ),
    # comments
    _rule(
        "comments",
        "comments",
        r"^\W*(\d+\s+comments?|(log ?in|sign in) to comment|show comments|add a comment|leave a comment|join the (discussion|conversation)|comments?)\W*$",
        S,
    ),
)


class RuleIndex:
    """A rule list arranged for matching many lines: which rules apply to a line of each length.

    ``match`` gives the same rules, in the same order, as testing every rule with
    :meth:`Rule.matches` (``tests/test_speed.py`` checks it for every rule): a line
    longer than a rule's ``max_chars`` skips it without a test.
    """

    __slots__ = ("groups", "limits")

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.limits = sorted({r.max_chars for r in rules})
        steps = [
            [(r.needles, r.pattern.search, r.case_sensitive, r) for r in rules if r.max_chars >= lim]
            for lim in self.limits
        ]
        self.groups = [tuple(step) for step in steps]

    def match(self, text: str) -> tuple[Rule, ...]:
        """The rules whose pattern matches the stripped line ``text``."""
        stripped = text.strip()
        k = bisect_left(self.limits, len(stripped))
        if k == len(self.limits):
            return ()
        head = stripped[:RULE_SCAN_CHARS]
        lower = head.lower()
        contains = lower.__contains__
        found = []
        for needles, search, case_sensitive, rule in self.groups[k]:  # Rule.matches inlined: the hot path
            if needles and not any(map(contains, needles)):
                continue
            if search(head if case_sensitive else lower):
                found.append(rule)
        return tuple(found)


_INDEX = RuleIndex(RULES)


def match_rules(text: str, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, ...]:
    """The rules whose pattern matches the stripped line ``text``."""
    return (_INDEX if rules is RULES else RuleIndex(rules)).match(text)


def is_truncated_tail(text: str) -> bool:
    """A line that ends in a word cut off by an ellipsis ("...less tha...").

    >>> is_truncated_tail("for a second term less tha..."), is_truncated_tail("He paused.")
    (True, False)
    """
    return bool(TRUNCATION_TAIL.search(text))
