"""The forge clients against a real HTTP server on the loopback interface."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caution.forge import github, gitlab
from caution.forge.http import ForgeError, get_all, get_json, next_link
from tests.fake_api import Answer, serve

DATA = Path(__file__).parent.parent / "data"
REVIEWS = json.loads((DATA / "github" / "pull-request-review-items.json").read_text())
APPROVALS = json.loads((DATA / "gitlab" / "merge-request-approvals.json").read_text())
TOKEN = "ghs_secret0123456789"


def test_next_link_reads_githubs_link_header() -> None:
    # the shape docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api shows
    header = (
        '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", '
        '<https://api.github.com/repositories/1300192/issues?page=4>; rel="next", '
        '<https://api.github.com/repositories/1300192/issues?page=515>; rel="last", '
        '<https://api.github.com/repositories/1300192/issues?page=1>; rel="first"'
    )
    assert next_link(header) == "https://api.github.com/repositories/1300192/issues?page=4"
    assert next_link('<https://x/a?page=2>; rel="prev first"') is None
    assert next_link("<https://x/a?page=2>; rel=next") == "https://x/a?page=2"
    assert next_link('<https://x/a?page=2>; title="a, b"; rel="next"') == "https://x/a?page=2"
    assert next_link(None) is None
    assert next_link("") is None


@given(st.text(max_size=300))
def test_next_link_never_raises(header: str) -> None:
    found = next_link(header)
    assert found is None or isinstance(found, str)


@given(
    st.lists(
        st.tuples(
            st.text(
                alphabet=st.characters(blacklist_characters="<>\r\n", min_codepoint=33),
                min_size=1,
                max_size=40,
            ),
            st.sampled_from(["prev", "last", "first", "next"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_next_link_finds_the_next_target_among_others(links: list[tuple[str, str]]) -> None:
    header = ", ".join(f'<{target}>; rel="{rel}"' for target, rel in links)
    wanted = next((t.strip() for t, rel in links if rel == "next"), None)
    assert next_link(header) == (wanted or None)


@pytest.mark.parametrize(
    "header",
    ["<a>," * 20_000, '<a>; rel="x", ' * 5_000, "<a>;" + " " * 60_000 + '"', "<a>" + ";" * 60_000],
)
def test_next_link_reads_a_hostile_header_in_linear_time(header: str) -> None:
    started = time.monotonic()
    assert next_link(header) is None
    assert time.monotonic() - started < 1.0


def test_reviews_are_read_page_after_page_with_the_token() -> None:
    second = [dict(REVIEWS[0], id=81, state="COMMENTED")]
    with serve() as api:
        path = "/repos/octo/shop/pulls/7/reviews?per_page=100"
        api.answer(
            path, Answer(body=REVIEWS, headers={"Link": f'<{{base}}{path}&page=2>; rel="next"'})
        )
        api.answer(f"{path}&page=2", Answer(body=second))
        found = github.list_reviews(api.url, "octo/shop", "7", TOKEN, timeout=5)
    assert [r["id"] for r in found] == [80, 81]
    assert [s.path for s in api.seen] == [path, f"{path}&page=2"]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in api.seen)
    assert all(s.headers["accept"] == "application/vnd.github+json" for s in api.seen)


def test_gitlab_approvals_are_read_with_a_private_token() -> None:
    with serve() as api:
        api.answer(
            "/api/v4/projects/group%2Fshop/merge_requests/5/approvals", Answer(body=APPROVALS)
        )
        found = gitlab.merge_request_approvals(
            f"{api.url}/api/v4", "group/shop", "5", "glpat-x", timeout=5
        )
        assert found["approved_by"][0]["user"]["username"] == "root"
        assert api.seen[0].headers["private-token"] == "glpat-x"
        assert "job-token" not in api.seen[0].headers
        gitlab.merge_request_approvals(
            f"{api.url}/api/v4", "group/shop", "5", "job", timeout=5, job_token=True
        )
        assert api.seen[1].headers["job-token"] == "job"


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Answer(500, {"message": "boom"}), "HTTP 500"),
        (Answer(401, {"message": "Bad credentials"}), "HTTP 401"),
        (Answer(200, b"<html>rate limited</html>"), "not JSON"),
        (Answer(200, {"message": "a dict, not a list"}), "expected a JSON list"),
        (Answer(200, b"[" * 100_000), "not JSON"),
        (Answer(200, b"[{}, {}]", length=4096), "cut short"),  # the connection is cut
    ],
)
def test_a_bad_answer_is_one_error_without_the_token(answer: Answer, words: str) -> None:
    with serve() as api:
        api.answer("/repos/octo/shop/pulls/7/reviews?per_page=100", answer)
        with pytest.raises(ForgeError) as caught:
            github.list_reviews(api.url, "octo/shop", "7", TOKEN, timeout=5)
    assert words in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert "per_page" not in str(caught.value)  # URLs are shown without their query


def test_a_slow_server_times_out() -> None:
    with serve() as api:
        api.answer("/slow", Answer(body=[], delay=3))
        started = time.monotonic()
        with pytest.raises(ForgeError):
            get_json(f"{api.url}/slow", {}, timeout=0.5)
        assert time.monotonic() - started < 2.5


def test_the_token_never_follows_an_answer_to_another_host() -> None:
    with serve() as api, serve() as other:
        other.answer("/stolen", Answer(body=[]))
        # a redirect elsewhere, and a next page elsewhere: neither is followed
        api.answer("/redirect", Answer(302, b"", headers={"Location": f"{other.url}/stolen"}))
        api.answer("/paged", Answer(body=[], headers={"Link": f'<{other.url}/stolen>; rel="next"'}))
        with pytest.raises(ForgeError, match="another host"):
            get_json(f"{api.url}/redirect", {"Authorization": "Bearer x"}, timeout=5)
        with pytest.raises(ForgeError, match="another host"):
            get_all(f"{api.url}/paged", {"Authorization": "Bearer x"}, timeout=5, max_pages=5)
        assert other.seen == []


def test_pages_without_end_are_refused() -> None:
    with serve() as api:
        api.answer("/loop", Answer(body=[1], headers={"Link": '<{base}/loop>; rel="next"'}))
        with pytest.raises(ForgeError, match="more than 3 pages"):
            get_all(f"{api.url}/loop", {}, timeout=5, max_pages=3)
        assert len(api.seen) == 3


def test_only_http_urls_are_asked() -> None:
    with pytest.raises(ForgeError, match="not an http"):
        get_json("file:///etc/passwd", {}, timeout=1)
