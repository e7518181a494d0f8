"""GET JSON from a forge's REST API: standard library only (urllib), a timeout on every
request, a bound on every answer, and one error class whose message a CI log can show.

The token travels in a header and never appears in a message; URLs in messages are shown
without their query string. Pagination follows RFC 8288 `Link: <…>; rel="next"` headers
(GitHub's, and GitLab's keyset and offset pagination alike).
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caution import json_file

MAX_BYTES = 8 << 20  # one page of reviews is kilobytes; anything near this is not an answer
USER_AGENT = "caution (change safety gate)"


class ForgeError(Exception):
    """The forge could not be asked, or did not answer with what was asked for."""


@dataclass(frozen=True)
class Page:
    data: Any
    next_url: str | None


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _link_values(header: str) -> list[tuple[str, str]]:
    """(target, parameters) of each link-value of a `Link` header, in one pass."""
    values = []
    at, size = 0, len(header)
    while at < size:
        start = header.find("<", at)
        end = header.find(">", start + 1) if start >= 0 else -1
        if end < 0:
            break
        stop, quoted = end + 1, False
        while stop < size and (quoted or header[stop] != ","):
            if header[stop] == '"':
                quoted = not quoted
            stop += 1
        values.append((header[start + 1 : end], header[end + 1 : stop]))
        at = stop + 1
    return values


def next_link(header: str | None) -> str | None:
    """The target of the `rel="next"` link of a `Link` header, or None."""
    if not header:
        return None
    for target, params in _link_values(header):
        for param in _split_outside_quotes(params, ";")[1:]:
            name, equals, value = param.partition("=")
            if not equals or name.strip().lower() != "rel":
                continue
            words = value.strip().strip('"').lower().split()
            if "next" in words:
                return target.strip() or None
    return None


def shown(url: str) -> str:
    """`url` as a message may show it: no query string, no user information."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def same_origin(first: str, second: str) -> bool:
    a, b = urllib.parse.urlsplit(first), urllib.parse.urlsplit(second)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only on the same scheme, host and port: urllib would carry the
    Authorization header to wherever an answer points."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not same_origin(req.full_url, newurl):
            raise ForgeError(
                f"{shown(req.full_url)} redirects to another host ({shown(newurl)}): not followed"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOrigin)


def get_json(url: str, headers: Mapping[str, str], timeout: float) -> Page:
    """One GET; the decoded JSON body and the next page's URL. ForgeError on anything but
    a 200 answer holding JSON."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise ForgeError(f"{shown(url)}: not an http(s) URL")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, **headers}, method="GET"
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            link = response.headers.get("Link")
            status = response.status
            declared = (response.headers.get("Content-Length") or "").strip()
    except urllib.error.HTTPError as exc:
        raise ForgeError(f"{shown(url)} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ForgeError(f"{shown(url)}: {reason}") from None
    except http.client.HTTPException as exc:  # a cut or garbled answer: not an OSError
        raise ForgeError(f"{shown(url)}: {type(exc).__name__}: {exc}") from None
    if status != 200:
        raise ForgeError(f"{shown(url)} answered HTTP {status}")
    if declared.isdigit() and len(body) < int(declared) <= MAX_BYTES:
        # read(n) returns what came before the connection closed: a cut list of reviews
        # is still a list, and must not pass for the whole one
        raise ForgeError(
            f"{shown(url)}: the answer was cut short ({len(body)} of {declared} bytes)"
        )
    if len(body) > MAX_BYTES:
        raise ForgeError(f"{shown(url)}: the answer is larger than {MAX_BYTES >> 20} MiB")
    try:
        data = json_file.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ForgeError(f"{shown(url)}: the answer is not JSON") from None
    following = next_link(link)
    if following is not None:
        following = urllib.parse.urljoin(url, following)
        if not same_origin(url, following):
            # the token must not travel to another host because an answer said so
            raise ForgeError(f"{shown(url)}: the next page is on another host ({shown(following)})")
    return Page(data, following)


def get_all(url: str, headers: Mapping[str, str], timeout: float, max_pages: int) -> list[Any]:
    """Every page of a paginated list, in order. ForgeError when a page is not a list or
    there are more than `max_pages` pages (an answer that never ends is not an answer)."""
    items: list[Any] = []
    next_url: str | None = url
    pages = 0
    while next_url is not None:
        pages += 1
        if pages > max_pages:
            raise ForgeError(f"{shown(url)}: more than {max_pages} pages")
        page = get_json(next_url, headers, timeout)
        if not isinstance(page.data, list):
            raise ForgeError(f"{shown(next_url)}: expected a JSON list")
        items.extend(page.data)
        next_url = page.next_url
    return items


__all__ = ["ForgeError", "Page", "get_all", "get_json", "next_link", "same_origin", "shown"]
