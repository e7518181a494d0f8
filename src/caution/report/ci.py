"""What a CI job shows besides the check itself: GitHub's workflow-command annotations."""

from __future__ import annotations


def github_annotation(level: str, message: str, title: str = "caution") -> str:
    """A `::warning`/`::error` workflow command. Its data is escaped as GitHub's runner
    reads it (% → %25, CR → %0D, LF → %0A; also , and : in properties), so text from a
    forge or a repository cannot end the command early or start another."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    return f"::{level} title={prop(title)}::{data(message)}"


__all__ = ["github_annotation"]
