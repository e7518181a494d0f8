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
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from caution.guard.paths import Places, classify, classify_resolved
from caution.guard.rules import Rule, RuleSet
from caution.guard.shell import SimpleCommand, Word, parse
from caution.guard_settings import GuardSettings

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
MAX_COMMAND = 64 * 1024  # bytes: a longer command is refused before it is parsed
_EMBEDDED = re.compile(
    r"""(?:system|exec|execSync|spawnSync|popen|check_output|check_call|run|call|shell_exec|passthru)"""
    r"""\s*\(\s*(?:\[\s*)?(['"])(?P<cmd>.+?)\1""",
    re.DOTALL,
)
_BACKTICKS = re.compile(r"`(?P<cmd>[^`]+)`")
_LITERAL = re.compile(r"""(['"])((?:(?!\1).){1,400}?)\1""")
# interpreter calls that write, copy, move or link the files they name
_WRITES_FILES = re.compile(
    r"shutil\.(copy\w*|move)|\bopen\s*\([^)]*,\s*(mode\s*=\s*)?['\"][rbt]*[wxa+][rwxabt+]*['\"]|\bopen\s*\(\s*\w+\s*,\s*['\"][+]?[>]"
    r"|\.write_(text|bytes)\s*\(|\b(writeFile|appendFile|copyFile|rename|symlink|link|cp|mv|ln)"
    r"(Sync)?\s*\(|File\.(write|open|rename|symlink|link|copy)|IO\.(write|copy_stream)"
    r"|FileUtils\.\w+|os\.(rename|replace|symlink|link)\b|copyfile|\.(rename|replace|symlink_to|"
    r"hardlink_to|link_to|touch|mkdir)\s*\(|file_put_contents|\b(copy|rename)\s*\("
    r"|Deno\.\w*(write|copy|rename|symlink|link)\w*|Bun\.write|fs\.\w*(write|copy|rename|link)\w*",
    re.IGNORECASE,
)
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


class WriteCheck(Protocol):
    """Judges a file a command writes: (path as written, places, follow the last link?)."""

    def __call__(self, path: str, places: Places, follow: bool = True, /) -> Verdict: ...


class ReadCheck(Protocol):
    """Judges a file a command reads: (path as written, places, the program reading it)."""

    def __call__(self, path: str, places: Places, program: str | None, /) -> Verdict: ...


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


def _class(word: Word, places: Places, follow: bool = True) -> str:
    if word.dynamic:
        return "unknown"
    return classify(word.text, places, follow or word.text.endswith(("/", "/.")))


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
        self.write_check: WriteCheck | None = None
        self.read_check: ReadCheck | None = None
        self.links: tuple[tuple[str, str], ...] = places.links  # made earlier in the command
        self.outside_rules = {r.id for r in rules.file_rules if r.outside_workspace}
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
            self.restore(saved)
        return worst(verdicts)

    def restore(self, saved: Places) -> None:
        """Back to an earlier working directory; links made since stay made."""
        self.places = replace(saved, links=self.links)

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
        assigned += _env_assignments(cmd.argv)
        for name in assigned:
            if name in RISKY_VARIABLES or name.startswith("TF_CLI_ARGS"):
                verdicts.append(self.builtin("dynamic-command", f"{name}= makes it run other code"))
        verdicts.extend(self.assignments(cmd, assigned))
        saved = self.places
        chdir = _wrapper_chdir(cmd.argv)
        if chdir is not None:
            cwd = "/nonexistent/unknown-cwd" if chdir.dynamic else self.places.resolve(chdir.text)
            self.places = replace(self.places, cwd=cwd)
        try:
            for argv in self.unwrap(cmd.argv):
                verdicts.append(self.effective(cmd, argv, depth))
        finally:
            self.restore(saved)
        return worst(verdicts)

    def assignments(self, cmd: SimpleCommand, assigned: list[str]) -> Iterator[Verdict]:
        """Rules on the environment a command sets (`GIT_AUTHOR_EMAIL=… git commit`)."""
        for rule in self.rules.assign_rules:
            hits = [n for n in assigned if any(_name_matches(n, p) for p in rule.assigns_any)]
            if not hits:
                continue
            self.matched.append(rule.id)
            verdict = self.settle(rule, f"{hits[0]}=", cmd, cmd.argv, cmd.text())
            if verdict is not None:
                yield verdict

    def redirects(self, cmd: SimpleCommand) -> Iterator[Verdict]:
        if self.read_check is not None:
            for op, source in cmd.redirects:
                if op in ("<", "<>") and not source.dynamic:
                    verdict = self.read_check(source.text, self.places, None)
                    if verdict.decision != "allow":
                        if verdict.rule:
                            self.matched.append(verdict.rule)
                        yield verdict
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
        verdicts = [
            self.rules_for(cmd, name, argv),
            *self.write_targets(name, args),
            *self.read_targets(name, args),
        ]
        if runs_code:
            verdicts.append(self.interpreter(cmd, name, args, depth))
        if name == "find":
            verdicts.append(self.find_exec(args, depth))
        if name == "ln" or (name == "cp" and _makes_links(args)):
            verdicts.append(self.make_links(name, args))
        return worst(verdicts)

    def read_targets(self, name: str, args: list[Word]) -> Iterator[Verdict]:
        """Files a command names, judged as reads (a private key shown or copied)."""
        if self.read_check is None:
            return
        for word in args:
            text = word.text
            if word.dynamic or not text or text == "-":
                continue
            if text.startswith("-") or (text[0].isalpha() and "=" in text.split("/", 1)[0]):
                if "=" not in text:
                    continue
                text = text.split("=", 1)[1]  # --key-file=PATH, if=PATH
                if not text:
                    continue
            verdict = self.read_check(text, self.places, name)
            if verdict.decision != "allow":
                if verdict.rule:
                    self.matched.append(verdict.rule)
                yield verdict

    def make_links(self, name: str, args: list[Word]) -> Verdict:
        """`ln -s TARGET LINK` (and `cp -s`, hard links): the links are remembered for the
        rest of the command, and a link to the root, the home directory or out of the
        workspace is asked about."""
        verdicts = []
        symbolic = name == "cp" or _has_flag(_flags(args), "--symbolic") or "-s" in _flags(args)
        relative_to_cwd = (
            not symbolic or "-r" in _flags(args) or _has_flag(_flags(args), "--relative")
        )
        for target, link in _link_pairs(name, args):
            if target.dynamic or link.dynamic:
                verdicts.append(
                    self.builtin("link-out", f"{name} to {target.text}, not known before it runs")
                )
                continue
            folder = (
                self.places.cwd
                if relative_to_cwd
                else posixpath.dirname(self.places.resolve(link.text, follow_last=False))
            )
            text = target.text
            if text == "~" or text.startswith("~/"):
                absolute = self.places.home + text[1:]
            elif text.startswith("/"):
                absolute = text
            else:
                absolute = posixpath.join(folder, text)
            kind = classify_resolved(self.places.resolve(absolute), self.places)
            if text.startswith("~") and not (text == "~" or text.startswith("~/")):
                kind = "outside"
            if kind in ("root", "home", "system", "device", "outside"):
                verdicts.append(self.builtin("link-out", f"{link.text} -> {text} ({kind})"))
            self.places = self.places.with_link(link.text, absolute)
            self.links = self.places.links
        return worst(verdicts)

    def write_targets(self, name: str, args: list[Word]) -> Iterator[Verdict]:
        """Files a command writes or removes, judged as the file actions they are."""
        if self.write_check is None:
            return
        for target in _written(name, args):
            if target.dynamic or target.text.startswith("-") or not target.text:
                continue
            follow = name not in NO_FOLLOW or target.text.endswith(("/", "/."))
            verdict = self.write_check(target.text, self.places, follow)
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
        verdicts.extend(self.literal_files(name, code.text))
        if _SPAWNS.search(code.text) and not extracted:
            verdicts.append(self.builtin("dynamic-command", f"{name} starts a process it builds"))
        if code.dynamic:
            verdicts.append(
                self.builtin("dynamic-command", f"{name} code not known before it runs")
            )
        return worst(verdicts)

    def literal_files(self, name: str, code: str) -> Iterator[Verdict]:
        """The paths written as string literals in interpreter code: judged as writes when
        the code writes, copies, moves or links files, and as reads always."""
        literals = [m.group(2).lstrip("+<>| ") for m in _LITERAL.finditer(code)][:64]
        literals = [text for text in literals if text and "\n" not in text]
        writes = self.write_check is not None and _WRITES_FILES.search(code) is not None
        for text in literals:
            checks = []
            if writes:
                assert self.write_check is not None
                verdict = self.write_check(text, self.places, True)
                if verdict.decision == "deny" and verdict.rule in self.outside_rules:
                    # outside the workspace it may be the file the code reads: asked, not denied
                    reason = f"{name} code that writes files names {text}: {verdict.reason}"
                    verdict = Verdict("ask", verdict.rule, reason)
                checks.append(verdict)
            if self.read_check is not None:
                checks.append(self.read_check(text, self.places, name))
            for verdict in checks:
                if verdict.decision != "allow":
                    if verdict.rule:
                        self.matched.append(verdict.rule)
                    yield verdict

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
            follow = name not in NO_FOLLOW
            classes = [(w, _class(w, self.places, follow)) for w in positional]
            hits = [(w, kind) for w, kind in classes if kind in rule.path_classes]
            if not hits:
                return None
            return f"{text[:160]} ({hits[0][0].text} is {hits[0][1]})"
        return text[:160]


# --- what a command writes, reads and links --------------------------------------------------

# commands that remove or rename the link they name, not what it points to
NO_FOLLOW = {"rm", "unlink", "rmdir", "mv", "find", "trash", "trash-put"}
# options taking a value, for the commands whose destination is their last argument
_COPY_VALUES = {
    "cp": {"-S", "--suffix", "-t", "--target-directory"},
    "mv": {"-S", "--suffix", "-t", "--target-directory"},
    "ln": {"-S", "--suffix", "-t", "--target-directory"},
    "install": {
        "-S",
        "--suffix",
        "-t",
        "--target-directory",
        "-m",
        "--mode",
        "-o",
        "--owner",
        "-g",
        "--group",
    },
    "rsync": {
        "-e",
        "--rsh",
        "-f",
        "--filter",
        "--exclude",
        "--include",
        "--files-from",
        "--exclude-from",
        "--include-from",
        "--log-file",
        "--partial-dir",
        "-T",
        "--temp-dir",
        "--backup-dir",
        "--chmod",
        "--chown",
        "--rsync-path",
        "--port",
        "--password-file",
        "--out-format",
        "--compare-dest",
        "--copy-dest",
        "--link-dest",
        "-B",
        "--block-size",
        "--timeout",
        "--bwlimit",
        "--suffix",
    },
}
# downloaders' output files: option → True when the option's value is the file
_OUTPUT_OPTIONS = {
    "curl": ("-o", "--output"),
    "wget": ("-O", "--output-document"),
    "http": ("-o", "--output"),
    "aria2c": ("-o", "--out"),
}


def _values_and_positional(
    args: list[Word], takes_value: set[str]
) -> tuple[dict[str, list[Word]], list[Word]]:
    """Option values (`-t DIR`, `-tDIR`, `--target-directory=DIR`) and the positional words."""
    values: dict[str, list[Word]] = {}
    positional: list[Word] = []
    index = 0
    after_dashes = False
    while index < len(args):
        word = args[index]
        text = word.text
        if after_dashes or not text.startswith("-") or text == "-":
            positional.append(word)
        elif text == "--":
            after_dashes = True
        elif text.startswith("--"):
            option, has_value, value = text.partition("=")
            if option in takes_value:
                if has_value:
                    values.setdefault(option, []).append(Word(value, word.dynamic))
                elif index + 1 < len(args):
                    values.setdefault(option, []).append(args[index + 1])
                    index += 1
        else:
            for position, letter in enumerate(text[1:], start=1):
                option = f"-{letter}"
                if option in takes_value:
                    rest = text[position + 1 :]
                    if rest:
                        values.setdefault(option, []).append(Word(rest, word.dynamic))
                    elif index + 1 < len(args):
                        values.setdefault(option, []).append(args[index + 1])
                        index += 1
                    break
        index += 1
    return values, positional


def _looks_like_folder(word: Word) -> bool:
    text = word.text
    base = posixpath.basename(text.rstrip("/"))
    return text == "~" or text.endswith("/") or base in ("", ".", "..") or "." not in base


def _into(folder: Word, source: Word) -> Word | None:
    """The file `cp SOURCE FOLDER` writes: FOLDER/basename(SOURCE), when the name is known."""
    base = posixpath.basename(source.text.rstrip("/"))
    if not base or source.text.endswith("/") or any(c in base for c in "$`*?[") or base == "..":
        return None
    return Word(posixpath.join(folder.text, base), folder.dynamic)


def _copy_targets(name: str, args: list[Word]) -> list[Word]:
    values, positional = _values_and_positional(args, _COPY_VALUES.get(name, set()))
    folders = values.get("-t", []) + values.get("--target-directory", [])
    no_folder = "-T" in _flags(args) or _has_flag(_flags(args), "--no-target-directory")
    if folders:
        sources, destination, into = positional, folders[-1], True
    elif name == "ln" and len(positional) == 1:
        sources, destination, into = positional, Word("."), True
    elif len(positional) < 2:
        return positional[-1:]
    else:
        sources, destination = positional[:-1], positional[-1]
        into = not no_folder and (len(sources) > 1 or _looks_like_folder(destination))
    targets = [destination]
    if into:
        targets += [t for t in (_into(destination, s) for s in sources) if t is not None]
    return targets


def _link_pairs(name: str, args: list[Word]) -> list[tuple[Word, Word]]:
    """(target, link) for each link `ln` (or `cp -s`) makes."""
    values, positional = _values_and_positional(args, _COPY_VALUES["ln"])
    folders = values.get("-t", []) + values.get("--target-directory", [])
    no_folder = "-T" in _flags(args) or _has_flag(_flags(args), "--no-target-directory")
    if folders:
        return [(t, _into(folders[-1], t) or folders[-1]) for t in positional]
    if name == "ln" and len(positional) == 1:
        return [(positional[0], _into(Word("."), positional[0]) or Word("."))]
    if len(positional) < 2:
        return []
    sources, destination = positional[:-1], positional[-1]
    if len(sources) > 1 or (not no_folder and destination.text.endswith("/")):
        return [(t, _into(destination, t) or destination) for t in sources]
    return [(sources[0], destination)]


def _makes_links(args: list[Word]) -> bool:
    flags = _flags(args)
    return bool(flags & {"-s", "-l"}) or any(
        _has_flag(flags, f) for f in ("--symbolic-link", "--link")
    )


def _archive_targets(name: str, args: list[Word]) -> list[Word]:
    """Members named on the command line of an extraction, in the folder it extracts to."""
    if name in ("tar", "gtar", "bsdtar"):
        flags = _flags(args)
        first = args[0].text if args else ""
        bundled = not first.startswith("-") and "x" in first  # `tar xf a.tar`
        if not (bundled or "-x" in flags or _has_flag(flags, "--extract") or "--get" in flags):
            return []
        values, positional = _values_and_positional(
            args[1:] if bundled else args, {"-f", "--file", "-C", "--directory"}
        )
        if bundled and "f" in first and positional:
            positional = positional[1:]
        folder = (values.get("-C", []) + values.get("--directory", []) or [Word(".")])[-1]
    elif name == "unzip":
        values, positional = _values_and_positional(args, {"-d", "-x", "-P"})
        positional = positional[1:]  # the archive
        folder = (values.get("-d", []) or [Word(".")])[-1]
    else:
        return []
    members = [
        Word(posixpath.join(folder.text, m.text), folder.dynamic or m.dynamic) for m in positional
    ]
    return [folder, *members]


def _written(name: str, args: list[Word]) -> list[Word]:
    """The files a command writes or removes (those its arguments name)."""
    positional = _positional(args)
    if name in ("rm", "shred", "truncate", "unlink", "rmdir", "tee", "sponge", "touch", "mkfifo"):
        return positional
    if name == "mv":
        return positional[:-1] + _copy_targets(name, args)  # the sources go away too
    if name in _COPY_VALUES:
        return _copy_targets(name, args)
    if name == "mknod":
        return positional[:1]
    if name == "dd":
        return [Word(a.text[3:], a.dynamic) for a in args if a.text.startswith("of=")]
    if name in _OUTPUT_OPTIONS:
        short, long = _OUTPUT_OPTIONS[name]
        values, _ = _values_and_positional(args, {short, long})
        return values.get(short, []) + values.get(long, [])
    if name in ("sed", "perl", "ruby") and any(
        a.text.startswith("-i")
        or a.text.startswith("--in-place")
        or (a.text.startswith("-") and not a.text.startswith("--") and "i" in a.text[1:])
        for a in args
    ):
        return positional[1:] if name == "sed" else positional
    if name == "git":
        words = [w.text for w in positional]
        # paths a verb writes in the work tree, or stages (the index is what gets committed)
        for verb in ("restore", "checkout", "add", "stage", "rm", "mv", "update-index"):
            if verb in words[:3]:
                if verb == "rm" and "--cached" in (a.text for a in args):
                    return []  # out of the index only: the file stays as it is
                return positional[words.index(verb) + 1 :]  # paths (or a branch: harmless)
        return []
    return _archive_targets(name, args)


def _env_assignments(argv: list[Word]) -> list[str]:
    """Variables `env NAME=value … cmd` sets for its command."""
    if not argv or posixpath.basename(argv[0].text) != "env":
        return []
    names = []
    for word in argv[1:]:
        if word.text.startswith("-"):
            continue
        if "=" not in word.text:
            break
        names.append(word.text.split("=", 1)[0])
    return names


def _name_matches(name: str, pattern: str) -> bool:
    return name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1]))


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
    write_check: WriteCheck | None = None,
    *,
    deadline: float | None = None,
    read_check: ReadCheck | None = None,
) -> Verdict:
    return judge_shell(command, places, rules, settings, write_check, deadline, read_check)[0]


def judge_shell(
    command: str,
    places: Places,
    rules: RuleSet,
    settings: GuardSettings | None = None,
    write_check: WriteCheck | None = None,
    deadline: float | None = None,
    read_check: ReadCheck | None = None,
) -> tuple[Verdict, list[str]]:
    """The verdict and every rule that matched on the way. `write_check` judges files the
    command writes by redirection or tee, as a file action would be judged; `read_check`
    judges files it reads (private keys). `deadline` (time.monotonic) bounds the work."""
    limit = time.monotonic() + TIME_LIMIT
    judge = Judge(rules, places, limit if deadline is None else min(limit, deadline), settings)
    judge.write_check = write_check
    judge.read_check = read_check
    size = len(command.encode("utf-8", "surrogateescape"))
    if size > MAX_COMMAND:
        return judge.builtin(
            "too-large", f"{size} bytes, more than the {MAX_COMMAND} the guard judges"
        ), judge.matched
    try:
        return judge.shell(command, 0), judge.matched
    except (TooComplexError, RecursionError):
        return judge.builtin("too-complex", "took too long to understand"), judge.matched
