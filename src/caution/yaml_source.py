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

Path_ = tuple[str | int, ...]


CONFIG_NAME = ".caution.yml"  # the repository's configuration: policy, guard, reach, risk, deploy


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
    if len(path) > 50:
        raise SourceError(file, node.start_mark.line + 1, "nested too deeply")
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


def _refuse_aliases(root: yaml.Node, file: str) -> None:
    """Anchors and aliases could expand exponentially or refer to themselves; a policy
    file has no need of them."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            line = node.start_mark.line + 1
            raise SourceError(file, line, "anchors and aliases (&name, *name) are not allowed")
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


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
    if "*" in text or "&" in text:
        _refuse_aliases(node, file)
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
