"""YAML loading that remembers the line of every value, so config errors can name it.

PyYAML's node tree carries marks but its constructed objects do not; this keeps both. Every
document is read safely, in one pass: composed to nodes (nesting bounded as it is read), measured
(aliases expanded in count only, never in memory: an alias bomb or an alias inside itself is
refused at once, naming its line), and only then constructed from those same nodes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from maintctl.domain import bounds

Path = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _line(node: yaml.Node | Any) -> int:
    """The 1-based line of a node or a mark (PyYAML's marks have two types)."""
    mark = node.start_mark if isinstance(node, yaml.Node) else node
    return int(mark.line) + 1 if mark is not None else 1


if TYPE_CHECKING or not yaml.__with_libyaml__:
    _Base = yaml.SafeLoader
else:
    # libyaml's parser where PyYAML has it: ten times faster than PyYAML's own, and not
    # recursive. The composer stays PyYAML's (Python), so every node is checked as it is made.
    from yaml._yaml import CParser

    class _Base(CParser, yaml.SafeLoader):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)

        def get_single_node(self) -> yaml.Node | None:
            return yaml.composer.Composer.get_single_node(self)


class _Loader(_Base):
    """A safe loader whose composer refuses, as it reads, documents past the bounds (nodes,
    nesting) and an alias inside the value it names."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._nodes = 0
        self._open: set[str] = set()  # anchors of the collections being composed

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        self._nodes += 1
        if self._nodes > bounds.YAML_MAX_NODES:
            raise YamlError(
                _line(event.start_mark), f"holds more than {bounds.YAML_MAX_NODES:,} values"
            )
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open:
            raise YamlError(
                _line(event.start_mark),
                f"the alias *{event.anchor} refers to a value that contains it",
            )
        anchor = None
        if isinstance(event, yaml.CollectionStartEvent) and event.anchor is not None:
            anchor = event.anchor
            self._open.add(anchor)
        self._depth += 1
        try:
            if self._depth > bounds.YAML_MAX_DEPTH:
                raise YamlError(
                    _line(event.start_mark), f"nested more than {bounds.YAML_MAX_DEPTH} levels deep"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)


# Typed text stays text where YAML 1.1 would turn it into something else: timestamps (so a naive
# time can be refused) and base-60 numbers (an unquoted 99:30 is not the integer 5970, nor 03:30).
_BASE_60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?$")


def _resolvers(first: str | None, found: list[tuple[str, re.Pattern[str]]]) -> list[Any]:
    kept = [(tag, rx) for tag, rx in found if tag != "tag:yaml.org,2002:timestamp"]
    if first is not None and first in "-+0123456789":
        return [("tag:yaml.org,2002:str", _BASE_60), *kept]  # checked first, so it wins
    return kept


_Loader.yaml_implicit_resolvers = {
    first: _resolvers(first, found)
    for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _refuse_repeated_keys(node: yaml.MappingNode) -> None:
    # YAML would keep the last silently; a config read differently from how it looks is refused.
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value != "<<":
            if key.value in seen:
                raise YamlError(
                    _line(key),
                    f"{key.value!r} is given twice in one mapping (also on line "
                    f"{seen[key.value]}); keep one",
                )
            seen[key.value] = _line(key)


def _measure(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases recurse or expand past the bounds (nodes, depth).

    Iterative and memoised per node, so the cost is that of the text, not of the expansion.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, expanded depth)
    open_path: set[int] = set()  # nodes being measured: the ancestors of the current one
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            parts = [done[id(c)] for c in _children(node)]
            size = 1 + sum(n for n, _ in parts)
            depth = 1 + max((d for _, d in parts), default=0)
            open_path.discard(key)
            if size > bounds.YAML_MAX_NODES:
                raise YamlError(
                    _line(node),
                    f"expands to more than {bounds.YAML_MAX_NODES:,} values through its "
                    "aliases (*name); write the values out or use fewer aliases",
                )
            if depth > bounds.YAML_MAX_DEPTH:
                raise YamlError(
                    _line(node),
                    f"nests more than {bounds.YAML_MAX_DEPTH} levels deep through its aliases",
                )
            done[key] = (size, depth)
            continue
        if key in done:
            continue
        if isinstance(node, yaml.MappingNode):
            _refuse_repeated_keys(node)
        open_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_path:  # the composer refuses this first; kept as a backstop
                raise YamlError(_line(node), "an alias refers to a value that contains it")
            if id(child) not in done:
                stack.append((child, False))


def _compose(text: str) -> tuple[_Loader, yaml.Node | None]:
    if len(text) > bounds.YAML_MAX_CHARS:
        raise YamlError(1, f"is longer than {bounds.YAML_MAX_CHARS:,} characters")
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # PyYAML's own reader checks the text at once
        raise YamlError(text.count("\n", 0, exc.position) + 1, exc.reason) from None
    except UnicodeEncodeError as exc:  # libyaml takes UTF-8, which a lone surrogate is not
        raise YamlError(text.count("\n", 0, exc.start) + 1, "holds a lone surrogate") from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _measure(node)
    except YamlError:
        loader.dispose()
        raise
    except yaml.reader.ReaderError as exc:  # libyaml's reader, as it goes
        loader.dispose()
        raise YamlError(_line_at(text, exc), exc.reason) from None
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        raise YamlError(_line(exc.problem_mark), str(exc.problem)) from None
    return loader, node


def _line_at(text: str, exc: yaml.reader.ReaderError) -> int:
    # libyaml counts the position in bytes of UTF-8; PyYAML in characters.
    raw = text.encode("utf-8", "replace")
    return raw.count(b"\n", 0, exc.position) + 1


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_line(exc.problem_mark), str(exc.problem)) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # An explicit tag on text it cannot read, e.g. !!int x or !!float 1e999999.
        raise YamlError(_line(node), f"a value cannot be read: {exc}") from None
    finally:
        loader.dispose()


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML text; return the data and a map from each value's path to its 1-based line."""
    loader, node = _compose(text)
    if node is None:
        loader.dispose()
        return {}, {}
    lines: dict[Path, int] = {}
    _walk(node, (), lines)
    return _construct(loader, node), lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    # Bounded: _measure has capped the expanded node count and depth.
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue  # a list or mapping as a key: construction refuses it with its line
            name = key.value
            _walk(value, (*path, name), lines)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of the deepest known prefix of `path`."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def load_plain(text: str) -> Any:
    """Parse YAML data with times left as strings; raise YamlError naming the line."""
    loader, node = _compose(text)
    if node is None:
        loader.dispose()
        return None
    return _construct(loader, node)
