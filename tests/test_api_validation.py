"""The API refuses wrong values with a clear ValueError/TypeError instead of odd output (issue 13, item 6)."""

from __future__ import annotations

import pytest

from cleaner import Cleaner, Options, classify, clean


@pytest.mark.parametrize("threshold", [-0.01, 1.01, 5])
def test_threshold_outside_0_1_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold must be a probability between 0 and 1"):
        Options(threshold=threshold)


@pytest.mark.parametrize("threshold", [0, 0.0, 1, 1.0])
def test_threshold_bounds_are_accepted(threshold: float) -> None:
    assert Options(threshold=threshold).threshold == threshold


def test_threshold_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="threshold must be a number, got str"):
        Options(threshold="0.1")  # type: ignore[arg-type]


def test_unknown_keep_category_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown categories \['captions'\]; known: .*caption"):
        Options(keep_categories=frozenset({"captions"}))


def test_keep_categories_as_one_string_is_refused() -> None:
    with pytest.raises(TypeError, match=r"not a str: use \{'caption'\}"):
        Options(keep_categories="caption")  # type: ignore[arg-type]


def test_keep_categories_from_any_collection_become_a_frozenset() -> None:
    options = Options(keep_categories=["caption", "meta"])  # type: ignore[arg-type]
    assert options.keep_categories == frozenset({"caption", "meta"})
    assert hash(options) == hash(Options(keep_categories=frozenset({"meta", "caption"})))


@pytest.mark.parametrize(("field", "value", "error"), [("max_line_chars", 0, ValueError), ("use_model", 1, TypeError)])
def test_other_fields_are_checked(field: str, value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=f"Options.{field}"):
        Options(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("call", [clean, classify, lambda t: Cleaner(Options(use_model=False)).clean(t)])
def test_bytes_are_refused_with_what_to_do(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match=r"cleaner cleans str, not bytes: decode it first"):
        call(b"The council met on Monday.\n")


def test_none_is_refused() -> None:
    with pytest.raises(TypeError, match="cleaner cleans str, not NoneType"):
        clean(None)  # type: ignore[arg-type]


def test_options_must_be_an_options_value() -> None:
    with pytest.raises(TypeError, match=r"options must be a cleaner\.Options, got dict"):
        Cleaner({"threshold": 0.5})  # type: ignore[arg-type]
