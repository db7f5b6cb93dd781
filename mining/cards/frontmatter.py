"""Reading the YAML front matter defensively, with a position for every key and value.

The YAML is composed into a node tree with PyYAML's SafeLoader (YAML 1.1, as huggingface_hub
reads it), then checked before any Python value is built:

- over `MAX_FRONT_MATTER_BYTES` it is refused unread (`too_large`);
- aliases are expanded only on paper: the node tree is counted with shared nodes counted once
  per reference, and over `MAX_EXPANDED_NODES` (or on a cycle) it is refused (`alias_bomb`), so
  "billion laughs" costs the size of the text, not of its expansion;
- duplicate keys (PyYAML silently keeps the last) are listed with their positions;
- every node gets a span keyed by its path (mapping keys as written, sequence indices as ints),
  located when first asked for (`Spans`).

Errors are captured, never raised: the YAML error's line and column are translated into the
original file.

Speed: when PyYAML has libyaml, the node tree is composed by `yaml.CSafeLoader` (same resolver
and constructor, so the same values and tags, with marks in code points like the pure-Python
loader). The pure-Python SafeLoader still reads every block libyaml rejects (so errors are
worded, and placed, as before), every block holding a tab or a character the pure reader
refuses (libyaml is laxer with tabs than PyYAML and the Hub), and every block that could nest
deeper than `FAST_MAX_DEPTH` (libyaml's composer recurses in C, where no RecursionError
protects the process). Values are built from the node tree directly when it holds no alias and
only plain sequences, mappings and scalars (each scalar by SafeConstructor's constructor for
its tag); anything else goes through SafeConstructor's generic construction, so the values and
the errors are PyYAML's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mining.cards.text import FrontMatterStatus, LineIndex, Position

MAX_FRONT_MATTER_BYTES = 1_000_000
MAX_EXPANDED_NODES = 1_000_000
FAST_MAX_DEPTH = 500
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_VALUE_TAG = "tag:yaml.org,2002:value"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_Loader: TypeAlias = "yaml.SafeLoader | yaml.CSafeLoader"

NodePath = tuple[str | int, ...]


@dataclass(frozen=True)
class NodeSpan:
    """Where one node is: its key (None for the root and sequence items), its value's start and
    end, and the scalar's source text (None for collections)."""

    key: Position | None
    start: Position
    end: Position
    text: str | None


@dataclass(frozen=True)
class YamlProblem:
    """A YAML error as PyYAML words it (`context`, `problem`), at its place in the file."""

    context: str | None
    problem: str
    position: Position | None

    @property
    def message(self) -> str:
        return f"{self.context}: {self.problem}" if self.context else self.problem


@dataclass(frozen=True)
class DuplicateKey:
    """A key written more than once in one mapping (`mapping` is the mapping's path)."""

    mapping: NodePath
    key: str
    positions: tuple[Position, ...]


@dataclass(frozen=True)
class FrontMatter:
    """The outcome of reading a YAML block. `metadata` is what yaml.safe_load gives, when it is a
    mapping (`{}` for an empty block)."""

    status: FrontMatterStatus
    metadata: dict[Any, Any] | None = None
    error: YamlProblem | None = None
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    spans: Mapping[NodePath, NodeSpan] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, status: FrontMatterStatus) -> None:
        self.status = status


def read_front_matter(yaml_text: str, yaml_start: int, lines: LineIndex) -> FrontMatter:
    """Parse the YAML between the fences; `yaml_start` is its offset in the card's text."""
    if _too_large(yaml_text):
        return FrontMatter(FrontMatterStatus.TOO_LARGE)
    loader: _Loader | None = None
    try:
        loader, root = _compose(yaml_text)
        if root is None:
            return FrontMatter(FrontMatterStatus.EMPTY_FRONT_MATTER, metadata={})
        if "*" in yaml_text:  # without an alias, nodes are bounded by the text's size
            _check_expansion(root)
        where = _Locator(yaml_start, lines)
        spans = Spans(root, where)
        value, may_repeat = _construct(loader, root, aliased="*" in yaml_text)
        found = where.duplicates(root) if may_repeat else iter(())
        duplicates = tuple(sorted(found, key=lambda d: d.positions[0]))
    except _Refused as refused:
        return FrontMatter(refused.status)
    except RecursionError:
        return FrontMatter(FrontMatterStatus.TOO_DEEP)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = lines.position(yaml_start + mark.index) if mark else None
        return _error(exc.context, exc.problem or str(exc), position)
    except yaml.reader.ReaderError as exc:
        where_bad = lines.position(yaml_start + exc.position)
        return _error(None, f"unacceptable character #x{exc.character:04x}", where_bad)
    except Exception as exc:  # a constructor's ValueError, OverflowError, ...: never raise
        return _error(None, f"{type(exc).__name__}: {exc}", None)
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(value, dict):
        return FrontMatter(FrontMatterStatus.NOT_A_MAPPING, spans=spans)
    return FrontMatter(FrontMatterStatus.OK, value, None, duplicates, spans)


def _compose(yaml_text: str) -> tuple[_Loader, Node | None]:
    """The loader and the composed root node: libyaml when it is safe and accepts the text,
    else the pure-Python SafeLoader (whose errors propagate to the caller)."""
    if _FAST_LOADER is not None and _fast_path_safe(yaml_text):
        fast = _FAST_LOADER(yaml_text)
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()
    loader = yaml.SafeLoader(yaml_text)  # checks for unprintable characters
    return loader, loader.get_single_node()


def _construct(loader: _Loader, root: Node, *, aliased: bool) -> tuple[Any, bool]:
    """The document's value, as `loader.construct_document` builds it, and whether a mapping
    may repeat a key. A tree without aliases holding only sequences, mappings with scalar keys
    and scalars (a card's front matter) is built directly, each scalar by the loader's own
    constructor for its tag; anything else, or any failure, goes to construct_document, which
    raises the error PyYAML raises.

    A key written twice (same tag, same text) is built twice into equal values, so the built
    mapping then holds fewer entries than the node has pairs; the exception is a float key
    (`.nan` is not equal to itself). So a tree built directly whose mappings all hold as many
    entries as pairs, with no float key, repeats no key, and is not scanned for duplicates."""
    if not aliased:
        repeats: list[bool] = []
        try:
            return _built(loader, root, repeats), bool(repeats)
        except Exception:  # construct_document gives PyYAML's error
            pass
    return loader.construct_document(root), True


class _Unusual(Exception):
    """A node `_built` leaves to PyYAML's generic construction."""


def _built(loader: _Loader, node: Node, repeats: list[bool]) -> Any:
    """The node's value; appends to `repeats` when a mapping below may repeat a key."""
    kind, tag = type(node), node.tag
    if kind is ScalarNode:
        if tag == _STR_TAG:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _Unusual(tag)
        return loader.yaml_constructors[tag](loader, node)
    if kind is SequenceNode and tag == _SEQ_TAG:
        return [
            child.value
            if type(child) is ScalarNode and child.tag == _STR_TAG  # the common case, inline
            else _built(loader, child, repeats)
            for child in node.value
        ]
    if kind is MappingNode and tag == _MAP_TAG:
        mapping = {}
        for key, value in node.value:
            key_tag = key.tag
            if type(key) is not ScalarNode or key_tag in (_MERGE_TAG, _VALUE_TAG):
                raise _Unusual(key_tag)
            if key_tag == _FLOAT_TAG:
                repeats.append(True)
            built_key = key.value if key_tag == _STR_TAG else _built(loader, key, repeats)
            if type(value) is ScalarNode and value.tag == _STR_TAG:
                mapping[built_key] = value.value
            else:
                mapping[built_key] = _built(loader, value, repeats)
        if len(mapping) != len(node.value):
            repeats.append(True)
        return mapping
    raise _Unusual(tag)


def _fast_path_safe(yaml_text: str) -> bool:
    """No character the pure reader refuses, and nesting provably under FAST_MAX_DEPTH: every
    level needs a flow bracket or one more column on some line, so brackets plus the longest
    line bound the depth."""
    if "\t" in yaml_text or yaml.reader.Reader.NON_PRINTABLE.search(yaml_text):
        return False  # libyaml accepts tabs where the pure scanner (and the Hub) refuse them
    brackets = yaml_text.count("[") + yaml_text.count("{")
    if brackets >= FAST_MAX_DEPTH:
        return False
    longest = max(map(len, yaml_text.splitlines()), default=0)
    return brackets + longest < FAST_MAX_DEPTH


def _too_large(yaml_text: str) -> bool:
    if len(yaml_text) > MAX_FRONT_MATTER_BYTES:
        return True
    return len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES


def _error(context: str | None, problem: str, position: Position | None) -> FrontMatter:
    return FrontMatter(FrontMatterStatus.YAML_ERROR, error=YamlProblem(context, problem, position))


def _check_expansion(root: Node) -> None:
    """Refuse when aliases would expand the tree beyond MAX_EXPANDED_NODES, or loop."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Refused(FrontMatterStatus.ALIAS_BOMB)
        open_nodes.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(expanded(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(expanded(k) + expanded(v) for k, v in node.value)
        if total > MAX_EXPANDED_NODES:
            raise _Refused(FrontMatterStatus.ALIAS_BOMB)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded(root)


class Spans(Mapping[NodePath, NodeSpan]):
    """Every node's span by path, located on first use; the root's alone is located directly,
    once (most cards need no other)."""

    def __init__(self, root: Node, locator: _Locator) -> None:
        self._root = root
        self._locator = locator
        self._spans: dict[NodePath, NodeSpan] | None = None
        self._root_span: NodeSpan | None = None

    def __getitem__(self, path: NodePath) -> NodeSpan:
        if path == () and self._spans is None:
            if self._root_span is None:
                self._root_span = self._locator.span(None, self._root)
            return self._root_span
        return self._located()[path]

    def __iter__(self) -> Iterator[NodePath]:
        return iter(self._located())

    def __len__(self) -> int:
        return len(self._located())

    def __repr__(self) -> str:
        return repr(self._located())

    def _located(self) -> dict[NodePath, NodeSpan]:
        if self._spans is None:
            self._spans = dict(self._locator.spans(self._root))
        return self._spans


class _Locator:
    """Turns node marks (indices into the YAML text) into positions in the original file."""

    def __init__(self, yaml_start: int, lines: LineIndex) -> None:
        self._start = yaml_start
        self._lines = lines

    def _at(self, mark: yaml.Mark) -> Position:
        return self._lines.position(self._start + mark.index)

    def span(self, key: Node | None, node: Node) -> NodeSpan:
        key_at = self._at(key.start_mark) if key is not None else None
        text = node.value if isinstance(node, ScalarNode) else None
        return NodeSpan(key_at, self._at(node.start_mark), self._at(node.end_mark), text)

    def spans(self, root: Node) -> Iterator[tuple[NodePath, NodeSpan]]:
        seen: set[int] = set()
        stack: list[tuple[NodePath, Node | None, Node]] = [((), None, root)]
        while stack:
            path, key, node = stack.pop()
            yield path, self.span(key, node)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, SequenceNode):
                items = [((*path, i), None, child) for i, child in enumerate(node.value)]
                stack.extend(reversed(items))
            elif isinstance(node, MappingNode):
                pairs = [
                    ((*path, k.value), k, v)
                    for k, v in node.value
                    if isinstance(k, ScalarNode) and k.tag != _MERGE_TAG
                ]
                stack.extend(reversed(pairs))

    def duplicates(self, root: Node) -> Iterator[DuplicateKey]:
        if not any(map(_repeats_a_key, _mapping_nodes(root))):
            return
        for path, mapping in _mappings(root):
            keys: dict[tuple[str, str], list[Position]] = {}
            for key, _ in mapping.value:
                if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
                    keys.setdefault((key.tag, key.value), []).append(self._at(key.start_mark))
            for (_, name), positions in keys.items():
                if len(positions) > 1:
                    yield DuplicateKey(path, name, tuple(positions))


def _repeats_a_key(mapping: MappingNode) -> bool:
    written = [key.value for key, _ in mapping.value if isinstance(key, ScalarNode)]
    if len(set(written)) == len(written):  # keys all written differently: no repeat
        return False
    keys = [
        (key.tag, key.value)
        for key, _ in mapping.value
        if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG
    ]
    return len(set(keys)) != len(keys)


def _mapping_nodes(root: Node) -> Iterator[MappingNode]:
    """The mapping nodes `_mappings` visits, without their paths (scalars are not stacked)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(child for child in node.value if not isinstance(child, ScalarNode))
        elif isinstance(node, MappingNode):
            yield node
            stack.extend(
                v
                for k, v in node.value
                if isinstance(k, ScalarNode) and not isinstance(v, ScalarNode)
            )


def _mappings(root: Node) -> Iterator[tuple[NodePath, MappingNode]]:
    """Each distinct mapping node once, with the path it is first reached by."""
    seen: set[int] = set()
    stack: list[tuple[NodePath, Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(((*path, i), child) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            yield path, node
            stack.extend(((*path, k.value), v) for k, v in node.value if isinstance(k, ScalarNode))
