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
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.rules import RULES, Rule, _rule, branch_source

OUT = Path(__file__).resolve().parent.parent / "cleaner" / "needles.py"
MIN_NEEDLE_CHARS = 3  # shorter literals are in most lines: no use as a filter
MIN_SPLIT_CHARS = 400  # shorter patterns compile in well under a millisecond: their branches would cost more to index

Needles = frozenset[str] | None  # None: a match need not contain any literal we can name
Branches = tuple[int, int, int, tuple[tuple[int, int, tuple[str, ...]], ...]]  # see cleaner/needles.py


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


@dataclass
class _Group:
    """A parenthesised group of a pattern's source: where its alternatives start and end, and its ``|``."""

    body: int  # where the group's alternatives start (after "(", "(?:", "(?P<name>" or "(?i:")
    plain: bool  # a group whose alternatives may be split: capturing, non-capturing or scoped flags
    parent: _Group | None
    close: int = -1  # where its ")" is (the pattern's end for the whole pattern)
    quantified: bool = False  # a "*", "+", "?" or "{" follows it
    bars: list[int] = field(default_factory=list)  # its own "|", not those of groups inside it


def _class_end(source: str, i: int) -> int:
    """Where the character class opening at ``source[i]`` ("[") ends (just after its "]")."""
    j = i + 1
    j += source.startswith("^", j)
    j += source.startswith("]", j)  # a "]" first in a class is a literal
    while source[j] != "]":
        j += 2 if source[j] == "\\" else 1
    return j + 1


_SCOPED_FLAGS = re.compile(r"\(\?[aiLmsux-]+:")


def _group_head(source: str, i: int) -> tuple[int, bool]:
    """Where the alternatives of the group opening at ``source[i]`` start, and whether it is plain."""
    if not source.startswith("(?", i):
        return i + 1, True
    if source.startswith("(?:", i):
        return i + 3, True
    if source.startswith("(?P<", i):
        return source.index(">", i) + 1, True
    flags = _SCOPED_FLAGS.match(source, i)
    if flags:
        return flags.end(), True
    return i + 2, False  # look-arounds, atomic groups, conditionals, global flags: left whole


def _groups(source: str) -> list[_Group] | None:
    """The pattern's groups, the whole pattern first, in the order they open; None when the pattern refers
    back to a group (splitting would renumber groups)."""
    root = _Group(body=0, plain=True, parent=None)
    groups, stack = [root], [root]
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            if source[i + 1 : i + 2].isdigit() and source[i + 1] != "0":
                return None
            i += 2
        elif c == "[":
            i = _class_end(source, i)
        elif c == "(":
            if source.startswith(("(?P=", "(?("), i):
                return None
            body, plain = _group_head(source, i)
            stack.append(_Group(body=body, plain=plain, parent=stack[-1]))
            groups.append(stack[-1])
            i = body
        elif c == ")":
            group = stack.pop()
            group.close = i
            group.quantified = source[i + 1 : i + 2] in ("*", "+", "?", "{")
            i += 1
        else:
            if c == "|":
                stack[-1].bars.append(i)
            i += 1
    root.close = len(source)
    return groups


def _splittable(group: _Group) -> bool:
    """Whether ``group``'s alternatives distribute: it and every group around it plain and not repeated, and
    none around it with alternatives of its own."""
    if not group.bars or not group.plain or group.quantified:
        return False
    outer = group.parent
    while outer is not None:
        if outer.bars or not outer.plain or outer.quantified:
            return False
        outer = outer.parent
    return True


Spans = tuple[int, int, tuple[tuple[int, int], ...]]  # a split: group body start, group end, each alternative


def branch_spans(source: str) -> Spans | None:
    """Where the pattern's widest alternation that can be split lies: its group's body start and end, and
    each alternative's start and end; None when there is none.

    The alternation is the whole pattern's, or a group's whose enclosing groups are plain, not repeated
    and have no alternatives of their own: inside a repeat, a negative look-around or an atomic group,
    alternatives do not distribute.
    """
    groups = [g for g in _groups(source) or () if _splittable(g)]
    if not groups:
        return None
    group = max(groups, key=lambda g: len(g.bars))  # the widest; the first of the widest on a tie
    starts = [group.body, *(b + 1 for b in group.bars)]
    ends = [*group.bars, group.close]
    return group.body, group.close, tuple(zip(starts, ends))


def split_branches(source: str) -> tuple[str, ...]:
    """Patterns, one per alternative of the pattern's widest alternation, that together match where
    ``source`` matches (a search finds a match of ``a(b|c)d`` exactly where it finds one of ``a(b)d`` or
    ``a(c)d``); ``(source,)`` when no alternation can be split so (:func:`branch_spans`).

    >>> split_branches(r"^\\W*(sign up|subscribe)( now)?$")
    ('^\\\\W*(sign up)( now)?$', '^\\\\W*(subscribe)( now)?$')
    >>> split_branches(r"(a|b)+"), split_branches(r"(?!a|b)c"), split_branches(r"(a|b)\\1")
    (('(a|b)+',), ('(?!a|b)c',), ('(a|b)\\\\1',))
    """
    spans = branch_spans(source)
    if spans is None:
        return (source,)
    body, close, alternatives = spans
    return tuple(branch_source(source, body, close, a, b) for a, b in alternatives)


def branch_table(rules: tuple[Rule, ...] = RULES) -> dict[str, Branches]:
    """Each rule's pattern split into branches with their own needles, where that helps: each branch then
    compiles only when a line holds one of its needles. A rule is split when every branch has needles, or
    when the whole rule has none (then only its branches without needles run on every line)."""
    table = {}
    derived = derived_table(rules)
    for rule in rules:
        source = rule.pattern.source
        spans = branch_spans(source)
        if rule.case_sensitive or spans is None or len(source) < MIN_SPLIT_CHARS:
            continue
        body, close, alternatives = spans
        needles = [
            derive(_rule(rule.name, rule.category, branch_source(source, body, close, a, b))) for a, b in alternatives
        ]
        if all(needles) or not (rule.needles or derived.get(rule.name)):
            crc = zlib.crc32(source.encode("utf-8"))
            table[rule.name] = (crc, body, close, tuple((a, b, n) for (a, b), n in zip(alternatives, needles)))
    return table


def derived_table(rules: tuple[Rule, ...] = RULES) -> dict[str, tuple[str, ...]]:
    """Needles derived for every rule without needles written by hand."""
    return {r.name: needles for r in rules if not r.needles and (needles := derive(r))}


def _quoted(text: str) -> str:
    """A Python string literal in double quotes, as the formatter writes it (JSON's quoting is valid Python)."""
    return json.dumps(text, ensure_ascii=False)


def _literal(value: object, indent: int) -> list[str]:
    """``value`` (ints, strings and tuples of them) as source lines the formatter leaves as they are: a
    tuple of two or more items one per line with a trailing comma, a one-item tuple on one line."""
    pad = " " * indent
    if not isinstance(value, tuple):
        return [pad + (_quoted(value) if isinstance(value, str) else str(value))]
    if not value:
        return [pad + "()"]
    if len(value) == 1 and not isinstance(value[0], tuple):
        return [pad + "(" + _literal(value[0], 0)[0] + ",)"]
    lines = [pad + "("]
    for item in value:
        item_lines = _literal(item, indent + 4)
        item_lines[-1] += ","
        lines += item_lines
    return [*lines, pad + ")"]


def module_text(table: dict[str, tuple[str, ...]], branches: dict[str, Branches]) -> str:
    """The source of ``cleaner/needles.py``."""
    lines = [
        '"""Needles of the rules that name none by hand, and rules split into branches with needles of their own,',
        "derived from their patterns by `python -m training.needles` (generated: do not edit; ``tests/test_rules.py``",
        "checks that it is up to date).",
        "",
        "Every match of a rule's pattern contains one of its needles: a line holding none skips the pattern.",
        "A rule's pattern matches where one of its branches does: a branch is the pattern with the alternation",
        "of one group (``BRANCHES[name]``: the pattern's CRC-32, the group's body start and end) cut to one of",
        "its alternatives (start, end, needles).",
        '"""',
        "",
        "DERIVED: dict[str, tuple[str, ...]] = {",
    ]
    for name, needles in sorted(table.items()):
        item = _literal(needles, 4)
        item[0] = f"    {_quoted(name)}: " + item[0].lstrip()
        lines += [*item[:-1], item[-1] + ","]
    lines.append("}")
    lines.append("")
    lines.append("BRANCHES: dict[str, tuple[int, int, int, tuple[tuple[int, int, tuple[str, ...]], ...]]] = {")
    for name, entry in sorted(branches.items()):
        item = _literal(entry, 4)
        item[0] = f"    {_quoted(name)}: " + item[0].lstrip()
        lines += [*item[:-1], item[-1] + ","]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive rule needles into cleaner/needles.py.")
    parser.add_argument("--check", action="store_true", help="exit 1 if cleaner/needles.py is out of date")
    args = parser.parse_args(argv)
    text = module_text(derived_table(), branch_table())
    if args.check:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
