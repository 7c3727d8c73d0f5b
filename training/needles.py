"""Derive needles for the rules that name none by hand (literal strings, one of which every match of the
rule's pattern contains) and write them to ``cleaner/needles.py``.

Rule matching scans a line once for every rule's needles (an Aho-Corasick automaton, see
:class:`cleaner.rules.RuleIndex`) and tests a pattern only when the line holds one of its needles, so a
pattern no line of a document needs is never even compiled: compiling the phrase rules of twelve languages
cost 0.08 s of every start. Deriving needles needs the regular-expression parser, as slow as compiling,
so it runs here, once, not at start-up; ``tests/test_rules.py`` checks that the file is up to date and that
needles never hide a match.

    python -m training.needles          # rewrite cleaner/needles.py after changing a rule's pattern
    python -m training.needles --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import re._constants as sre
import re._parser as sre_parse
from pathlib import Path

from cleaner.rules import RULES, Rule

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "needles.py"
MIN_NEEDLE_CHARS = 3  # shorter literals are in most lines: no use as a filter

Needles = frozenset[str] | None  # None: a match need not contain any literal we can name


def _better(a: Needles, b: Needles) -> Needles:
    """The more selective of two needle sets, each enough on its own: longer shortest needle, then fewer."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: list) -> Needles:
    """Needles of a sequence of pattern items: the best of its literal runs and of its required parts."""
    best: Needles = None
    run = ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if len(run) >= MIN_NEEDLE_CHARS:
            best = _better(best, frozenset([run]))
        run = ""
        best = _better(best, _item(op, av))
    if len(run) >= MIN_NEEDLE_CHARS:
        best = _better(best, frozenset([run]))
    return best


def _item(op: object, av: object) -> Needles:
    """Needles every match of one non-literal item contains (None when it may match without any)."""
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av  # type: ignore[misc]
        return None if add_flags or del_flags else _sequence(sub.data)
    if op is sre.BRANCH:
        branches = [_sequence(b.data) for b in av[1]]  # type: ignore[index]
        if any(b is None for b in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, sub = av  # type: ignore[misc]
        return _sequence(sub.data) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _sequence(av.data)  # type: ignore[union-attr]
    return None  # classes, anchors, look-arounds, back-references: no literal to name


def derive(rule: Rule) -> tuple[str, ...]:
    """The needles of ``rule``'s pattern, sorted; ``()`` when none can be named.

    Case-sensitive rules are left alone: needles are looked for in the lower-cased line.

    >>> from cleaner.rules import _rule
    >>> derive(_rule("x", "noise", r"^\\W*(sign up|subscribe)( now)?\\W*$"))  # the parser takes out the shared "s"
    ('ign up', 'ubscribe')
    >>> derive(_rule("y", "noise", r"^\\W*\\d+ (min|h)\\W*$"))
    ()
    """
    if rule.case_sensitive:
        return ()
    parsed = sre_parse.parse(rule.pattern.source)
    if parsed.state.flags & ~re.UNICODE.value:
        return ()
    needles = _sequence(parsed.data)
    return tuple(sorted(needles)) if needles else ()


def derived_table(rules: tuple[Rule, ...] = RULES) -> dict[str, tuple[str, ...]]:
    """Needles derived for every rule without needles written by hand."""
    return {r.name: needles for r in rules if not r.needles and (needles := derive(r))}


def _quoted(text: str) -> str:
    """A Python string literal in double quotes, as the formatter writes it (JSON's quoting is valid Python)."""
    return json.dumps(text, ensure_ascii=False)


def module_text(table: dict[str, tuple[str, ...]]) -> str:
    """The source of ``cleaner/needles.py``."""
    lines = [
        '"""Needles of the rules that name none by hand, derived from their patterns by `python -m training.needles`',
        "(generated: do not edit; ``tests/test_rules.py`` checks that it is up to date).",
        "",
        "Every match of a rule's pattern contains one of its needles: a line holding none skips the pattern.",
        '"""',
        "",
        "DERIVED: dict[str, tuple[str, ...]] = {",
    ]
    for name, needles in sorted(table.items()):
        if len(needles) == 1:
            lines.append(f"    {_quoted(name)}: ({_quoted(needles[0])},),")
            continue
        lines.append(f"    {_quoted(name)}: (")
        lines += [f"        {_quoted(n)}," for n in needles]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive rule needles into cleaner/needles.py.")
    parser.add_argument("--check", action="store_true", help="exit 1 if cleaner/needles.py is out of date")
    args = parser.parse_args(argv)
    text = module_text(derived_table())
    if args.check:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
