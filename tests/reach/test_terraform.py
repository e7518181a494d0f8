"""Terraform JSON plans: actions per resource, stateful deletes flagged."""

from __future__ import annotations

import pytest

from caution.reach.terraform import PlanError, parse_plan

PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.9.0",
    "resource_changes": [
        {
            "address": "aws_db_instance.orders",
            "type": "aws_db_instance",
            "change": {"actions": ["delete", "create"]},
        },
        {
            "address": "aws_s3_bucket.logs",
            "type": "aws_s3_bucket",
            "change": {"actions": ["delete"]},
        },
        {"address": "aws_instance.web", "type": "aws_instance", "change": {"actions": ["delete"]}},
        {
            "address": "aws_security_group.web",
            "type": "aws_security_group",
            "change": {"actions": ["update"]},
        },
        {
            "address": "aws_route53_record.www",
            "type": "aws_route53_record",
            "change": {"actions": ["create"]},
        },
        {"address": "data.aws_ami.x", "type": "aws_ami", "change": {"actions": ["read"]}},
        {"address": "aws_iam_role.r", "type": "aws_iam_role", "change": {"actions": ["no-op"]}},
        {"address": "aws_kms_key.k", "type": "aws_kms_key", "change": {"actions": ["forget"]}},
    ],
}


def test_actions_and_stateful_deletes() -> None:
    iac = parse_plan(PLAN)
    assert [iac.count(a) for a in ("create", "update", "delete", "replace")] == [1, 1, 2, 1]
    assert iac.stateful_deletes == ("aws_db_instance.orders", "aws_s3_bucket.logs")


@pytest.mark.parametrize("data", [[], {"resource_changes": 5}, {"nothing": 1}])
def test_not_a_plan(data: object) -> None:
    with pytest.raises(PlanError):
        parse_plan(data)


def _with(change: object, **item: object) -> dict[str, object]:
    entry = {"address": "aws_db_instance.orders", "type": "aws_db_instance", "change": change}
    return {
        "format_version": "1.2",
        "resource_changes": [PLAN["resource_changes"][3], {**entry, **item}],
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            _with({"actions": "delete"}),
            "[1] (aws_db_instance.orders).change.actions must be a list",
        ),
        (_with({"actions": ["delete", "delete"]}), "is not one of Terraform's"),
        (_with({"actions": ["destroy"]}), "['destroy'] is not one of Terraform's"),
        (_with({"actions": []}), "[] is not one of Terraform's"),
        (_with({"actions": [1]}), "must be a list of action names"),
        (_with({}), "must be a list of action names, not None"),
        (_with("nonsense"), ".change is not an object"),
        (_with({"actions": ["delete"]}, type=None), "needs an address and a type"),
        ({"format_version": "1.2", "resource_changes": ["x"]}, "resource_changes[0] is not an"),
    ],
)
def test_a_change_that_cannot_be_read_is_refused_not_skipped(data: object, problem: str) -> None:
    """`"actions": "delete"` used to be skipped: the database delete disappeared."""
    with pytest.raises(PlanError) as caught:
        parse_plan(data)
    assert problem in str(caught.value)
