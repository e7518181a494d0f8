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

Path_ = tuple[str | int, ...]


class SourceError(ValueError):
    """A problem at a place in a file: `file:line: problem`."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
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


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if not isinstance(key_node, yaml.ScalarNode)
                else _scalar(key_node)
            )
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
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    constructor = yaml.SafeLoader("")
    return constructor.construct_object(node, deep=True)


def parse_yaml(text: str, file: str) -> SourceDoc:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceError(file, line, f"YAML syntax error: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(file, None, f"YAML error: {exc}") from exc
    if node is None:
        return SourceDoc(file, None, {})
    lines: dict[Path_, int] = {}
    try:
        data = _build(node, (), lines, file)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise SourceError(file, mark.line + 1 if mark else None, str(exc.problem)) from exc
    return SourceDoc(file, data, lines)


def read_yaml(path: Path, display: str | None = None) -> SourceDoc:
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(name, None, f"cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(name, line, "not UTF-8 text") from exc
    return parse_yaml(text, name)
