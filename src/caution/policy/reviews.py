"""Forge reviews as approvals: GitHub's "list reviews for a pull request" and GitLab's
merge-request approvals, read from the JSON their REST APIs return. Pure.

A review counts as an approval of source `forge` when the roster knows its author (by
`github:` or `gitlab:` login) and the review approves the change's head. From there the
evaluator applies the same rules as to a signed approval: not by an author or committer
of the change, not an AI identity, not stale.

GitHub (docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request): each review
has `user.login`, `state` (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING) and
`commit_id`. A reviewer's latest review that is not a comment is their verdict, as on
GitHub: approving and then requesting changes is not an approval; a dismissed review is
none.

GitLab (docs.gitlab.com/api/merge_request_approvals): `approved_by: [{user: {username}}]`
names no commit, so an approval counts for the commit the caller says the approvals were
read for (the merge request's head in its pipeline); enable "Remove all approvals when
commits are added to the source branch" so that GitLab itself keeps them current.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caution.policy.model import Approval, Roster

_VERDICTS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


class ReviewsError(ValueError):
    """The reviews file is neither shape."""


@dataclass(frozen=True)
class ForgeReview:
    forge: str  # github | gitlab
    login: str
    commit: str | None  # None: the forge does not say (GitLab)
    state: str  # APPROVED, CHANGES_REQUESTED, DISMISSED
    id: str = ""  # the review's
    bot: bool = False
    user_id: int | None = None  # the account's number, which a rename does not change


def _github(data: list[Any]) -> list[ForgeReview]:
    latest: dict[str, ForgeReview] = {}
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ReviewsError(f"review {index} is not an object")
        user = item.get("user")
        state = item.get("state")
        if not isinstance(user, dict) or not isinstance(user.get("login"), str):
            continue  # a deleted account ("ghost") has no user
        if not isinstance(state, str):
            raise ReviewsError(f"review {index} has no state")
        if state not in _VERDICTS:
            continue  # comments and pending reviews are no verdict
        commit = item.get("commit_id")
        login = user["login"]
        latest[login.lower()] = ForgeReview(
            "github",
            login,
            commit if isinstance(commit, str) else None,
            state,
            str(item.get("id", "")),
            user.get("type") == "Bot" or login.lower().endswith("[bot]"),
            _number(user.get("id")),
        )
    return list(latest.values())


def _gitlab(data: dict[str, Any]) -> list[ForgeReview]:
    entries = data.get("approved_by")
    if not isinstance(entries, list):
        raise ReviewsError("expected GitLab's approved_by list")
    out = []
    for index, entry in enumerate(entries):
        user = entry.get("user") if isinstance(entry, dict) else None
        if not isinstance(user, dict) or not isinstance(user.get("username"), str):
            raise ReviewsError(f"approved_by {index} has no user.username")
        login = user["username"]
        bot = bool(user.get("bot")) or login.endswith("-bot") or "_bot_" in login
        user_id = _number(user.get("id"))
        out.append(ForgeReview("gitlab", login, None, "APPROVED", str(user_id or ""), bot, user_id))
    return out


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_reviews(data: Any) -> list[ForgeReview]:
    """Each reviewer's verdict, from either forge's JSON."""
    if isinstance(data, list):
        return _github(data)
    if isinstance(data, dict) and "approved_by" in data:
        return _gitlab(data)
    raise ReviewsError(
        "expected GitHub's list of pull request reviews or GitLab's merge request approvals"
    )


def _verdict(
    review: ForgeReview, known: bool, commit: str | None, pinned: int | None = None
) -> tuple[bool, str]:
    where = f"{review.forge} review {review.id}".rstrip()
    if review.state != "APPROVED":
        word = "dismissed" if review.state == "DISMISSED" else "requests changes"
        return False, f"{where} by {review.login} {word}"
    if review.bot:
        return False, f"{review.login} is a bot; AI never approves"
    if not known:
        return False, f"{review.forge} user {review.login} is not in the roster"
    if pinned is not None and review.user_id != pinned:
        return False, (
            f"{review.forge} user {review.login} is account {review.user_id}, not the "
            f"roster's {pinned} (a renamed login taken by someone else?)"
        )
    if commit is None:
        return False, (
            "GitLab approvals name no commit: read them in the merge request's pipeline, "
            "for its head"
        )
    return True, f"approved on {review.forge} by {review.login}"


def review_approvals(
    reviews: list[ForgeReview], roster: Roster, target: str | None, gitlab_commit: str | None
) -> tuple[Approval, ...]:
    """The reviews as approvals of source `forge`, verified against the roster."""
    out = []
    for review in reviews:
        person = roster.by_login(review.forge, review.login)
        commit = review.commit if review.forge == "github" else gitlab_commit
        pinned = None
        if person is not None:
            pinned = person.github_id if review.forge == "github" else person.gitlab_id
        valid, reason = _verdict(review, person is not None, commit, pinned)
        out.append(
            Approval(
                person.id if person is not None else f"{review.forge}:{review.login}",
                commit or "",
                valid,
                reason,
                person,
                "",
                person.emails[0] if person is not None else "",
                target or "",
                source="forge",
            )
        )
    return tuple(out)


__all__ = ["ForgeReview", "ReviewsError", "parse_reviews", "review_approvals"]
