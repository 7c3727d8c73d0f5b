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
import zlib
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from cleaner.needles import BRANCHES, DERIVED
from cleaner.phrases import (
    ACCEPT_ALL,
    AD_LABELS,
    APP_NEEDLES,
    APP_PROMPTS,
    BYLINE_WORDS,
    COMMENT_WORDS,
    CONFIRM_NEEDLES,
    COOKIE_WORDS,
    CORRECTION_NOTES,
    DATE_WORDS_LINE,
    DONATE_ML,
    EMAIL_FIELD,
    FOLLOW_CHANNEL,
    FOLLOW_US,
    LEGAL_TERMS,
    MAIL_DELIVERY,
    MAIL_NEEDLES,
    MEDIA_NOTICES,
    MINUTES,
    NAME_JOIN,
    NAMES,
    NEWSLETTER_CONFIRM,
    PAYWALL_NEEDLES,
    PAYWALL_NOTICES,
    PUBLISHED_WORDS,
    READ_ALSO,
    READING_WORDS,
    REPORT_ERROR,
    REPORT_ERROR_NEEDLES,
    RIGHTS_RESERVED,
    SECTION_LABELS,
    SHARE_WORDS,
    SIGNUP,
    SITE_CONTROLS,
    SKIP_LINKS,
    SUBSCRIBE_OFFERS,
    TAG_LABELS,
    UPDATE_NOTES,
    any_phrase,
)

SHORT_LINE_CHARS = 80  # "short" lines: menus, prompts, credits rarely exceed this
RULE_SCAN_CHARS = 300  # rules read only a line's start: boilerplate says what it is early; bounds cost per line
# Two separators or more: the parts between them written so that each character has one way to match. The
# same language as ^\s*\w[^>›»/|]{0,40}(\s*[>›»/|]\s*[^>›»/|]{1,40}){2,}$, whose spaces could go to either
# side of a separator: on "x   |   |   |   |" (a table row of empty cells) it backtracked for a minute.
_SEP, _PART, _CORE = "[>›»/|]", "[^>›»/|]", "[^>›»/|\\s]"  # a separator, any other character, neither nor space
BREADCRUMB = (
    rf"^\s*\w(?:{_PART}{{0,39}}{_CORE})?\s*"  # the first part: up to 40 characters before its trailing spaces
    rf"(?:{_SEP}(?:\s*{_CORE}(?:{_PART}{{0,38}}{_CORE})?\s*|\s+))+"  # middle parts: up to 40, spaces aside
    rf"{_SEP}(?:\s*{_CORE}{_PART}{{0,39}}|\s+)$"  # the last part: up to 40 after its leading spaces
)
TRUNCATION_TAIL = re.compile(r"[^\W\d_][”’\"')]? ?(\.\.\.|…)\s*$|[\[(](\.\.\.|…)[\])]\s*$")  # "tha...", "the …", "[…]"
TAIL_CHARS = 8  # a match is at most 6 characters before its trailing whitespace ("a” ...", "[...]")


class LazyPattern:
    """A regular expression compiled on its first search: with their needles, most rules never run in a short
    process, and compiling all of them at import cost a fifth of the cold start. With ``cut``, the pattern is
    a branch of ``source`` (:func:`branch_source`), its text made only when it is first needed too.

    >>> p = LazyPattern(r"^skip to")
    >>> bool(p.search("skip to content")), p.source
    (True, '^skip to')
    >>> LazyPattern(r"^(sign up|subscribe)$", (2, 19, 10, 19)).source
    '^(subscribe)$'
    """

    __slots__ = ("_compiled", "_cut", "_text")

    def __init__(self, source: str, cut: tuple[int, int, int, int] | None = None) -> None:
        self._text = source
        self._cut = cut
        self._compiled: re.Pattern[str] | None = None  # the compiled form, once needed (a memo, not shared state)

    @property
    def source(self) -> str:
        """The regular expression."""
        return self._text if self._cut is None else branch_source(self._text, *self._cut)

    def search(self, text: str) -> re.Match[str] | None:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.source)
        return compiled.search(text)


@dataclass(frozen=True, slots=True)
class Rule:
    """A named pattern pointing to a drop category."""

    name: str
    category: str
    pattern: LazyPattern
    max_chars: int = 10_000  # the rule only applies to lines up to this length
    case_sensitive: bool = False  # else the pattern is matched against the lower-cased line
    needles: tuple[str, ...] = ()  # cheap prefilter: every match contains one of these (lower case)
    hard: bool = False  # a whole line no article contains: dropped whatever the model says
    generic: bool = False  # a shape (separators, a time): names a dropped line only when the model has no finer class

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
    generic: bool = False,
) -> Rule:
    """A rule; case-insensitive patterns are written in lower case (matching lower-cased text is faster than re.I)."""
    return Rule(name, category, LazyPattern(pattern), max_chars, case_sensitive, needles, hard, generic)


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
        r"\b(newsletter|inbox|digest|infolettre|lettre d['’]info(rmation)?s?|boletín|nieuwsbrief|nyhetsbrev|(e-?)?bülten\w*|рассылк\w*|розсилк\w*)\b",
        S * 2,
        needles=(
            "newsletter",
            "inbox",
            "digest",
            "infolettre",
            "lettre d",
            "boletín",
            "nieuwsbrief",
            "nyhetsbrev",
            "bülten",
            "рассылк",
            "розсилк",
        ),
    ),
    _rule("signup_prompt", "newsletter", rf"^\W*{SIGNUP}", S * 2),
    _rule("email_field", "newsletter", EMAIL_FIELD, S, needles=("mail", "correo", "електрон", "электрон", "e-post")),
    _rule("signup_confirm", "newsletter", NEWSLETTER_CONFIRM, S * 2, needles=CONFIRM_NEEDLES),
    _rule("mail_delivery", "newsletter", MAIL_DELIVERY, S * 2, needles=MAIL_NEEDLES),
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
    _rule("donate_ml", "donation", rf"^\W*(jetzt |bitte |please )?{DONATE_ML}", S * 3),
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
    # app prompts before the paywall rule ("continue reading in our app"); offers are not notices either
    _rule("app_prompt", "promo", any_phrase(APP_PROMPTS), S * 2, needles=APP_NEEDLES),
    _rule("continue_reading", "paywall", any_phrase(PAYWALL_NOTICES), S * 3, needles=PAYWALL_NEEDLES),
    _rule("subscribe_offer", "promo", rf"^\W*{any_phrase(SUBSCRIBE_OFFERS)}", S * 2),
    # caption
    _rule(
        "photo_credit",
        "caption",
        r"(\([^()]{0,40}\b(photo|foto|image|bild|beeld|fot|credit|courtesy)\b[^()]{0,40}\)\W*$|^[^.]{0,200}[.!]?\s*\bfot\.\s+\w|\b(beeld|photo(graph)?|image|picture|foto|fotos|fotografía|fotografia|fotografie|credit|crédit|bild|fotó|фото|imagen|immagine|imagem|afbeelding|zdjęcie|fot\.|ilustración|illustration|grafik|görsel|fotoğraf|світлина|quelle)s?\s*(by|credit|©)?\s*:|\((photo|image|foto|ap|afp|dpa|epa|reuters|getty|courtesy|imago|efe|ansa|anp|pap|tt)\b[^)]*\)\W*$|\b(getty images|reuters|afp|ap photo|shutterstock|epa|anadolu|via getty|dpa|imago|efe|ansa|anp|pap|tt|ritzau|ria novosti|укрінформ|ria|iha|dha|aa)\W*\)?\s*$|^\W*(©|\(c\))\s*[\w .-]{2,40}/[\w .-]{2,30}$)",
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
            "dpa",
            "imago",
            "courtesy",
            "ansa",
            "crédit",
            "afbeelding",
            "zdjęcie",
            "ilustr",
            "illustr",
            "grafik",
            "görsel",
            "світлина",
            "quelle",
            "beeld",
            "/",
            "(",
            "fot.",
            "image",
            "imagen",
            "immagine",
            "imagem",
            "укрінформ",
            "©",
            "(c)",
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
        "read_also_label", "related", rf"^\W*{any_phrase(READ_ALSO)}\W*$", S // 2
    ),  # the label alone (docs keep "See also")
    _rule(
        "read_also",
        "related",
        rf"^\W*{any_phrase(READ_ALSO)}\b.{{0,80}}$",
        S * 2,
    ),
    # an image's file-name slug left as alt text ("Yuri-Ushakov"): capitalised words joined by hyphens, no spaces
    _rule("image_slug", "caption", r"^[A-Z][a-z’'.]+(?:-[A-Z][a-z’'.]+)+$", S // 3, case_sensitive=True),
    # navigation
    _rule(
        "legal_links", "legal", rf"^\W*{any_phrase(LEGAL_TERMS)}(\s*[|·•/,]\s*[^|·•/,]{{1,40}})*\W*$", S * 2, hard=True
    ),
    _rule(
        "legal_row",
        "legal",
        rf"^(?=.*\b{any_phrase(LEGAL_TERMS)}\b)[^|·•]{{1,40}}(\s*[|·•]\s*[^|·•]{{1,40}}){{1,}}$",
        S * 2,
        needles=("|", "·", "•"),
        hard=True,
    ),
    _rule(
        "skip_link",
        "navigation",
        rf"^\W*({any_phrase(SKIP_LINKS)}|{any_phrase(SITE_CONTROLS)}|go to top|jump to|next|previous|load more|show more)\W*$",
        S,
        hard=True,
    ),
    _rule(  # capitalised as a menu shows it ("Politik", "ÉCONOMIE"): a lower-case word alone may be a tag or a value
        "section_label",
        "navigation",
        rf"^\W*(?=[A-ZÀ-ÞĀ-ſА-ЯЁІЇЄҐ])(?i:{any_phrase(SECTION_LABELS)})\W*$",
        S // 2,
        case_sensitive=True,
    ),
    _rule("tag_list", "navigation", rf"^\W*{TAG_LABELS}\s*:", S * 3),
    _rule(  # a lower-case domain alone on a line is a site name ("TODO-CLARO.COM" may be a brand heading)
        "site_domain",
        "publisher",
        r"^\W*[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|de|fr|es|it|pt|br|nl|be|pl|ua|ru|se|tr|uk|net|org|info|news|at|ch)\W*$",
        S // 2,
        case_sensitive=True,
        hard=True,
    ),
    # meta
    _rule(
        "byline",
        "meta",
        rf"^\W*{BYLINE_WORDS}\s*:?\s+{NAMES}(\s*(,|{NAME_JOIN})\s*{NAMES})*(\s*[,|–—-]\s*[\w .'’/-]{{1,40}})?\W*$",
        S,
        case_sensitive=True,
    ),
    _rule(
        "timestamp",
        "meta",
        r"^\W*((updated|published|posted|last updated|aktualisiert|mis à jour)\s*:?\s*)?[\w ,.:/-]{0,20}\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?(\s*[a-z]{2,4})?\W*$",
        S // 2,
        generic=True,
    ),
    _rule("published_line", "meta", rf"^\W*{PUBLISHED_WORDS}\b\s*:?.{{0,80}}\d", S * 3 // 2),
    _rule("date_words", "meta", DATE_WORDS_LINE, S // 2 + 20),
    _rule("correction_note", "meta", rf"^\W*{any_phrase(CORRECTION_NOTES)}", S * 4, hard=True),
    _rule("update_note", "meta", rf"^\W*{any_phrase(UPDATE_NOTES)}", S * 4),
    _rule(
        "date_only",
        "meta",
        r"^\W*((updated|published|posted)\s*:?\s*)?(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}|(mon|tue|wed|thu|fri|sat|sun)\w*,? .{0,30}\d{4}|\w+ \d{1,2},? \d{4})\W*$",
        S // 2,
    ),
    _rule(
        "reading_time",
        "meta",
        rf"^\W*({READING_WORDS}\s*:?\s*)?\d+\s*{MINUTES}\.?\s*{READING_WORDS}?\W*$",
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
        rf"^\W*({any_phrase(SHARE_WORDS)}|{any_phrase(FOLLOW_US)})\b.{{0,60}}$",
        S,
    ),
    _rule("follow_channel", "social", rf"^\W*{FOLLOW_CHANNEL}", S * 2),
    _rule(
        "share_network",
        "social",
        r"^\W*(\w{1,3} )?(facebook|twitter|x|whatsapp|linkedin|telegram|vk|вконтакте|instagram|e-?mail)\S{0,4}\s+(teilen|partager|compartir|condividere|compartilhar|partilhar|delen|udostępnij|поділитися|поделиться|dela|paylaş)\W*$",
        S // 2,
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
        r"\b(ad ?-?blocker|disable your ad|whitelist us|advertisement|anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|reklam[ae]?|реклам[аи]|annons|sponsored( content)?|download (our|the) app|pre-?order)\b",
        S * 2,
        needles=(
            "ad",
            "whitelist",
            "anzeige",
            "werbung",
            "publicit",
            "pubblicit",
            "advertentie",
            "reklam",
            "реклам",
            "annons",
            "sponsored",
            "app",
            "order",
        ),
    ),
    _rule("ad_label", "promo", rf"^\W*{any_phrase(AD_LABELS)}\W*$", S // 2, hard=True),
    # feedback
    _rule("correction", "feedback", rf"\b{REPORT_ERROR}", S * 2, needles=REPORT_ERROR_NEEDLES),
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
        rf"\b{any_phrase(RIGHTS_RESERVED)}\b",
        S * 2,
        needles=(
            "rights",
            "rechte",
            "droits",
            "derechos",
            "diritti",
            "direitos",
            "rechten",
            "prawa",
            "права",
            "rättigheter",
            "hakk",
            "hakl",
        ),
        hard=True,
    ),
    _rule(
        "cookies",
        "legal",
        r"\b(we use cookies|cookie (policy|settings|preferences)|accept (all )?cookies|privacy policy|terms of (use|service))\b",
        S * 4,
        needles=("cookie", "privacy", "terms of"),
    ),
    _rule(
        "cookie_notice",
        "legal",
        rf"^(?=.*{COOKIE_WORDS})(?=.*(verwende|nutz|setze|setzt|utili[sz]|usa|usamos|usiamo|uses?\b|using|gebruik|używa|korzyst|використов|использу|använd|kullan|accept|akzept|einstellung|paramètre|configura|impostazioni|instelling|ustawieni|налаштуван|настройк|inställning|ayar|zustimm|consent|toestemming|zgod|згод|соглас|samtyck|onay))",
        S * 5,
        needles=("cookie", "çerez", "kakor", "ciasteczk", "куки"),
    ),
    _rule("accept_button", "legal", rf"^\W*{any_phrase(ACCEPT_ALL)}\W*$", S // 2, hard=True),
    # media
    _rule(
        "ai_audio",
        "media",
        r"\b(audio (is|was|has been) (created|generated)|created with ai|ai[- ]generated (audio|voice)|listen to (this|the) (article|story)|watch the video|video player|press play)\b",
        S * 2,
        needles=("audio", "created with", "listen to", "video", "press play"),
    ),
    _rule("media_notice", "media", rf"^\W*{any_phrase(MEDIA_NOTICES)}", S),
    # comments
    _rule(
        "comments",
        "comments",
        rf"^\W*(\d+\s*)?{any_phrase(COMMENT_WORDS)}(\s*\(?\d+\)?)?\W*$",
        S,
    ),
    # generic shapes last: a line that also matches a phrase rule takes that rule's category
    _rule(  # "a > b > c" (each part up to 40 characters, spaces around separators aside), or "a > b"
        "breadcrumb",
        "navigation",
        BREADCRUMB + r"|^\s*\w[^>›»]{0,30}\s[>›»]\s[^>›»]{1,30}$",
        S,
        generic=True,
    ),
)


Unit = tuple[int, "LazyPattern", tuple[str, ...]]  # what a needle points to: a rule's index, a pattern, its needles


def branch_source(source: str, body: int, close: int, start: int, end: int) -> str:
    """The branch of pattern ``source`` that keeps only the alternative ``source[start:end]`` of the group whose
    alternatives span ``source[body:close]``.

    >>> branch_source(r"^(sign up|subscribe)$", 2, 19, 10, 19)
    '^(subscribe)$'
    """
    return source[:body] + source[start:end] + source[close:]


def _units(rules: tuple[Rule, ...], derived: dict[str, tuple[str, ...]], branches: dict[str, Any]) -> list[Unit]:
    """What the index tests, in rule order: each rule's branches (``cleaner/needles.py``), or its whole pattern
    with its needles (by hand or derived)."""
    units: list[Unit] = []
    for i, rule in enumerate(rules):
        source = rule.pattern.source
        entry = branches.get(rule.name)
        if entry is not None and not rule.case_sensitive and entry[0] == zlib.crc32(source.encode("utf-8")):
            _, body, close, alternatives = entry
            units += [(i, LazyPattern(source, (body, close, a, b)), n) for a, b, n in alternatives]
        else:
            units.append((i, rule.pattern, rule.needles or derived.get(rule.name, ())))
    return units


def _allowed_units(rules: tuple[Rule, ...], units: list[Unit], limits: list[int]) -> list[frozenset[int]]:
    """For each of the sorted ``limits`` (the rules' distinct ``max_chars``), the units of the rules that
    apply to a line that long: those whose rule's limit is that one or a larger one."""
    by_limit: dict[int, list[int]] = {}
    for u, (i, _, _) in enumerate(units):
        by_limit.setdefault(rules[i].max_chars, []).append(u)
    allowed: list[frozenset[int]] = []
    reached: set[int] = set()
    for limit in reversed(limits):
        reached.update(by_limit[limit])
        allowed.append(frozenset(reached))
    return allowed[::-1]


class RuleIndex:
    """A rule list arranged for matching many lines: which rules apply to a line of each length, and which
    of them a line's needles point to.

    ``match`` gives the same rules, in the same order, as testing every rule with
    :meth:`Rule.matches` (``tests/test_speed.py`` checks it for every rule and every dev line): a line
    longer than a rule's ``max_chars`` skips it without a test, and so does a line holding none of its
    needles. With pyahocorasick (a dependency, from wheels) one scan of the line finds every rule's needles,
    written by hand or ``derived`` from the pattern (``cleaner/needles.py``): a third of the cost of testing
    them rule by rule on lines never seen before, and most patterns are then never compiled in a short
    run. Rules with a wide alternation are tested as ``branches``, each with needles of its own: a line
    then compiles and runs only the branches its needles point to (a first document compiles about a third less).
    Without pyahocorasick, each rule's hand-written needles are tested in turn, then its whole pattern.
    """

    __slots__ = ("allowed", "always", "automaton", "groups", "limits", "rules", "units")

    def __init__(
        self,
        rules: tuple[Rule, ...],
        derived: dict[str, tuple[str, ...]] = DERIVED,
        branches: dict[str, Any] = BRANCHES,
    ) -> None:
        self.rules = rules
        self.limits = sorted({r.max_chars for r in rules})
        self.groups: list[tuple[Any, ...]] | None = None  # per limit, for matching without the automaton
        self.units = _units(rules, derived, branches)
        self.automaton = _needle_automaton(self.units)
        self.allowed = _allowed_units(rules, self.units, self.limits)
        needled = {u for u, (_, _, needles) in enumerate(self.units) if needles}
        self.always = [group - needled for group in self.allowed]

    def match(self, text: str) -> tuple[Rule, ...]:
        """The rules whose pattern matches the stripped line ``text``."""
        stripped = text.strip()
        k = bisect_left(self.limits, len(stripped))
        if k == len(self.limits):
            return ()
        head = stripped[:RULE_SCAN_CHARS]
        lower = head.lower()
        if self.automaton is None:
            return self._match_one_by_one(k, head, lower)
        hits: set[int] = set()
        for _end, owners in self.automaton.iter(lower):
            hits.update(owners)
        found: list[Rule] = []
        for u in sorted((hits & self.allowed[k]) | self.always[k]):  # in rule order, a rule's branches together
            i, pattern, _ = self.units[u]
            rule = self.rules[i]
            if found and found[-1] is rule:
                continue  # an earlier branch of this rule matched
            if pattern.search(head if rule.case_sensitive else lower):
                found.append(rule)
        return tuple(found)

    def _match_one_by_one(self, k: int, head: str, lower: str) -> tuple[Rule, ...]:
        """``match`` without the automaton: each rule's hand-written needles, then its pattern."""
        if self.groups is None:  # a memo, built on first use: with the automaton, never
            self.groups = [
                tuple((r.needles, r.pattern.search, r.case_sensitive, r) for r in self.rules if r.max_chars >= lim)
                for lim in self.limits
            ]
        contains = lower.__contains__
        found = []
        for needles, search, case_sensitive, rule in self.groups[k]:  # Rule.matches inlined: the hot path
            if needles and not any(map(contains, needles)):
                continue
            if search(head if case_sensitive else lower):
                found.append(rule)
        return tuple(found)


def _needle_automaton(units: list[Unit]) -> Any:
    """An Aho-Corasick automaton from each needle to the indices of the units it belongs to; None when
    pyahocorasick is not installed (then ``RuleIndex`` tests needles rule by rule)."""
    try:
        import ahocorasick
    except ImportError:
        return None
    owners: dict[str, list[int]] = {}
    for u, (_, _, needles) in enumerate(units):
        for needle in needles:  # a needle listed twice by one unit only makes it listed twice: hits are a set
            owners.setdefault(needle, []).append(u)
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for needle, indices in owners.items():
        automaton.add_word(needle, tuple(indices))
    automaton.make_automaton()
    return automaton


_INDEX = RuleIndex(RULES)


def match_rules(text: str, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, ...]:
    """The rules whose pattern matches the stripped line ``text``."""
    return (_INDEX if rules is RULES else RuleIndex(rules)).match(text)


def is_truncated_tail(text: str) -> bool:
    """A line that ends in a word cut off by an ellipsis ("...less tha...").

    >>> is_truncated_tail("for a second term less tha..."), is_truncated_tail("He paused.")
    (True, False)
    """
    return bool(TRUNCATION_TAIL.search(text.rstrip()[-TAIL_CHARS:]))  # a tail is short: not a scan of the line
