"""Links (issue item 10) and case (item 15): paths are judged where they really lead.

Links made earlier in the same command and links already on disk are resolved component
by component, as the kernel would; making a link to home, the root or out of the
workspace is asked about; protected files are matched without regard to case."""

from __future__ import annotations

import os
import posixpath
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caution.guard import Places, check_write, default_rules
from caution.guard.paths import resolve_links
from caution.guard.service import check_action, places_for
from caution.guard_settings import GuardSettings
from tests.guard.conftest import Session

RULES = default_rules()
PLACES = Places(cwd="/home/user/project", workspace="/home/user/project", home="/home/user")


def shell(command: str, places: Places = PLACES, guard: GuardSettings | None = None) -> str:
    action = {"kind": "shell", "command": command}
    return check_action(action, places, RULES, guard).decision


@pytest.mark.parametrize(
    ("command", "decision"),
    [
        ("ln -s ~ h && rm -rf h/", "deny"),
        ("ln -s ~ h; rm -rf h/*", "deny"),
        ("ln -s / r; rm -rf r/etc", "deny"),
        ("ln -s /etc e && echo x > e/hosts", "deny"),
        ("ln -s ~ h && cd h && rm -rf .ssh", "deny"),
        ("ln -s ~/.ssh k && cp key.pub k/authorized_keys", "deny"),
        ("ln -s .. up && rm -rf up/other-project", "deny"),
        ("ln -sfn ~ h && find h/ -delete", "deny"),
        ("ln -st . ~/.ssh && rm -rf .ssh/", "deny"),  # -t: the link is ./.ssh
        ("bash -c 'ln -s ~ h'; rm -rf h/", "deny"),  # made in a nested shell, used after it
        ("ln -s ~ h && rm -rf h", "ask"),  # removes the link itself; making it is asked
        ("ln -s build/out current && rm -rf current/", "allow"),
    ],
)
def test_links_made_earlier_in_the_command(command: str, decision: str) -> None:
    assert shell(command) == decision, command


@pytest.mark.parametrize(
    "command",
    [
        "ln -s ~ h",
        "ln -s / r",
        "ln -sf ~/.config k",
        "ln --symbolic /etc e",
        "ln -s ../../.. top",
        "ln ~/.bashrc rc",  # a hard link: writing rc writes ~/.bashrc
        "cp -s ~/.bashrc rc",
        "cp --link ~/.bashrc rc",
        "ln -s $SOMEWHERE x",
        "python3 -c \"import os; os.symlink('/', 'r')\"",
        "node -e \"require('fs').symlinkSync(require('os').homedir(), 'h')\"",
    ],
)
def test_making_a_link_out_of_the_workspace_is_asked(command: str) -> None:
    assert shell(command) == "ask", command


@pytest.fixture
def disk(tmp_path: Path) -> Places:
    """A real home with a project in it; links on disk are made by each test."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / "project" / ".git").mkdir(parents=True)
    (home / "project" / "src").mkdir()
    return places_for(home / "project", str(home))


def test_links_on_disk(disk: Places) -> None:
    project, home = Path(disk.workspace), Path(disk.home)
    (project / "h").symlink_to(home)
    (project / "k").symlink_to(home / ".ssh")
    (project / "src" / "etc").symlink_to("/etc")
    (project / "a").symlink_to("b")  # a chain: a -> b -> .. (home)
    (project / "b").symlink_to("..")
    (project / "inner").symlink_to("src")  # inside the workspace: harmless
    assert shell("rm -rf h/", disk) == "deny"
    assert shell("rm -rf h/.ssh", disk) == "deny"
    assert shell("rm -rf h", disk) == "allow"  # the link itself
    assert shell("rm -rf a/", disk) == "deny"
    assert shell("echo x >> k/authorized_keys", disk) == "deny"
    assert shell("tee src/etc/hosts < x", disk) == "deny"
    assert shell("rm -rf inner/", disk) == "allow"
    write = check_write("k/authorized_keys", disk, RULES)
    assert (write.decision, write.rule) == ("deny", "files.outside-workspace")
    assert str(home / ".ssh" / "authorized_keys") in write.reason  # the evidence says where
    assert check_write("src/etc/passwd", disk, RULES).decision == "deny"
    assert check_write("inner/app.py", disk, RULES).decision == "allow"


def test_a_link_to_a_protected_file_inside_the_workspace(disk: Places) -> None:
    project = Path(disk.workspace)
    (project / ".caution.yml").write_text("version: 1\n")
    (project / "notes").symlink_to(".caution.yml")
    (project / "gitconf").symlink_to(".git")
    assert check_write("notes", disk, RULES).rule == "files.caution-policy"
    assert check_write("gitconf/config", disk, RULES).rule == "files.git-internals"
    assert shell("echo 'mode: fail-open' > notes", disk) == "deny"


def test_a_link_loop_is_judged_not_hung(disk: Places) -> None:
    project = Path(disk.workspace)
    (project / "x").symlink_to("y")
    (project / "y").symlink_to("x")
    began = time.monotonic()
    assert shell("rm -rf x/", disk) in ("allow", "ask")
    assert time.monotonic() - began < 2


def test_the_workspace_is_found_through_a_linked_cwd(disk: Places, tmp_path: Path) -> None:
    outside = tmp_path / "shortcut"
    outside.symlink_to(Path(disk.workspace) / "src")
    places = places_for(outside, disk.home)
    assert (places.cwd, places.workspace) == (str(Path(disk.workspace) / "src"), disk.workspace)


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        (".CAUTION.yml", "files.caution-policy"),
        (".Caution/allowed_signers", "files.caution-policy"),
        (".Claude/settings.json", "files.caution-policy"),
        (".CURSOR/hooks.json", "files.caution-policy"),
        (".GIT/config", "files.git-internals"),
        ("vendor/lib/.Git/HEAD", "files.git-internals"),
        (".github/WORKFLOWS/ci.yml", "files.ci-workflows"),
        (".GITHUB/workflows/release.yml", "files.ci-workflows"),
        ("CONFIG/.ENV", "files.secrets"),
        ("Infra/Main.TF", "files.infrastructure"),
    ],
)
def test_protected_files_match_without_case(path: str, rule: str) -> None:
    assert check_write(path, PLACES, RULES).rule == rule
    assert shell(f"echo x > {path}") != "allow"


def test_protected_paths_match_without_case() -> None:
    team = GuardSettings(protected_paths=["migrations/**"])
    assert check_write("MIGRATIONS/001.sql", PLACES, RULES, team).rule == "files.protected-path"
    assert shell("cp x Migrations/002.sql", PLACES, team) == "deny"


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([".caution.yml", ".git/config", ".github/workflows/ci.yml", ".env"]), st.data()
)
def test_any_case_of_a_protected_path_is_judged_as_the_path(path: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(path), max_size=len(path)))
    variant = "".join(c.upper() if f else c for c, f in zip(path, flips, strict=True))
    assert check_write(variant, PLACES, RULES).rule == check_write(path, PLACES, RULES).rule


_NAMES = st.sampled_from(["a", "b", "c", "..", ".", "home", "etc"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_NAMES, min_size=1, max_size=8),
    st.dictionaries(
        st.lists(_NAMES, min_size=1, max_size=3).map(lambda p: "/" + "/".join(p)),
        st.lists(_NAMES, min_size=0, max_size=4).map("/".join),
        max_size=5,
    ),
    st.booleans(),
)
def test_link_resolution_ends_in_a_clean_absolute_path(
    parts: list[str], links: dict[str, str], follow: bool
) -> None:
    """Any graph of links, loops included, resolves in bounded time to a normal path."""
    normal = {posixpath.normpath(k): v for k, v in links.items()}
    resolved = resolve_links("/" + "/".join(parts), normal, None, follow)
    assert resolved.startswith("/")
    assert resolved == posixpath.normpath(resolved)


def test_without_links_resolution_is_the_lexical_path() -> None:
    for path in ("/a/b/../c", "/a/./b/", "/../x", "/a//b"):
        assert resolve_links(path, {}, None) == posixpath.normpath(path).replace("//", "/")


def test_links_through_the_hook(session: Session) -> None:
    """The hook process resolves the project's real links too."""
    (session.project / "home").symlink_to(session.home)
    assert session.bash("rm -rf home/").decision == "deny"
    assert session.write("home/.bashrc").decision == "deny"
    assert session.bash("rm home").decision == "allow"
    os.mkfifo(session.project / "pipe")
    assert session.write("pipe").decision == "allow"  # a FIFO in the project: nothing to hang on


def test_the_installed_guard_is_protected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard installed as a package (a virtual environment, perhaps inside the project)
    is caution's own file: its rules and code cannot be rewritten by the agent."""
    from caution.guard import service

    installed = "/home/user/project/.venv/lib/python3.11/site-packages/caution/guard/service.py"
    monkeypatch.setattr(service, "__file__", installed)
    places = places_for("/home/user/project", "/home/user")
    rules = installed.replace("guard/service.py", "data/guard/files.toml")
    verdict = check_write(rules, places, RULES)
    assert (verdict.decision, verdict.rule) == ("deny", "files.caution-user-files")
