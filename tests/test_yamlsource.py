"""YAML is read safely: bounded before any value is built, and typed text kept as typed."""

from __future__ import annotations

import time
from unittest import mock

import pytest

from maintctl import yamlsource
from maintctl.domain import bounds
from maintctl.yamlsource import YamlError, load, load_plain


def refused(text: str) -> YamlError:
    with pytest.raises(YamlError) as exc:
        load_plain(text)
    return exc.value


def bomb(levels: int) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels + 1):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_eight_level_alias_bomb_is_refused_in_well_under_a_second() -> None:
    started = time.perf_counter()
    error = refused(bomb(8))
    assert time.perf_counter() - started < 1
    # 9**6 values under the sixth anchor is the first count past the bound.
    assert error.line == 6 and "expands to more than 100,000 values" in error.message


def test_aliases_that_expand_within_the_bound_are_read() -> None:
    data = load_plain(bomb(3))  # 9**4 = 6,561 values
    assert len(data["d"]) == 9 and data["d"][0][0][0] == ["x"] * 9


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: &a [1, [2, *a]]\n", 1), ("a: &a\n  - 1\n  - *a\n", 3), ("a: &a {<<: *a}\n", 1)],
)
def test_an_alias_inside_the_value_it_names_is_refused_naming_its_line(
    text: str, line: int
) -> None:
    error = refused(text)
    assert (error.line, error.message) == (line, "the alias *a refers to a value that contains it")


def test_nesting_deeper_than_the_bound_is_refused() -> None:
    error = refused("[" * 100 + "]" * 100)
    assert (error.line, error.message) == (1, "nested more than 64 levels deep")


def test_nesting_far_past_any_recursion_limit_is_refused_without_recursing() -> None:
    depth = 100_000  # refused by the parser or the composer, never a RecursionError
    assert refused("[" * depth + "]" * depth).line == 1


def test_a_document_with_more_values_than_the_bound_is_refused_as_it_is_read() -> None:
    error = refused("- x\n" * (bounds.YAML_MAX_NODES + 10))
    assert error.message == "holds more than 100,000 values"


def test_nesting_deeper_than_the_bound_through_aliases_is_refused() -> None:
    chain = ["a0: &a0 [x]"] + [f"a{n}: &a{n} [*a{n - 1}]" for n in range(1, 80)]
    error = refused("\n".join(chain) + "\n")
    assert "nests more than 64 levels deep through its aliases" in error.message


def test_text_longer_than_the_bound_is_refused_unparsed() -> None:
    with mock.patch.object(yamlsource._Loader, "__init__", side_effect=AssertionError):
        error = refused("#" * (bounds.YAML_MAX_CHARS + 1))
    assert error.message == "is longer than 1,048,576 characters"


def test_the_text_is_parsed_once_and_built_from_the_composed_nodes() -> None:
    made = []
    original = yamlsource._Loader.__init__

    def counting(self: yamlsource._Loader, text: str) -> None:
        made.append(text)
        original(self, text)

    with mock.patch.object(yamlsource._Loader, "__init__", counting):
        data, lines = load("a:\n  b: [1, 2]\n")
    assert len(made) == 1
    assert data == {"a": {"b": [1, 2]}} and lines[("a", "b", 1)] == 2


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("99:30", "99:30"),
        ("12:30", "12:30"),
        ("1:02:03", "1:02:03"),
        ("190:20:30.15", "190:20:30.15"),
        ("2027-01-01T00:00:00", "2027-01-01T00:00:00"),
        ("2027-01-01", "2027-01-01"),
        ("12", 12),
        ("0x1f", 31),
        ("1.5", 1.5),
    ],
)
def test_base_60_numbers_and_timestamps_are_kept_as_the_text_typed(
    typed: str, kept: object
) -> None:
    assert load_plain(f"value: {typed}\n") == {"value": kept}


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: 1\nb: !!int x\n", 1, "a value cannot be read"),
        ("a: !!python/object:os.system x\n", 1, "could not determine a constructor"),
        ("? [a]\n: b\n", 1, "found unhashable key"),
        ("a: 1\nb: \x07\n", 2, "characters are not allowed"),
        ("a: 1\nb: \ud800\n", 2, "surrogate"),
        ("a: 1\nb: [\n", 3, "node content"),
        ("a: 1\na: 2\n", 2, "'a' is given twice in one mapping (also on line 1); keep one"),
    ],
)
def test_what_cannot_be_read_is_one_error_naming_a_line(text: str, line: int, says: str) -> None:
    error = refused(text)
    assert error.line == line and says in error.message


def test_an_empty_document_is_no_data() -> None:
    assert load("") == ({}, {})
    assert load_plain("# nothing\n") is None
