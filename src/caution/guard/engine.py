"""Deciding an agent's action: allow, ask or deny, with the rule and the reason.

A shell command is taken apart into the simple commands it would run
(`shell.py`); wrappers are peeled off (sudo, env, timeout, xargs, find -exec, …);
shells, `eval` and interpreter one-liners are looked into; each simple command is
matched against the rule packs. The most severe verdict wins. What cannot be
resolved statically (a command name from a variable, a script fed from a
decoder) is never allowed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from caution.guard.paths import Places, classify
from caution.guard.rules import Rule, RuleSet
from caution.guard.settings import GuardSettings
from caution.guard.shell import SimpleCommand, Word, parse

SEVERITY = {"allow": 0, "ask": 1, "deny": 2}
SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox-sh"}
INTERPRETERS = {
    "python",
    "python2",
    "python3",
    "node",
    "nodejs",
    "perl",
    "ruby",
    "php",
    "deno",
    "bun",
    "pwsh",
    "osascript",
}
CODE_FLAGS = {"-c", "-e", "-r", "-E", "--eval", "--command", "-Command", "exec"}
DECODERS = {"base64", "base32", "xxd", "openssl", "gunzip", "zcat", "uudecode", "rev", "tr"}
FETCHERS = {"curl", "wget", "fetch", "http", "aria2c"}
TIME_LIMIT = 1.0  # seconds: anything slower is too complex to judge
_EMBEDDED = re.compile(
    r"""(?:system|exec|execSync|spawnSync|popen|check_output|check_call|run|call|shell_exec|passthru)"""
    r"""\s*\(\s*(?:\[\s*)?(['"])(?P<cmd>.+?)\1""",
    re.DOTALL,
)
_BACKTICKS = re.compile(r"`(?P<cmd>[^`]+)`")


@dataclass(frozen=True)
class Verdict:
    decision: str  # allow | ask | deny
    rule: str | None
    reason: str


ALLOW = Verdict("allow", None, "no rule matched")


class TooComplexError(Exception):
    pass


def worst(verdicts: list[Verdict]) -> Verdict:
    best = ALLOW
    for verdict in verdicts:
        if SEVERITY[verdict.decision] > SEVERITY[best.decision]:
            best = verdict
    return best


def _flags(args: list[Word]) -> set[str]:
    found: set[str] = set()
    for word in args:
        token = word.text
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            continue
        name = token.split("=", 1)[0]
        found.add(name)
        if not token.startswith("--") and 2 < len(token) <= 8 and token[1:].isalpha():
            found.update(f"-{ch}" for ch in token[1:])
    return found


def _positional(args: list[Word]) -> list[Word]:
    out = []
    after_dashes = False
    for word in args:
        if word.text == "--" and not after_dashes:
            after_dashes = True
            continue
        if after_dashes or not word.text.startswith("-") or word.text == "-":
            out.append(word)
    return out


def _has_run(words: list[str], run: tuple[tuple[str, ...], ...]) -> bool:
    head = [w.lower() for w in words[:8]]
    for start in range(len(head)):
        if all(
            start + i < len(head) and head[start + i] in alternatives
            for i, alternatives in enumerate(run)
        ):
            return True
    return False


def _class(word: Word, places: Places) -> str:
    if word.dynamic:
        return "unknown"
    return classify(word.text, places)


_CONTEXT_FLAGS = {
    "namespace": ("-n", "--namespace"),
    "kube context": ("--context", "--kube-context"),
    "cloud profile": ("--profile", "--project", "--subscription"),
}
_PROFILE_VARIABLES = ("AWS_PROFILE", "CLOUDSDK_CORE_PROJECT", "AZURE_SUBSCRIPTION_ID")


def _option_values(args: list[Word], names: tuple[str, ...]) -> list[str]:
    values = []
    for index, word in enumerate(args):
        for name in names:
            if word.text == name and index + 1 < len(args):
                values.append(args[index + 1].text)
            elif word.text.startswith(name + "=") and name.startswith("--"):
                values.append(word.text.split("=", 1)[1])
    return values


def protected_context(cmd: SimpleCommand, argv: list[Word], settings: GuardSettings) -> str | None:
    """What protected thing the command aims at (namespace, kube context, cloud profile,
    branch), if any: an `ask` there becomes a `deny`."""
    args = argv[1:]
    patterns = {
        "namespace": settings.namespaces,
        "kube context": settings.kube_contexts,
        "cloud profile": settings.cloud_profiles,
    }
    for label, flags in _CONTEXT_FLAGS.items():
        for value in _option_values(args, flags):
            if any(fnmatch.fnmatchcase(value, p) for p in patterns[label]):
                return f"{label} {value} is protected"
    for name, assigned in cmd.assignments:
        if name in _PROFILE_VARIABLES and any(
            fnmatch.fnmatchcase(assigned.text, p) for p in settings.cloud_profiles
        ):
            return f"cloud profile {assigned.text} is protected"
    if argv and posixpath.basename(argv[0].text) == "git":
        for word in _positional(args):
            branch = word.text.lstrip("+:").split(":")[-1].removeprefix("refs/heads/")
            if any(fnmatch.fnmatchcase(branch, p) for p in settings.protected_branches):
                return f"branch {branch} is protected"
    return None


class Judge:
    def __init__(
        self,
        rules: RuleSet,
        places: Places,
        deadline: float,
        settings: GuardSettings | None = None,
    ) -> None:
        self.rules = rules
        self.places = places
        self.deadline = deadline
        self.settings = settings or GuardSettings()
        self.write_check: Callable[[str], Verdict] | None = None
        self.matched: list[str] = []  # every rule that matched, for explanations and tests

    def builtin(self, name: str, detail: str) -> Verdict:
        rule = self.rules.builtin(name)
        self.matched.append(rule.id)
        decision = rule.decision
        if name == "too-complex" and self.settings.mode == "fail-closed":
            decision = "deny"  # what cannot be judged in time is refused, unless fail-open
        return Verdict(decision, rule.id, f"{rule.description}: {detail}")

    # --- shell text ----------------------------------------------------------------------

    def shell(self, script: str, depth: int) -> Verdict:
        if time.monotonic() > self.deadline:
            raise TooComplexError
        if depth > 6:
            return self.builtin("too-complex", "shells nested too deeply")
        parsed = parse(script)
        verdicts = [self.builtin("unparseable", p) for p in parsed.problems[:1]]
        for cmd in parsed.commands:
            verdicts.append(self.command(cmd, depth))
        return worst(verdicts)

    # --- one simple command --------------------------------------------------------------

    def command(self, cmd: SimpleCommand, depth: int) -> Verdict:
        verdicts = []
        for argv in self.unwrap(cmd.argv):
            verdicts.append(self.effective(cmd, argv, depth))
        if not cmd.argv:
            return ALLOW
        verdicts.extend(self.redirects(cmd))
        return worst(verdicts)

    def redirects(self, cmd: SimpleCommand) -> Iterator[Verdict]:
        targets = [t for op, t in cmd.redirects if not op.startswith("<")]
        if posixpath.basename(cmd.name) == "tee":
            targets += [w for w in cmd.argv[1:] if not w.text.startswith("-")]
        for target in targets:
            if target.text in ("/dev/null", "/dev/stdout", "/dev/stderr") or target.dynamic:
                continue
            if self.write_check is not None:
                verdict = self.write_check(target.text)
                if verdict.decision != "allow":
                    if verdict.rule:
                        self.matched.append(verdict.rule)
                    yield verdict
                    continue
        for op, target in cmd.redirects:
            if op.startswith("<") or target.text in ("/dev/null", "/dev/stdout", "/dev/stderr"):
                continue
            kind = _class(target, self.places)
            for rule in self.rules.for_program(">"):
                if kind in rule.redirect_classes:
                    self.matched.append(rule.id)
                    yield Verdict(rule.decision, rule.id, f"{rule.description}: {op} {target}")

    def unwrap(self, argv: list[Word]) -> Iterator[list[Word]]:
        """The commands `argv` runs: itself, or what its wrappers run."""
        yield from _unwrap(argv, 0)

    def effective(self, cmd: SimpleCommand, argv: list[Word], depth: int) -> Verdict:
        if not argv:
            return ALLOW
        head = argv[0]
        if head.dynamic:
            return self.builtin("dynamic-command", f"{head.text} is not known before it runs")
        name = posixpath.basename(head.text)
        args = argv[1:]
        if name in SHELLS:
            return self.shell_command(cmd, name, args, depth)
        if name == "eval":
            if any(a.dynamic for a in args):
                return self.builtin("dynamic-command", "eval of text not known before it runs")
            return self.shell(" ".join(a.text for a in args), depth + 1)
        verdicts = [self.rules_for(cmd, name, argv)]
        if name in INTERPRETERS or re.fullmatch(r"python\d(\.\d+)?", name):
            verdicts.append(self.interpreter(args, depth))
        if name == "find":
            verdicts.append(self.find_exec(args, depth))
        return worst(verdicts)

    def shell_command(self, cmd: SimpleCommand, name: str, args: list[Word], depth: int) -> Verdict:
        for index, word in enumerate(args):
            if word.text == "-c" or (
                word.text.startswith("-")
                and "c" in word.text[1:]
                and not word.text.startswith("--")
            ):
                script = next((a for a in args[index + 1 :] if not a.text.startswith("-")), None)
                if script is None:
                    return ALLOW
                if script.dynamic:
                    return self.builtin(
                        "dynamic-command", f"{name} -c with text not known before it runs"
                    )
                return self.shell(script.text, depth + 1)
        if cmd.stdin_text is not None:
            return self.shell(cmd.stdin_text, depth + 1)
        source = cmd.stdin_from
        if source is not None:
            return self.piped_into_shell(source, name, depth)
        return ALLOW

    def piped_into_shell(self, source: SimpleCommand, shell: str, depth: int) -> Verdict:
        producer = posixpath.basename(source.name)
        if producer in ("echo", "printf") and not any(w.dynamic for w in source.argv[1:]):
            words = [
                w.text
                for w in source.argv[1:]
                if not (producer == "echo" and w.text in ("-e", "-n"))
            ]
            return self.shell(" ".join(words), depth + 1)
        if producer in DECODERS:
            return self.builtin("decoded-into-shell", f"{source.text()} | {shell}")
        if producer in FETCHERS:
            return self.builtin("remote-script", f"{source.text()} | {shell}")
        if producer == "cat" and source.stdin_text is not None:
            return self.shell(source.stdin_text, depth + 1)
        return self.builtin("script-from-stdin", f"{source.text()} | {shell}")

    def interpreter(self, args: list[Word], depth: int) -> Verdict:
        code = None
        for index, word in enumerate(args):
            if word.text in CODE_FLAGS and index + 1 < len(args):
                code = args[index + 1]
                break
        if code is None:
            return ALLOW
        verdicts = []
        for pattern in (_EMBEDDED, _BACKTICKS):
            for found in pattern.finditer(code.text):
                verdicts.append(self.shell(found.group("cmd"), depth + 1))
        return worst(verdicts)

    def find_exec(self, args: list[Word], depth: int) -> Verdict:
        roots = []
        for word in args:
            if word.text.startswith("-") or word.text in ("(", "!"):
                break
            roots.append(word)
        verdicts = []
        index = 0
        while index < len(args):
            if args[index].text in ("-exec", "-execdir", "-ok", "-okdir"):
                end = index + 1
                while end < len(args) and args[end].text not in (";", "+", "\\;"):
                    end += 1
                nested = args[index + 1 : end]
                expanded: list[Word] = []
                for word in nested:
                    if word.text == "{}":
                        expanded.extend(roots or [Word(".")])
                    else:
                        expanded.append(word)
                verdicts.append(self.effective(SimpleCommand(argv=expanded), expanded, depth + 1))
                index = end
            index += 1
        return worst(verdicts)

    def allowed_by_config(self, rule_id: str, text: str) -> bool:
        return any(
            allow.rule == rule_id and re.search(allow.pattern, text)
            for allow in self.settings.allow
        )

    def rules_for(self, cmd: SimpleCommand, name: str, argv: list[Word]) -> Verdict:
        verdicts = []
        text = " ".join(w.text for w in argv)
        protected: str | None = None
        for rule in self.rules.for_program(name):
            reason = self.matches(rule, cmd, name, argv)
            if reason is None:
                continue
            self.matched.append(rule.id)
            if self.allowed_by_config(rule.id, text):
                continue
            decision = rule.decision
            if decision == "ask":
                protected = protected or protected_context(cmd, argv, self.settings)
                if protected:
                    decision, reason = "deny", f"{reason}; {protected}"
            verdicts.append(Verdict(decision, rule.id, f"{rule.description}: {reason}"))
            if decision == "deny":
                break
        return worst(verdicts)

    def matches(self, rule: Rule, cmd: SimpleCommand, name: str, argv: list[Word]) -> str | None:
        args = argv[1:]
        if rule.program and name not in rule.program:
            return None
        flags = _flags(args) if (rule.flags_any or rule.flags_all or rule.flags_none) else set()
        if rule.flags_any and not any(f in flags for f in rule.flags_any):
            return None
        if rule.flags_all and not all(f in flags for f in rule.flags_all):
            return None
        if rule.flags_none and any(f in flags for f in rule.flags_none):
            return None
        positional = _positional(args)
        words = [w.text for w in positional]
        if rule.subcommand and not _has_run(words, rule.subcommand):
            return None
        if rule.subcommand_any and not any(_has_run(words, run) for run in rule.subcommand_any):
            return None
        text = " ".join([name, *(w.text for w in args)])
        if rule.args_regex is not None and not any(rule.args_regex.search(w.text) for w in args):
            return None
        if rule.text_regex is not None and not rule.text_regex.search(text):
            return None
        if rule.stdin_regex is not None:
            fed = cmd.stdin_text
            if fed is None and cmd.stdin_from is not None:
                fed = cmd.stdin_from.text()
            if fed is None or not rule.stdin_regex.search(fed):
                return None
        if rule.path_classes:
            hits = [w for w in positional if _class(w, self.places) in rule.path_classes]
            if not hits:
                return None
            return f"{text[:160]} ({hits[0].text} is {_class(hits[0], self.places)})"
        return text[:160]


# --- wrappers ------------------------------------------------------------------------------

# wrapper → options that take a value
_WRAPPERS: dict[str, set[str]] = {
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group"},
    "doas": {"-u", "-C"},
    "env": {"-u", "-C", "-S", "--unset", "--chdir", "--split-string"},
    "command": set(),
    "builtin": set(),
    "exec": {"-a"},
    "time": {"-f", "-o", "--format", "--output"},
    "nice": {"-n", "--adjustment"},
    "nohup": set(),
    "timeout": {"-s", "-k", "--signal", "--kill-after"},
    "stdbuf": {"-i", "-o", "-e", "--input", "--output", "--error"},
    "busybox": set(),
    "ionice": {"-c", "-n", "-p", "-t"},
    "chrt": set(),
    "taskset": set(),
    "setsid": set(),
    "unbuffer": set(),
    "caffeinate": set(),
    "watch": {"-n", "-d", "--interval"},
    "strace": {"-e", "-o", "-p"},
    "xargs": {
        "-I",
        "-i",
        "-n",
        "-P",
        "-d",
        "-L",
        "-l",
        "-s",
        "-a",
        "-E",
        "--max-args",
        "--max-procs",
        "--delimiter",
        "--arg-file",
        "--replace",
    },
    "parallel": {"-j", "-S", "--jobs"},
    "flock": {"-w", "-E", "--timeout"},
}


def _unwrap(argv: list[Word], depth: int) -> Iterator[list[Word]]:
    if not argv or depth > 10:
        yield argv
        return
    head = argv[0]
    name = posixpath.basename(head.text) if not head.dynamic else ""
    if name not in _WRAPPERS:
        yield argv
        return
    if name == "command" and any(w.text in ("-v", "-V") for w in argv[1:2]):
        return  # `command -v git` asks where git is; it runs nothing
    takes_value = _WRAPPERS[name]
    rest = argv[1:]
    index = 0
    while index < len(rest):
        token = rest[index].text
        if token == "--":
            index += 1
            break
        if name == "env" and "=" in token and not token.startswith("-"):
            index += 1
            continue
        if name == "env" and token in ("-S", "--split-string") and index + 1 < len(rest):
            yield from (c.argv for c in parse(rest[index + 1].text).commands)
            return
        if token.startswith("-") and token != "-":
            index += 2 if token in takes_value else 1
            continue
        break
    if name == "timeout" and index < len(rest):
        index += 1  # the duration
    if name in ("nice",) and index < len(rest) and re.fullmatch(r"-?\d+", rest[index].text):
        index += 1
    if name in ("flock",) and index < len(rest):
        index += 1  # the lock file
    inner = rest[index:]
    if name == "parallel" and ":::" in [w.text for w in inner]:
        cut = [w.text for w in inner].index(":::")
        inner = [*inner[:cut], *(w for w in inner[cut + 1 :] if w.text not in (":::", "::::"))]
    if name == "xargs" and inner:
        inner = [*inner, Word("$INPUT", dynamic=True)]
    if not inner:
        yield argv
        return
    yield from _unwrap(inner, depth + 1)


# --- entry points --------------------------------------------------------------------------


def check_shell(
    command: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    write_check: Callable[[str], Verdict] | None = None,
) -> Verdict:
    return judge_shell(command, places, rules, settings, write_check)[0]


def judge_shell(
    command: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    write_check: Callable[[str], Verdict] | None = None,
) -> tuple[Verdict, list[str]]:
    """The verdict and every rule that matched on the way. `write_check` judges files the
    command writes by redirection or tee, as a file action would be judged."""
    judge = Judge(rules, places, time.monotonic() + TIME_LIMIT, settings)
    judge.write_check = write_check
    try:
        return judge.shell(command, 0), judge.matched
    except (TooComplexError, RecursionError):
        return judge.builtin("too-complex", "took too long to understand"), judge.matched
