"""GitHub's REST API: the reviews of a pull request
(docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request), every page, in
the chronological order GitHub lists them."""

from __future__ import annotations

import urllib.parse
from typing import Any

from caution.forge.http import get_all

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
MAX_PAGES = 30  # 3,000 reviews


def reviews_url(api_url: str, repository: str, number: str) -> str:
    owner_repo = "/".join(urllib.parse.quote(part, safe="") for part in repository.split("/", 1))
    pull = urllib.parse.quote(number, safe="")
    return f"{api_url.rstrip('/')}/repos/{owner_repo}/pulls/{pull}/reviews?per_page={PER_PAGE}"


def list_reviews(
    api_url: str, repository: str, number: str, token: str, *, timeout: float
) -> list[Any]:
    """The pull request's reviews as GitHub returns them. Raises ForgeError."""
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    url = reviews_url(api_url, repository, number)
    return get_all(url, headers, timeout, MAX_PAGES)


__all__ = ["DEFAULT_API_URL", "list_reviews", "reviews_url"]
