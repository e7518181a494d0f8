"""Shell commands as the simple commands they would run, parsed with tree-sitter-bash.

Every simple command is found wherever bash would run it: lists, pipelines,
subshells, groups, conditionals and loops, command and process substitution,
arithmetic expansion, and the values of assignments. Words are rendered
statically: quotes and backslash escapes removed, `$HOME` and `~` kept as `~`,
`$TMPDIR` as `/tmp`; any other expansion makes the word *dynamic* — a guard
cannot know its value and must not pretend to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

MAX_DEPTH = 12
STATIC_VARIABLES = {"HOME": "~", "TMPDIR": "/tmp", "PWD": ".", "USER": "user"}


@dataclass
class Word:
    text: str
    dynamic: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass
class SimpleCommand:
    argv: list[Word]
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    redirects: list[tuple[str, Word]] = field(default_factory=list)
    stdin_text: str | None = None  # a heredoc or here-string fed to it
    stdin_from: SimpleCommand | None = None  # the command before it in a pipeline

    @property
    def name(self) -> str:
        return self.argv[0].text if self.argv else ""

    def text(self) -> str:
        return " ".join(w.text for w in self.argv)


@dataclass
class Parsed:
    commands: list[SimpleCommand]
    problems: list[str]
    too_deep: bool = False  # nesting beyond MAX_DEPTH: too complex to judge, not unparseable


@cache
def _parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


_NESTED = {"command_substitution", "process_substitution", "arithmetic_expansion"}


def _unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


_BRACES = re.compile(r"(?<!\\)\{[^{}\s]*(,|\.\.)[^{}\s]*\}")


def _literal_tilde(text: str) -> str:
    """A quoted `~` is a file called `~`, not the home directory."""
    return "./" + text if text.startswith("~") else text


def _ansi_c(text: str) -> str:
    body = text[2:-1] if text.startswith("$'") and text.endswith("'") else text
    simple = {
        "n": "\n",
        "t": "\t",
        "r": "\r",
        "\\": "\\",
        "'": "'",
        '"': '"',
        "a": "\a",
        "e": "\x1b",
        "0": "\0",
    }
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            octal = re.match(r"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(chr(int(octal.group(0), 8)))
                i += 1 + len(octal.group(0))
                continue
            if nxt in "uUx":
                width = {"u": 4, "U": 8, "x": 2}[nxt]
                code = re.match(r"[0-9a-fA-F]+", body[i + 2 : i + 2 + width])
                if code:
                    out.append(chr(min(int(code.group(0), 16), 0x10FFFF)))
                    i += 2 + len(code.group(0))
                    continue
            out.append(simple.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Walker:
    def __init__(self, source: bytes) -> None:
        self.source = source
        self.commands: list[SimpleCommand] = []
        self.problems: list[str] = []
        self.too_deep = False

    def text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # --- words ---------------------------------------------------------------------------

    def variable(self, node: Any, depth: int) -> Word:
        name = ""
        default: Word | None = None
        operators = False
        for child in node.children:
            if child.type == "variable_name":
                name = self.text(child)
            elif child.type in ("$", "${", "}"):
                continue
            elif child.type in ("word", "string", "raw_string", "concatenation"):
                default = self.word(child, depth)
                operators = True
            else:
                operators = True
                self.walk(child, depth)  # subscripts and operands may hold $(…)
        if not operators and name in STATIC_VARIABLES:
            return Word(STATIC_VARIABLES[name])
        if name == "TMPDIR" and default is not None and default.text.startswith("/tmp"):
            return Word("/tmp")  # ${TMPDIR:-/tmp}: a temporary folder whichever way it goes
        return Word(f"${name or '?'}", dynamic=True)

    def word(self, node: Any, depth: int) -> Word:
        kind = node.type
        if kind == "word" or kind == "number":
            text = _unescape(self.text(node))
            # {a,b} and {1..3} expand to several words: their value is not this text
            return Word(text, dynamic=bool(_BRACES.search(self.text(node))))
        if kind == "raw_string":
            return Word(_literal_tilde(self.text(node)[1:-1]))
        if kind == "ansi_c_string":
            return Word(_ansi_c(self.text(node)))
        if kind in ("simple_expansion", "expansion"):
            return self.variable(node, depth)
        if kind in _NESTED:
            self.nested(node, depth)
            return Word(self.text(node), dynamic=True)
        if kind in ("string", "concatenation", "translated_string"):
            parts: list[Word] = []
            for index, child in enumerate(node.children):
                if child.type == '"':
                    continue
                if child.type == "string_content":
                    text = _unescape(self.text(child))
                    if kind == "string" and index == 1:
                        text = _literal_tilde(text)
                    parts.append(Word(text))
                else:
                    parts.append(self.word(child, depth))
            braces = kind == "concatenation" and bool(_BRACES.search(self.text(node)))
            return Word("".join(p.text for p in parts), braces or any(p.dynamic for p in parts))
        if kind == "ERROR":
            self.problems.append(f"cannot parse {self.text(node)[:40]!r}")
            return Word(self.text(node), dynamic=True)
        # brace expressions, globs and the rest: keep their text, mark unknown content
        self.walk(node, depth)
        return Word(self.text(node), dynamic=kind not in ("regex", "extglob_pattern"))

    def nested(self, node: Any, depth: int) -> None:
        for child in node.children:
            self.walk(child, depth + 1)

    # --- commands ------------------------------------------------------------------------

    def command(self, node: Any, depth: int, redirects: list[Any]) -> SimpleCommand:
        cmd = SimpleCommand(argv=[])
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                cmd.assignments.append(self.assignment(child, depth))
            elif kind == "command_name":
                for part in child.children:
                    cmd.argv.append(self.word(part, depth))
            elif kind in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                redirects.append(child)
            elif kind in ("comment",):
                continue
            else:
                cmd.argv.append(self.word(child, depth))
        for redirect in redirects:
            self.redirect(cmd, redirect, depth)
        return cmd

    def assignment(self, node: Any, depth: int) -> tuple[str, Word]:
        name = ""
        value = Word("")
        for part in node.children:
            if part.type == "variable_name":
                name = self.text(part)
            elif part.type != "=":
                value = self.word(part, depth)
        return name, value

    def redirect(self, cmd: SimpleCommand, node: Any, depth: int) -> None:
        op = ""
        target: Word | None = None
        for child in node.children:
            if child.type in (">", ">>", "<", "&>", "&>>", ">|", "<<", "<<<", "<<-", ">&", "<&"):
                op = child.type
            elif child.type == "heredoc_body":
                cmd.stdin_text = self.text(child)
                self.walk(child, depth)  # an unquoted heredoc runs its $(…)
            elif child.type == "heredoc_start":
                delimiter = self.text(child)
                inner = delimiter.strip("'\"")
                if any(q in inner for q in "'\"\\"):
                    self.problems.append(f"a heredoc delimiter with quotes inside: {delimiter}")
            elif child.type in ("heredoc_end", "file_descriptor"):
                continue
            elif child.type in (
                "word",
                "string",
                "raw_string",
                "concatenation",
                "simple_expansion",
                "expansion",
                "number",
                "ansi_c_string",
                *_NESTED,
            ):
                target = self.word(child, depth)
        if node.type == "herestring_redirect" and target is not None:
            cmd.stdin_text = target.text
            return
        if target is not None and node.type == "file_redirect":
            cmd.redirects.append((op or ">", target))

    def walk(self, node: Any, depth: int, stdin_from: SimpleCommand | None = None) -> None:
        if depth > MAX_DEPTH:
            self.too_deep = True
            return
        kind = node.type
        if kind == "ERROR":
            self.problems.append(f"cannot parse {self.text(node)[:40]!r}")
        if kind == "command":
            cmd = self.command(node, depth, [])
            cmd.stdin_from = stdin_from
            self.commands.append(cmd)
            return
        if kind == "redirected_statement":
            body = node.children[0] if node.children else None
            if body is not None and body.type.endswith("redirect"):
                cmd = SimpleCommand(argv=[])
                for redirect in node.children:
                    if redirect.type.endswith("redirect"):
                        self.redirect(cmd, redirect, depth)
                cmd.stdin_from = stdin_from
                self.commands.append(cmd)
                return
            redirects = [c for c in node.children[1:] if c.type.endswith("redirect")]
            if body is not None and body.type == "command":
                cmd = self.command(body, depth, redirects)
                cmd.stdin_from = stdin_from
                self.commands.append(cmd)
                return
            before = len(self.commands)
            if body is not None:
                self.walk(body, depth, stdin_from)
            holder = SimpleCommand(argv=[])
            for redirect in redirects:
                self.redirect(holder, redirect, depth)
            for cmd in self.commands[before:]:
                cmd.redirects.extend(holder.redirects)
            return
        if kind == "pipeline":
            previous: SimpleCommand | None = None
            for child in node.children:
                if child.type in ("|", "|&"):
                    continue
                before = len(self.commands)
                self.walk(child, depth, previous)
                previous = self.commands[-1] if len(self.commands) > before else None
            return
        if kind == "variable_assignment":
            for child in node.children:
                if child.type not in ("variable_name", "="):
                    self.word(child, depth)
            return
        if kind == "declaration_command":  # export/declare/local NAME=value: what it sets counts
            cmd = SimpleCommand(argv=[])
            for child in node.children:
                if child.type == "variable_assignment":
                    name, value = self.assignment(child, depth)
                    cmd.argv.append(Word(f"{name}={value.text}", value.dynamic))
                elif child.type == "variable_name" or not child.is_named:
                    cmd.argv.append(Word(self.text(child)))
                elif child.type != "comment":
                    cmd.argv.append(self.word(child, depth))
            cmd.stdin_from = stdin_from
            self.commands.append(cmd)
            return
        if kind in _NESTED:
            self.nested(node, depth)
            return
        for child in node.children:
            self.walk(child, depth)


# Bytes >= 0x80 parse as `x`: bash treats them as word characters anyway, and
# tree-sitter-bash 0.23's scanner crashes on some code points after `{` (found by the
# hypothesis test below: `{\U000c7238`). Same length, so node offsets still index `source`.
_ASCII_ONLY = bytes(range(128)) + b"x" * 128


def parse(script: str) -> Parsed:
    """The simple commands `script` would run, and what could not be understood."""
    source = script.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source.translate(_ASCII_ONLY))
    walker = _Walker(source)
    walker.walk(tree.root_node, 0)
    if tree.root_node.has_error and not walker.problems:
        walker.problems.append("the command does not parse as bash")
    return Parsed(walker.commands, walker.problems, walker.too_deep)
