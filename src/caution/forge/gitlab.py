"""GitLab's REST API: who approved a merge request
(docs.gitlab.com/api/merge_request_approvals, `GET
/projects/:id/merge_requests/:merge_request_iid/approvals`)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from caution.forge.http import ForgeError, get_json, shown


def approvals_url(api_url: str, project: str, iid: str) -> str:
    quoted = urllib.parse.quote(project, safe="")  # a numeric id, or a path `group/project`
    mr = urllib.parse.quote(iid, safe="")
    return f"{api_url.rstrip('/')}/projects/{quoted}/merge_requests/{mr}/approvals"


def merge_request_approvals(
    api_url: str, project: str, iid: str, token: str, *, timeout: float, job_token: bool = False
) -> dict[str, Any]:
    """The merge request's approval state as GitLab returns it. Raises ForgeError."""
    headers = {"JOB-TOKEN": token} if job_token else {"PRIVATE-TOKEN": token}
    url = approvals_url(api_url, project, iid)
    page = get_json(url, headers, timeout)
    if not isinstance(page.data, dict):
        raise ForgeError(f"{shown(url)}: expected a JSON object")
    return page.data


__all__ = ["approvals_url", "merge_request_approvals"]
