"""YAML documents that remember where each value came from.

Configuration errors must name the file and line; PyYAML's composed node tree
has the positions, so the document is built from it with a map from each
value's path (`("policy", "approval", 0, "if")`) to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from caution.user_file import CONFIG_LIMIT, read_user_file

Path_ = tuple[str | int, ...]


CONFIG_NAME = ".caution.yml"  # the repository's configuration: policy, guard, reach, risk, deploy


class SourceError(ValueError):
    """A problem at a place in a file: `file:line: problem`."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = " ".join(problem.split())  # one line, whatever the parser said
        problem = self.problem
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


@dataclass
class SourceDoc:
    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def error(self, path: Path_, problem: str) -> SourceError:
        return SourceError(self.file, self.line_of(path), problem)


MAX_DEPTH = 50  # levels of nesting; no configuration or catalog needs more
MAX_INT_CHARS = 100  # an integer written longer than this is no count, time or id
_INT_TAG = "tag:yaml.org,2002:int"


class _TooDeep(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("nested too deeply")
        self.mark = mark


class _BoundedComposer(yaml.SafeLoader):
    """PyYAML's composer recurses once per level of nesting: 5,000 `[` are a RecursionError.
    This one stops at MAX_DEPTH, long before the interpreter's limit. (libyaml's composer,
    used where it is installed, stops at 1,000 levels with a YAMLError of its own.)"""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# libyaml's loader is several times faster (catalogs are many files); the bounded pure-Python
# one is the fallback where it is absent
_FastLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", _BoundedComposer)


def check_nodes(root: yaml.Node, file: str) -> None:
    """Refuse, at its line, what a composed document must not hold: nesting deeper than
    MAX_DEPTH, anchors and aliases (they can expand exponentially, a "billion laughs", or
    refer to themselves), a key named twice in one mapping (the last would silently win), and
    integers too long to be a number. Walked without recursion, in document order."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise SourceError(file, line, "anchors and aliases (&name, *name) are not allowed")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise SourceError(file, line, f"nested deeper than {MAX_DEPTH} levels")
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    ident = (key_node.tag, key_node.value)
                    if ident in keys:
                        where = key_node.start_mark.line + 1
                        raise SourceError(file, where, f"duplicate key {key_node.value!r}")
                    keys.add(ident)
                children.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            children.extend(node.value)
        elif node.tag == _INT_TAG and len(str(node.value)) > MAX_INT_CHARS:
            raise SourceError(
                file, line, f"an integer longer than {MAX_INT_CHARS} characters is not a number"
            )
        stack.extend((child, depth + 1) for child in reversed(children))


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(file, key_node.start_mark.line + 1, "mapping keys must be text")
            key = _scalar(key_node, file)
            if not isinstance(key, str | int | bool) or key is None:
                raise SourceError(file, key_node.start_mark.line + 1, "mapping keys must be text")
            key_text = str(key) if not isinstance(key, str) else key
            if key_text in out:
                raise SourceError(file, key_node.start_mark.line + 1, f"duplicate key {key_text!r}")
            lines[(*path, key_text)] = key_node.start_mark.line + 1
            out[key_text] = _build(value_node, (*path, key_text), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, file) for i, item in enumerate(node.value)]
    return _scalar(node, file)


def _scalar(node: yaml.Node, file: str) -> Any:
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node, deep=True)
    except Exception as exc:  # a bad explicit tag (`!!int x`) is the file's fault, not ours
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(file, node.start_mark.line + 1, f"bad value: {problem}") from exc


def _yaml_error(exc: yaml.YAMLError, file: str, text: str) -> SourceError:
    if isinstance(exc, _TooDeep):
        return SourceError(file, exc.mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" in str(exc.problem):
        mark = exc.problem_mark  # libyaml's own limit, far above ours
        line = mark.line + 1 if mark is not None else None
        return SourceError(file, line, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return SourceError(file, line, f"YAML error: character #x{char:04x}: {exc.reason}")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return SourceError(file, line, f"YAML syntax error: {exc.problem or exc.context}")
    return SourceError(file, None, f"YAML error: {exc}")


def parse_yaml(text: str, file: str) -> SourceDoc:
    try:
        loader = _BoundedComposer(text)  # the reader refuses control characters here
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from exc
    if node is None:
        return SourceDoc(file, None, {})
    check_nodes(node, file)
    lines: dict[Path_, int] = {}
    try:
        data = _build(node, (), lines, file)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SourceError(file, mark.line + 1 if mark else None, str(exc.problem)) from exc
    return SourceDoc(file, data, lines)


def load_documents(text: str, file: str) -> list[Any]:
    """Every document of a multi-document file (a Backstage catalog), each checked by
    `check_nodes` before it is built; SourceError at the line of the first problem."""
    documents = []
    try:
        loader = _FastLoader(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from exc
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            check_nodes(node, file)
            documents.append(loader.construct_document(node))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, text) from exc
    except SourceError:
        raise
    except (ValueError, ArithmeticError, TypeError) as exc:  # a constructor's, such as a bad date
        raise SourceError(file, None, f"bad value: {exc}") from exc
    finally:
        loader.dispose()
    return documents


def read_yaml(path: Path, display: str | None = None, *, follow_symlinks: bool = True) -> SourceDoc:
    """The YAML file at `path` (a regular file of at most CONFIG_LIMIT bytes), named
    `display` in errors."""
    name = display or str(path)
    try:
        raw = read_user_file(path, CONFIG_LIMIT, follow_symlinks=follow_symlinks)
    except OSError as exc:
        raise SourceError(name, None, f"cannot read: {exc.strerror or exc}") from exc
    return parse_yaml_bytes(raw, name)


def parse_yaml_bytes(raw: bytes, file: str) -> SourceDoc:
    """`parse_yaml` of bytes read from a file or a commit: not UTF-8 is an error at the
    line of the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(file, line, "not UTF-8 text") from exc
    return parse_yaml(text, file)


def validate_at(doc: SourceDoc, path: Path_, model: type[BaseModel], value: Any) -> Any:
    """`model` validated from `value` found at `path` of `doc`; the first problem is raised
    as `file:line: dotted.key: message`."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = (*path, *first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"unknown key {first['loc'][-1]!r}"
        elif first["type"] == "missing":
            message = f"missing {first['loc'][-1]!r}"
        field = ".".join(str(p) for p in where if isinstance(p, str))
        raise doc.error(where, f"{field}: {message}" if field else message) from exc
