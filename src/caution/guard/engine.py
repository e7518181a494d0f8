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
from dataclasses import dataclass, replace

from caution.guard.paths import Places, classify
from caution.guard.rules import Rule, RuleSet
from caution.guard.settings import GuardSettings
from caution.guard.shell import SimpleCommand, Word, parse

SEVERITY = {"allow": 0, "ask": 1, "deny": 2}
SHELLS = {
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "mksh",
    "fish",
    "busybox-sh",
    "rbash",
    "tcsh",
    "csh",
    "yash",
    "nu",
    "xonsh",
    "elvish",
    "pwsh",
    "powershell",
    "oksh",
    "loksh",
}
# environment variables that make a program run other code
RISKY_VARIABLES = {
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_EXTERNAL_DIFF",
    "PAGER",
    "EDITOR",
    "VISUAL",
    "PYTHONSTARTUP",
    "PERL5OPT",
    "NODE_OPTIONS",
    "RUBYOPT",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_destroy",
}
# commands that write or remove the files they name: their targets are judged as file writes
WRITERS = {
    "cp",
    "mv",
    "ln",
    "install",
    "rm",
    "truncate",
    "shred",
    "touch",
    "rsync",
    "tee",
    "sponge",
    "unlink",
    "rmdir",
}
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
CODE_FLAGS = {
    "-c",
    "-e",
    "-r",
    "-E",
    "-p",
    "--eval",
    "--print",
    "--command",
    "-Command",
    "exec",
    "eval",
}
DECODERS = {"base64", "base32", "xxd", "openssl", "gunzip", "zcat", "uudecode", "rev", "tr"}
FETCHERS = {"curl", "wget", "fetch", "http", "aria2c"}
TIME_LIMIT = 1.0  # seconds: anything slower is too complex to judge
_EMBEDDED = re.compile(
    r"""(?:system|exec|execSync|spawnSync|popen|check_output|check_call|run|call|shell_exec|passthru)"""
    r"""\s*\(\s*(?:\[\s*)?(['"])(?P<cmd>.+?)\1""",
    re.DOTALL,
)
_BACKTICKS = re.compile(r"`(?P<cmd>[^`]+)`")
_SPAWNS = re.compile(
    r"\b(system|exec\w*|spawn\w*|popen\w*|subprocess|child_process|Popen|os\.exec\w*|"
    r"pcntl_exec|shell_exec|passthru|Runtime\.getRuntime|ProcessBuilder)\b|`|\bqx\s*[{(\[/]|%x[{(\[]"
)


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


def _code_argument(name: str, args: list[Word]) -> Word | None:
    """The code of `python -c`, `node -e/-p/--eval=`, `perl -le`, `ruby -e`, `awk 'prog'`."""
    if name in ("awk", "gawk", "mawk", "nawk"):
        skip = False
        for word in args:
            if skip:
                skip = False
                continue
            if word.text in ("-f", "--file"):
                return None
            if word.text in ("-F", "-v", "--assign", "--field-separator"):
                skip = True
                continue
            if not word.text.startswith("-"):
                return word
        return None
    if name.startswith("python"):
        letters = "c"
    elif name in ("node", "nodejs", "bun", "deno"):
        letters = "ep"
    else:
        letters = "eErc"
    for index, word in enumerate(args):
        text = word.text
        if text.startswith("--") and "=" in text and text.split("=", 1)[0] in CODE_FLAGS:
            return Word(text.split("=", 1)[1], word.dynamic)
        short = text.startswith("-") and not text.startswith("--") and text[1:].isalpha()
        if text in CODE_FLAGS or (short and text[-1:] in letters):
            return args[index + 1] if index + 1 < len(args) else None
        if not text.startswith("-") and name != "deno":
            return None  # a script file: its content is not in the command
    return None


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
        if not token.startswith("--") and len(token) > 2 and token[1:].isalnum():
            found.update(f"-{ch}" for ch in token[1:])
    return found


def _has_flag(flags: set[str], wanted: str) -> bool:
    """`--force` also matches a prefix such as `--forc` (git and GNU tools accept
    abbreviated long options)."""
    if wanted in flags:
        return True
    if wanted.startswith("--"):
        return any(f.startswith("--") and len(f) >= 5 and wanted.startswith(f) for f in flags)
    return False


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


def _wrapper_chdir(argv: list[Word]) -> Word | None:
    """The folder `env -C DIR`, `env --chdir=DIR` or `sudo -D DIR` runs its command in."""
    if not argv or posixpath.basename(argv[0].text) not in ("env", "sudo"):
        return None
    flags = ("-C", "--chdir") if posixpath.basename(argv[0].text) == "env" else ("-D", "--chdir")
    for index, word in enumerate(argv[1:], start=1):
        if word.text in flags and index + 1 < len(argv):
            return argv[index + 1]
        if word.text.startswith("--chdir="):
            return Word(word.text.split("=", 1)[1], word.dynamic)
        if word.text.startswith(flags[0]) and len(word.text) > 2 and not word.text.startswith("--"):
            return Word(word.text[2:], word.dynamic)
    return None


def _find_roots(args: list[Word]) -> list[Word]:
    roots = []
    for word in args:
        if word.text.startswith("-") or word.text in ("(", "!", "\\("):
            break
        roots.append(word)
    return roots


def _has_run(words: list[str], run: tuple[tuple[str, ...], ...]) -> bool:
    head = [w.lower() for w in words[:32]]
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


def _asks_for_help(name: str, args: list[Word]) -> bool:
    """`--help` right after the program and its subcommand words, before any option or
    `--`: there it asks for help. Anywhere later it may be an argument of code that runs
    (`bash -c '…' --help`, `find ~ -delete -name --help`), so it proves nothing."""
    if name in ("find", "ssh", "xargs", "parallel"):
        return False
    for arg in args:
        if arg.text in ("--help", "-help"):
            return True
        if arg.dynamic or arg.text.startswith("-"):
            return False
    return False


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
        self.write_check: Callable[[str, Places], Verdict] | None = None
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
        if parsed.too_deep:
            return self.builtin("too-complex", "substitutions nested too deeply")
        verdicts = [self.builtin("unparseable", p) for p in parsed.problems[:1]]
        saved = self.places
        try:
            for cmd in parsed.commands:
                verdicts.append(self.command(cmd, depth))
                self.follow_cd(cmd)
        finally:
            self.places = saved
        return worst(verdicts)

    def follow_cd(self, cmd: SimpleCommand) -> None:
        """`cd ~ && rm -rf .ssh`: later relative paths are relative to where cd went."""
        if posixpath.basename(cmd.name) not in ("cd", "pushd", "chdir") or not cmd.argv:
            return
        target = next((w for w in cmd.argv[1:] if not w.text.startswith("-")), Word("~"))
        if target.dynamic or target.text == "-":
            self.places = replace(self.places, cwd="/nonexistent/unknown-cwd")
            return
        self.places = replace(self.places, cwd=self.places.resolve(target.text))

    # --- one simple command --------------------------------------------------------------

    def command(self, cmd: SimpleCommand, depth: int) -> Verdict:
        verdicts = list(self.redirects(cmd))
        assigned = [name for name, _value in cmd.assignments]
        if cmd.argv and cmd.argv[0].text in ("export", "declare", "typeset", "local", "readonly"):
            assigned += [w.text.split("=", 1)[0] for w in cmd.argv[1:] if "=" in w.text]
        for name in assigned:
            if name in RISKY_VARIABLES or name.startswith("TF_CLI_ARGS"):
                verdicts.append(self.builtin("dynamic-command", f"{name}= makes it run other code"))
        saved = self.places
        chdir = _wrapper_chdir(cmd.argv)
        if chdir is not None:
            cwd = "/nonexistent/unknown-cwd" if chdir.dynamic else self.places.resolve(chdir.text)
            self.places = replace(self.places, cwd=cwd)
        try:
            for argv in self.unwrap(cmd.argv):
                verdicts.append(self.effective(cmd, argv, depth))
        finally:
            self.places = saved
        return worst(verdicts)

    def redirects(self, cmd: SimpleCommand) -> Iterator[Verdict]:
        targets = [t for op, t in cmd.redirects if not op.startswith("<")]
        if posixpath.basename(cmd.name) == "tee":
            targets += [w for w in cmd.argv[1:] if not w.text.startswith("-")]
        for target in targets:
            if target.text in ("/dev/null", "/dev/stdout", "/dev/stderr") or target.dynamic:
                continue
            if self.write_check is not None:
                verdict = self.write_check(target.text, self.places)
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
        if head.dynamic or any(ch in head.text for ch in "*?["):
            return self.builtin("dynamic-command", f"{head.text} is not known before it runs")
        name = posixpath.basename(head.text)
        args = argv[1:]
        if name in SHELLS:
            return self.shell_command(cmd, name, args, depth)
        if name in _SCRIPT_RUNNERS:
            script = script_of(name, argv)
            if script is not None:
                if any(w.dynamic for w in script):
                    return self.builtin("dynamic-command", f"{name} runs text not known before")
                return self.shell(" ".join(w.text for w in script), depth + 1)
            if name in ("at", "batch") and cmd.stdin_text is not None:
                return self.shell(cmd.stdin_text, depth + 1)
        if name in ("eval", "alias", "trap"):
            words = [a for a in args if not a.text.startswith("-")]
            if name == "alias":
                words = [Word(w.text.split("=", 1)[1], w.dynamic) for w in words if "=" in w.text]
            if name == "trap":
                words = words[:1]
            if any(a.dynamic for a in words):
                return self.builtin("dynamic-command", f"{name} of text not known before it runs")
            return worst(
                [self.shell(w.text, depth + 1) for w in words]
                if name != "eval"
                else [self.shell(" ".join(a.text for a in words), depth + 1)]
            )
        if name in ("source", "."):
            sourced = next((a for a in args if not a.text.startswith("-")), None)
            if sourced is not None and sourced.text in ("/dev/stdin", "-") and cmd.stdin_text:
                return self.shell(cmd.stdin_text, depth + 1)
            if sourced is None or sourced.dynamic or sourced.text.startswith(("/dev/", "<(")):
                return self.builtin("script-from-stdin", f"{name} of a script made on the fly")
        runs_code = (
            name in INTERPRETERS
            or name in ("awk", "gawk", "mawk", "nawk")
            or re.fullmatch(r"python\d(\.\d+)?", name) is not None
        )
        if not runs_code and _asks_for_help(name, args):
            return ALLOW  # `kubectl delete namespace --help` prints help and runs nothing
        verdicts = [self.rules_for(cmd, name, argv), *self.write_targets(name, args)]
        if runs_code:
            verdicts.append(self.interpreter(cmd, name, args, depth))
        if name == "find":
            verdicts.append(self.find_exec(args, depth))
        return worst(verdicts)

    def write_targets(self, name: str, args: list[Word]) -> Iterator[Verdict]:
        """Files a command writes or removes, judged as the file actions they are."""
        if self.write_check is None:
            return
        targets: list[Word] = []
        positional = _positional(args)
        if name in WRITERS:
            targets = (
                positional
                if name
                in ("rm", "mv", "shred", "truncate", "unlink", "rmdir", "tee", "sponge", "touch")
                else positional[-1:]
            )
        elif name == "dd":
            targets = [Word(a.text[3:], a.dynamic) for a in args if a.text.startswith("of=")]
        elif name in ("sed", "perl", "ruby") and any(
            a.text.startswith("-i")
            or a.text.startswith("--in-place")
            or (a.text.startswith("-") and not a.text.startswith("--") and "i" in a.text[1:])
            for a in args
        ):
            targets = positional[1:] if name == "sed" else positional
        elif name == "git" and "--" in [a.text for a in args]:
            after = [a.text for a in args].index("--")
            words = [w.text for w in positional]
            if words[:1] and words[0] in ("checkout", "restore"):
                targets = args[after + 1 :]
        for target in targets:
            if target.dynamic or target.text.startswith("-"):
                continue
            verdict = self.write_check(target.text, self.places)
            if verdict.decision != "allow":
                if verdict.rule:
                    self.matched.append(verdict.rule)
                yield verdict

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
        script = next((a for a in args if not a.text.startswith("-")), None)
        if script is None or script.dynamic or script.text.startswith(("/dev/", "<(")):
            return self.builtin("script-from-stdin", f"{name} reads its commands from elsewhere")
        return ALLOW

    def piped_into_shell(self, source: SimpleCommand, shell: str, depth: int) -> Verdict:
        producer = posixpath.basename(source.name)
        words = [w.text for w in source.argv[1:]]
        literal = not any(w.dynamic for w in source.argv[1:]) and (
            (producer == "echo" and "-e" not in words)
            or (producer == "printf" and not any("%" in w or "\\" in w for w in words))
        )
        if literal:
            return self.shell(" ".join(w for w in words if w != "-n"), depth + 1)
        if producer in ("echo", "printf"):
            return self.builtin("script-from-stdin", f"{source.text()} | {shell}")
        if producer in DECODERS:
            return self.builtin("decoded-into-shell", f"{source.text()} | {shell}")
        if producer in FETCHERS:
            return self.builtin("remote-script", f"{source.text()} | {shell}")
        if producer == "cat" and source.stdin_text is not None:
            return self.shell(source.stdin_text, depth + 1)
        return self.builtin("script-from-stdin", f"{source.text()} | {shell}")

    def interpreter(self, cmd: SimpleCommand, name: str, args: list[Word], depth: int) -> Verdict:
        code = _code_argument(name, args)
        if code is None:
            if cmd.stdin_text is not None:
                code = Word(cmd.stdin_text)
            elif cmd.stdin_from is not None and not _positional(args):
                producer = posixpath.basename(cmd.stdin_from.name)
                if producer in DECODERS:
                    return self.builtin("decoded-into-shell", f"{cmd.stdin_from.text()} | {name}")
                if producer in ("echo", "printf", "cat") and cmd.stdin_from.stdin_text is None:
                    code = Word(
                        " ".join(w.text for w in cmd.stdin_from.argv[1:]),
                        any(w.dynamic for w in cmd.stdin_from.argv[1:]),
                    )
                else:
                    return self.builtin("script-from-stdin", f"{cmd.stdin_from.text()} | {name}")
            elif any(a.text.startswith("<(") for a in args) or (
                not _positional(args) and name not in ("awk", "gawk", "mawk", "nawk")
            ):
                return self.builtin("script-from-stdin", f"{name} runs code from elsewhere")
            else:
                return ALLOW
        verdicts = []
        extracted = False
        for pattern in (_EMBEDDED, _BACKTICKS):
            for found in pattern.finditer(code.text):
                extracted = True
                verdicts.append(self.shell(found.group("cmd"), depth + 1))
        program = name if name in INTERPRETERS else "python"
        argv_text = " ".join([name, *(a.text for a in args)])
        for rule in self.rules.for_program(program):
            if rule.args_regex is None or not rule.args_regex.search(code.text):
                continue
            if rule.args_regex.search(argv_text):
                continue  # the code was on the command line: rules_for judged it already
            self.matched.append(rule.id)
            verdict = self.settle(rule, name, cmd, [Word(name), *args], code.text.strip())
            if verdict is not None:
                verdicts.append(verdict)
        if _SPAWNS.search(code.text) and not extracted:
            verdicts.append(self.builtin("dynamic-command", f"{name} starts a process it builds"))
        if code.dynamic:
            verdicts.append(
                self.builtin("dynamic-command", f"{name} code not known before it runs")
            )
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
            allow.rule == rule_id and re.fullmatch(allow.pattern, text)
            for allow in self.settings.allow
        )

    def rules_for(self, cmd: SimpleCommand, name: str, argv: list[Word]) -> Verdict:
        verdicts = []
        text = " ".join(w.text for w in argv)
        for rule in self.rules.for_program(name):
            reason = self.matches(rule, cmd, name, argv)
            if reason is None:
                continue
            self.matched.append(rule.id)
            verdict = self.settle(rule, reason, cmd, argv, text)
            if verdict is None:
                continue
            verdicts.append(verdict)  # every match is recorded, so no rule hides another
        return worst(verdicts)

    def settle(
        self, rule: Rule, reason: str, cmd: SimpleCommand, argv: list[Word], text: str
    ) -> Verdict | None:
        """A matched rule's verdict after the team's settings: None when `.caution.yml`
        allows it, deny instead of ask in a protected context. One place, so code found
        in a heredoc or a pipe is judged exactly as code on the command line."""
        if self.allowed_by_config(rule.id, text):
            return None
        decision = rule.decision
        if decision == "ask":
            protected = protected_context(cmd, argv, self.settings)
            if protected:
                decision, reason = "deny", f"{reason}; {protected}"
        return Verdict(decision, rule.id, f"{rule.description}: {reason}")

    def matches(self, rule: Rule, cmd: SimpleCommand, name: str, argv: list[Word]) -> str | None:
        args = argv[1:]
        if rule.program and name not in rule.program:
            return None
        flags = _flags(args) if (rule.flags_any or rule.flags_all or rule.flags_none) else set()
        if rule.flags_any and not any(_has_flag(flags, f) for f in rule.flags_any):
            return None
        if rule.flags_all and not all(_has_flag(flags, f) for f in rule.flags_all):
            return None
        if rule.flags_none and any(f in flags for f in rule.flags_none):
            return None
        positional = _positional(args)
        if name == "find":  # its paths are the start folders before the first expression
            positional = _find_roots(args) or [Word(".")]
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

# wrapper → (options that take a value, positional arguments before the command)
_WRAPPERS: dict[str, tuple[str, int]] = {
    "sudo": (
        "-u -g -C -D -h -p -r -t -U -T --user --group --chdir --prompt --host --role --type",
        0,
    ),
    "doas": ("-u -C", 0),
    "env": ("-u -C -S --unset --chdir --split-string", 0),
    "command": ("", 0),
    "builtin": ("", 0),
    "exec": ("-a", 0),
    "time": ("-f -o --format --output", 0),
    "nice": ("-n --adjustment", 0),
    "nohup": ("", 0),
    "timeout": ("-s -k --signal --kill-after", 1),
    "stdbuf": ("-i -o -e --input --output --error", 0),
    "busybox": ("", 0),
    "toybox": ("", 0),
    "ionice": ("-c -n -p -t --class --classdata", 0),
    "chrt": ("-T -P -D", 1),
    "taskset": ("", 1),
    "setsid": ("", 0),
    "unbuffer": ("", 0),
    "caffeinate": ("-t -w", 0),
    "strace": ("-e -o -p -s -u -E -P -a -b -O -S -X", 0),
    "ltrace": ("-e -o -p -s -u -n", 0),
    "xargs": (
        "-I -i -n -P -d -L -l -s -a -E -e --max-args --max-procs --delimiter --arg-file "
        "--replace --eof --max-lines --max-chars",
        0,
    ),
    "parallel": ("-j -S --jobs --sshlogin", 0),
    "flock": ("-w -E --timeout --conflict-exit-code", 1),
    "runuser": ("-u -g -G -s --user --group --shell", 0),
    "chroot": ("--userspec --groups", 1),
    "nsenter": ("-t -S -G --target --setuid --setgid", 0),
    "unshare": ("--propagation --setgroups --map-user --map-group", 0),
    "systemd-run": ("-p -u -E -M --unit --property --setenv --uid --gid --slice --machine", 0),
    "firejail": ("", 0),
    "proot": ("-r -b -w", 0),
    "{": ("", 0),
    "coproc": ("", 0),
    "npx": ("-p --package -c --call", 0),
    "bunx": ("-p --package", 0),
    "pnpx": ("", 0),
}
# programs whose first positional word makes them run the rest: `uv run rm -rf ~`
_RUNNERS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "hatch": "run",
    "rye": "run",
    "npm": "exec",
    "pnpm": "exec",
    "yarn": "exec",
    "bun": "x",
    "cargo": "run",
    "conda": "run",
    "mamba": "run",
    "direnv": "exec",
    "nix": "run",
}
# wrappers whose arguments are a shell script: `watch 'rm -rf ~'`, `su -c '…'`, `ssh host '…'`
_SCRIPT_RUNNERS = {
    "watch": "",
    "su": "-c --command",
    "script": "-c --command",
    "flock": "-c --command",
    "ssh": "",
    "at": "",
    "batch": "",
}
_SSH_VALUE_OPTIONS = {
    "-b",
    "-c",
    "-D",
    "-E",
    "-e",
    "-F",
    "-I",
    "-i",
    "-J",
    "-L",
    "-l",
    "-m",
    "-O",
    "-o",
    "-p",
    "-Q",
    "-R",
    "-S",
    "-W",
    "-w",
}


def _skip_options(name: str, rest: list[Word], takes_value: set[str]) -> int:
    """Index of the first word after `name`'s own options (getopt-style: `-nu root`)."""
    index = 0
    while index < len(rest):
        token = rest[index].text
        if token == "--":
            return index + 1
        if name == "env" and "=" in token and not token.startswith("-"):
            index += 1
            continue
        if not token.startswith("-") or token == "-":
            return index
        if token.startswith("--"):
            index += 2 if token in takes_value else 1
            continue
        letters = token[1:]
        consumed = 1
        for position, letter in enumerate(letters):
            if f"-{letter}" in takes_value:
                if position == len(letters) - 1:
                    consumed = 2  # the value is the next word
                break  # the rest of the cluster is the value
        index += consumed
    return index


def _split_string(rest: list[Word]) -> str | None:
    """`env -S 'cmd'`, `env -S'cmd'`, `env --split-string=cmd`, `env -iS 'cmd'`."""
    for index, word in enumerate(rest):
        token = word.text
        if token.startswith("--split-string"):
            if "=" in token:
                return token.split("=", 1)[1]
            return rest[index + 1].text if index + 1 < len(rest) else None
        if token.startswith("-") and not token.startswith("--") and "S" in token[1:]:
            tail = token[token.index("S", 1) + 1 :]
            return tail or (rest[index + 1].text if index + 1 < len(rest) else None)
        if not token.startswith("-"):
            return None
    return None


def script_of(name: str, argv: list[Word]) -> list[Word] | None:
    """The shell script a script-running wrapper runs, as words to join, or None."""
    rest = argv[1:]
    if name in ("at", "batch"):
        return None  # at reads its commands from standard input
    if name == "watch":
        index = _skip_options("watch", rest, {"-n", "-d", "--interval", "-f", "-q", "-t"})
        return rest[index:] or None
    if name == "ssh":
        index = 0
        while index < len(rest) and rest[index].text.startswith("-"):
            index += 2 if rest[index].text in _SSH_VALUE_OPTIONS else 1
        return rest[index + 1 :] or None  # after the host
    flags = _SCRIPT_RUNNERS[name].split()
    for index, word in enumerate(rest):
        bundled = (
            word.text.startswith("-") and not word.text.startswith("--") and word.text.endswith("c")
        )
        if (word.text in flags or bundled) and index + 1 < len(rest):
            return [rest[index + 1]]
        if word.text.startswith("--command="):
            return [Word(word.text.split("=", 1)[1], word.dynamic)]
    return None


def _unwrap(argv: list[Word], depth: int) -> Iterator[list[Word]]:
    if not argv or depth > 10:
        yield argv
        return
    head = argv[0]
    name = posixpath.basename(head.text) if not head.dynamic else ""
    if name in _RUNNERS:
        positional = [i for i, w in enumerate(argv[1:], start=1) if not w.text.startswith("-")]
        if positional and argv[positional[0]].text == _RUNNERS[name]:
            inner = [w for w in argv[positional[0] + 1 :]]
            if inner and inner[0].text == "--":
                inner = inner[1:]
            if inner:
                yield argv  # the runner itself (npm exec, cargo run …) is judged too
                yield from _unwrap(inner, depth + 1)
                return
    if name not in _WRAPPERS:
        yield argv
        return
    if name == "command" and any(w.text in ("-v", "-V") for w in argv[1:2]):
        return  # `command -v git` asks where git is; it runs nothing
    options, skip = _WRAPPERS[name]
    rest = argv[1:]
    if name == "env":
        script = _split_string(rest)
        if script is not None:
            yield from (c.argv for c in parse(script).commands)
            return
    if name == "flock" and any(w.text in ("-c", "--command") for w in rest):
        yield argv  # flock -c runs a string: judged as a script runner
        return
    index = _skip_options(name, rest, set(options.split()))
    if name == "nice" and index < len(rest) and re.fullmatch(r"-?\d+", rest[index].text):
        index += 1
    if name == "taskset" and index > 0 and rest[index - 1].text in ("-p", "--pid"):
        yield argv
        return
    index += skip
    inner = rest[index:]
    if name == "parallel" and ":::" in [w.text for w in inner]:
        cut = [w.text for w in inner].index(":::")
        inputs = [w for w in inner[cut + 1 :] if w.text not in (":::", "::::")]
        if cut == 0:  # no command: every input is a command line
            for item in inputs:
                yield from (c.argv for c in parse(item.text).commands)
            return
        inner = [*inner[:cut], *inputs]
    if name == "xargs" and inner:
        token = None
        for position, word in enumerate(rest[:index]):
            if word.text in ("-I", "-i", "--replace") and position + 1 < len(rest):
                token = rest[position + 1].text
            elif word.text.startswith("-I") and len(word.text) > 2:
                token = word.text[2:]
            elif word.text.startswith("--replace="):
                token = word.text.split("=", 1)[1]
        if token:
            inner = [Word(w.text, True) if token in w.text else w for w in inner]
        else:
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
    write_check: Callable[[str, Places], Verdict] | None = None,
) -> Verdict:
    return judge_shell(command, places, rules, settings, write_check)[0]


def judge_shell(
    command: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    write_check: Callable[[str, Places], Verdict] | None = None,
) -> tuple[Verdict, list[str]]:
    """The verdict and every rule that matched on the way. `write_check` judges files the
    command writes by redirection or tee, as a file action would be judged."""
    judge = Judge(rules, places, time.monotonic() + TIME_LIMIT, settings)
    judge.write_check = write_check
    try:
        return judge.shell(command, 0), judge.matched
    except (TooComplexError, RecursionError):
        return judge.builtin("too-complex", "took too long to understand"), judge.matched
