"""Remove everything a learner created, in dependency order, and check that nothing of theirs is left.

    python -m infra.steps.teardown            # shows the plan, asks before deleting in aws mode
    python -m infra.steps.teardown --yes      # no question (CI, or after reading the plan)

What belongs to a learner: every name the kit makes starts with ``<learner>-`` (and a learner's name has no
``-``, so no other learner's names start that way), every record lies under ``<learner>.<zone>``, and what can
carry tags carries ``learner=<learner>``, which is checked too. Nothing else is touched: not even a class's
own user and policies for the learner (path ``/kit-classroom/``), which the class teardown removes.

The order follows what depends on what (aws-behaviour.md §8): DNS records first (the alias points at a
distribution, the validation CNAME serves a certificate); distributions next, which must be disabled, be
``Deployed`` again, then be deleted with their current ETag; then origin access controls (an OAC in use
cannot go) and certificates (one in use by a distribution cannot go); then API Gateway APIs, Function URLs
and functions; IAM users, roles and policies; log groups last (Lambda writes them until the function is
gone). Every step first looks whether the thing is still there, so a second run deletes nothing and a run
that was interrupted half-way (even between disabling and deleting a distribution) is finished by the next.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..i18n import t
from . import dns
from .certificates import CLOUDFRONT_REGION
from .cloudfront import wait_deployed

# A class's own IAM users and policies (infra/classroom) live under this path: they are the class's, removed by
# the class teardown, never by the learner's (whose key is one of them).
CLASS_PATH = "/kit-classroom/"

# CloudWatch is not listed: the request metrics CloudFront and API Gateway published need no cleanup and have
# none. "Metrics cannot be deleted, but they automatically expire after 15 months if no new data is published
# to them" (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Metric). The local
# cloud keeps them until it stops.
SERVICES = ("route53", "cloudfront", "acm", "apigateway", "lambda", "iam", "logs")


@dataclass(frozen=True)
class Resource:
    service: str
    kind: str
    name: str
    id: str
    region: str = ""
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def row(self) -> dict[str, str]:
        return {"service": self.service, "kind": self.kind, "name": self.name, "region": self.region or "global"}


Report = Callable[[str], None]
_KIND_KEYS = {
    "DNS record": "teardown.dns_record",
    "distribution": "teardown.distribution",
    "origin access control": "teardown.origin_access_control",
    "certificate": "teardown.certificate",
    "function": "teardown.function",
    "user": "teardown.user",
    "role": "teardown.role",
    "policy": "teardown.policy",
    "IAM user": "teardown.iam_user",
    "IAM role": "teardown.iam_role",
    "IAM policy": "teardown.iam_policy",
    "log group": "teardown.log_group",
}


class Teardown:
    """The inventory of one learner's resources, and their removal, through the kit's clients."""

    def __init__(self, kit: Any, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.kit = kit
        self.learner = kit.settings.learner
        self.prefix = f"{self.learner}-"
        self.sleep = sleep

    # -- what is there ---------------------------------------------------------------------------------------

    def inventory(self) -> list[Resource]:
        """Everything of this learner, across every service the kit uses, in the order it must be removed."""
        return [
            *self._records(),
            *self._distributions(),
            *self._origin_access_controls(),
            *self._certificates(),
            *self._rest_apis(),
            *self._functions(),
            *self._users(),
            *self._roles(),
            *self._policies(),
            *self._log_groups(),
        ]

    def _mine_by_tags(self, tags: dict[str, str]) -> bool:
        return tags.get("learner", self.learner) == self.learner

    def _records(self) -> list[Resource]:
        route53 = self.kit.client("route53")
        zone = dns.find_hosted_zone(route53, self.kit.settings.domain)
        if zone is None:
            return []
        found = dns.records_under(route53, zone.id, self.kit.settings.learner_domain)
        kinds = {"CNAME": "DNS record (CNAME)", "A": "DNS record (A alias)", "AAAA": "DNS record (AAAA alias)"}
        return [
            Resource("route53", kinds.get(r["Type"], f"DNS record ({r['Type']})"), r["Name"], zone.id, detail=r)
            for r in sorted(found, key=lambda r: (r["Name"], r["Type"]))
            if r["Type"] not in ("NS", "SOA")
        ]

    def _distributions(self) -> list[Resource]:
        cf = self.kit.client("cloudfront", CLOUDFRONT_REGION)
        found = []
        for page in cf.get_paginator("list_distributions").paginate():
            for item in page["DistributionList"].get("Items") or []:
                if not (item.get("Comment") or "").startswith(self.prefix):
                    continue
                tags = {t["Key"]: t["Value"] for t in cf.list_tags_for_resource(Resource=item["ARN"])["Tags"]["Items"]}
                if self._mine_by_tags(tags):
                    found.append(Resource("cloudfront", "distribution", item["Comment"], item["Id"]))
        return sorted(found, key=lambda r: r.name)

    def _named(
        self, service: str, kind: str, items: list[dict[str, Any]], name: str, ident: str, region: str = ""
    ) -> list[Resource]:
        """The items whose ``name`` carries this learner's prefix, as resources sorted by name."""
        mine = [i for i in items if str(i[name]).startswith(self.prefix)]
        return sorted((Resource(service, kind, i[name], i[ident], region) for i in mine), key=lambda r: r.name)

    def _origin_access_controls(self) -> list[Resource]:
        cf = self.kit.client("cloudfront", CLOUDFRONT_REGION)
        items = cf.list_origin_access_controls()["OriginAccessControlList"].get("Items") or []
        return self._named("cloudfront", "origin access control", items, "Name", "Id")

    def _certificates(self) -> list[Resource]:
        found = []
        for region in dict.fromkeys((CLOUDFRONT_REGION, self.kit.region)):
            acm = self.kit.client("acm", region)
            for page in acm.get_paginator("list_certificates").paginate():
                for summary in page["CertificateSummaryList"]:
                    arn = summary["CertificateArn"]
                    tags = acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
                    if {t["Key"]: t.get("Value", "") for t in tags}.get("learner") == self.learner:
                        found.append(Resource("acm", "certificate", summary["DomainName"], arn, region))
        return sorted(found, key=lambda r: (r.region, r.name, r.id))

    def _rest_apis(self) -> list[Resource]:
        apis = self.kit.client("apigateway").get_rest_apis()["items"]
        return self._named("apigateway", "REST API", apis, "name", "id", self.kit.region)

    def _functions(self) -> list[Resource]:
        lam = self.kit.client("lambda")
        found = []
        for page in lam.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                if fn["FunctionName"].startswith(self.prefix) and self._mine_by_tags(
                    lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {})
                ):
                    found.append(Resource("lambda", "function", fn["FunctionName"], fn["FunctionArn"], self.kit.region))
        return sorted(found, key=lambda r: r.name)

    def _users(self) -> list[Resource]:
        iam = self.kit.client("iam")
        users = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
        users = [u for u in users if u.get("Path") != CLASS_PATH]
        return self._named("iam", "user", users, "UserName", "Arn")

    def _roles(self) -> list[Resource]:
        iam = self.kit.client("iam")
        roles = [r for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
        return self._named("iam", "role", roles, "RoleName", "Arn")

    def _policies(self) -> list[Resource]:
        iam = self.kit.client("iam")
        policies = [p for page in iam.get_paginator("list_policies").paginate(Scope="Local") for p in page["Policies"]]
        policies = [p for p in policies if p.get("Path") != CLASS_PATH]
        return self._named("iam", "policy", policies, "PolicyName", "Arn")

    def _log_groups(self) -> list[Resource]:
        logs = self.kit.client("logs")
        pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=f"/aws/lambda/{self.prefix}")
        groups = [{**g, "name": g["logGroupName"].removeprefix("/aws/lambda/")} for p in pages for g in p["logGroups"]]
        return [
            Resource("logs", "log group", r.id, r.id, self.kit.region)
            for r in self._named("logs", "log group", groups, "name", "logGroupName")
        ]

    # -- removing it -----------------------------------------------------------------------------------------

    def run(self, resources: list[Resource], *, report: Report | None = None) -> list[dict[str, str]]:
        """Remove ``resources`` in order; one row per resource with what happened to it."""
        say = report or (lambda _: None)
        rows = []
        deleters: dict[str, Callable[[Resource, Report], str]] = {
            "DNS record": self._delete_record,
            "distribution": self._delete_distribution,
            "origin access control": self._delete_origin_access_control,
            "certificate": self._delete_certificate,
            "REST API": self._delete_rest_api,
            "function": self._delete_function,
            "user": self._delete_user,
            "role": self._delete_role,
            "policy": self._delete_policy,
            "log group": self._delete_log_group,
        }
        for resource in resources:
            outcome = deleters[resource.kind.split(" (")[0]](resource, say)
            rows.append({**resource.row(), "outcome": outcome})
        return rows

    def _text(self, key: str, **fields: object) -> str:
        """A line of the run's report, in the kit's language."""
        return t(key, getattr(getattr(self.kit, "settings", None), "lang", None), **fields)

    def _kind(self, kind: str) -> str:
        return kind_label(kind, getattr(getattr(self.kit, "settings", None), "lang", None))

    def _delete_record(self, resource: Resource, say: Report) -> str:
        route53 = self.kit.client("route53")
        current = [
            r
            for r in dns.records_under(route53, resource.id, resource.name)
            if r["Name"] == resource.name and r["Type"] == resource.detail["Type"]
        ]
        if not current:
            return "already gone"
        dns.delete_records(route53, resource.id, current)
        say(self._text("teardown.deleted", what=self._kind(resource.kind), name=resource.name))
        return "deleted"

    def _delete_distribution(self, resource: Resource, say: Report) -> str:
        cf = self.kit.client("cloudfront", CLOUDFRONT_REGION)
        try:
            current = cf.get_distribution_config(Id=resource.id)
        except cf.exceptions.NoSuchDistribution:
            return "already gone"
        if current["DistributionConfig"]["Enabled"]:
            config = {**current["DistributionConfig"], "Enabled": False}
            cf.update_distribution(Id=resource.id, DistributionConfig=config, IfMatch=current["ETag"])
            say(self._text("teardown.disabled_distribution", name=resource.name))
        delay = self.kit.poll_seconds
        wait_deployed(cf, resource.id, delay=delay, max_attempts=int(3600 / max(delay, 0.1)), sleep=self.sleep)
        etag = cf.get_distribution(Id=resource.id)["ETag"]
        cf.delete_distribution(Id=resource.id, IfMatch=etag)
        say(self._text("teardown.deleted", what=self._kind("distribution"), name=resource.name))
        return "deleted"

    def _delete_origin_access_control(self, resource: Resource, say: Report) -> str:
        cf = self.kit.client("cloudfront", CLOUDFRONT_REGION)

        def delete() -> None:
            etag = cf.get_origin_access_control(Id=resource.id)["ETag"]
            cf.delete_origin_access_control(Id=resource.id, IfMatch=etag)

        return _delete_once(
            delete,
            cf.exceptions.NoSuchOriginAccessControl,
            say,
            self._text("teardown.deleted", what=self._kind("origin access control"), name=resource.name),
        )

    def _delete_certificate(self, resource: Resource, say: Report) -> str:
        acm = self.kit.client("acm", resource.region)
        return _delete_once(
            lambda: acm.delete_certificate(CertificateArn=resource.id),
            acm.exceptions.ResourceNotFoundException,
            say,
            self._text("teardown.deleted_certificate", name=resource.name, region=resource.region),
        )

    def _delete_rest_api(self, resource: Resource, say: Report) -> str:
        apigw = self.kit.client("apigateway")
        return _delete_once(
            lambda: apigw.delete_rest_api(restApiId=resource.id),
            apigw.exceptions.NotFoundException,
            say,
            self._text("teardown.deleted", what="REST API", name=resource.name),
        )

    def _delete_function(self, resource: Resource, say: Report) -> str:
        lam = self.kit.client("lambda")
        try:
            lam.delete_function_url_config(FunctionName=resource.name)
            say(self._text("teardown.deleted_url", name=resource.name))
        except lam.exceptions.ResourceNotFoundException:
            pass
        return _delete_once(
            lambda: lam.delete_function(FunctionName=resource.name),
            lam.exceptions.ResourceNotFoundException,
            say,
            self._text("teardown.deleted_function", name=resource.name),
        )

    def _delete_user(self, resource: Resource, say: Report) -> str:
        iam = self.kit.client("iam")
        name = resource.name

        def delete() -> None:
            for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
            for policy in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
                iam.detach_user_policy(UserName=name, PolicyArn=policy["PolicyArn"])
            for policy_name in iam.list_user_policies(UserName=name)["PolicyNames"]:
                iam.delete_user_policy(UserName=name, PolicyName=policy_name)
            for group in iam.list_groups_for_user(UserName=name)["Groups"]:
                iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
            iam.delete_user(UserName=name)

        return _delete_once(
            delete,
            iam.exceptions.NoSuchEntityException,
            say,
            self._text("teardown.deleted", what=self._kind("IAM user"), name=name),
        )

    def _delete_role(self, resource: Resource, say: Report) -> str:
        iam = self.kit.client("iam")
        name = resource.name

        def delete() -> None:
            for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
            for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
            iam.delete_role(RoleName=name)

        return _delete_once(
            delete,
            iam.exceptions.NoSuchEntityException,
            say,
            self._text("teardown.deleted", what=self._kind("IAM role"), name=name),
        )

    def _delete_policy(self, resource: Resource, say: Report) -> str:
        iam = self.kit.client("iam")

        def delete() -> None:
            for version in iam.list_policy_versions(PolicyArn=resource.id)["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=resource.id, VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=resource.id)

        return _delete_once(
            delete,
            iam.exceptions.NoSuchEntityException,
            say,
            self._text("teardown.deleted", what=self._kind("IAM policy"), name=resource.name),
        )

    def _delete_log_group(self, resource: Resource, say: Report) -> str:
        logs = self.kit.client("logs")
        return _delete_once(
            lambda: logs.delete_log_group(logGroupName=resource.id),
            logs.exceptions.ResourceNotFoundException,
            say,
            self._text("teardown.deleted", what=self._kind("log group"), name=resource.name),
        )


def _delete_once(delete: Callable[[], object], not_found: type[Exception], say: Report, done: str) -> str:
    """Run ``delete``; "already gone" when AWS says the resource is not there (``not_found``), else "deleted"."""
    try:
        delete()
    except not_found:
        return "already gone"
    say(done)
    return "deleted"


def left_by_service(resources: list[Resource]) -> dict[str, int]:
    """How many resources of each service the kit uses are still there."""
    return {service: sum(1 for r in resources if r.service == service) for service in SERVICES}


def kind_label(kind: str, lang: str | None = None) -> str:
    """A kind of resource in ``lang``: ``DNS record (A alias)`` is ``DNS 레코드 (A 별칭)`` in Korean."""
    base, _, detail = kind.partition(" (")
    label = t(_KIND_KEYS[base], lang) if base in _KIND_KEYS else base
    if not detail:
        return label
    return f"{label} ({detail.replace('alias', t('teardown.alias', lang))}"


def inventory_table(resources: list[Resource], lang: str | None = None) -> pd.DataFrame:
    """The inventory as a table, column names (and "global") in ``lang`` (default: the kit's language)."""
    columns = {key: t(f"cleanup.{key}", lang) for key in ("service", "kind", "name", "region")}
    rows = [{columns[key]: value for key, value in r.row().items()} for r in resources]
    for row in rows:
        row[columns["kind"]] = kind_label(row[columns["kind"]], lang)
        if row[columns["region"]] == "global":
            row[columns["region"]] = t("cleanup.global", lang)
    return pd.DataFrame(rows, columns=list(columns.values()))


def outcome_table(removed: list[dict[str, str]], lang: str | None = None) -> pd.DataFrame:
    """How many resources of each service and kind were deleted or already gone (the rows of ``Teardown.run``)."""
    keys = ("service", "kind", "outcome")
    outcomes = {"deleted": t("cleanup.deleted", lang), "already gone": t("cleanup.already_gone", lang)}
    rows = [
        {
            t("cleanup.service", lang): row["service"],
            t("cleanup.kind", lang): kind_label(row["kind"], lang),
            t("cleanup.outcome", lang): outcomes.get(row["outcome"], row["outcome"]),
        }
        for row in removed
    ]
    names = [t(f"cleanup.{key}", lang) for key in keys]
    return pd.DataFrame(rows, columns=names).groupby(names).size().rename(t("cleanup.count", lang)).to_frame()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.steps.teardown", description=__doc__.split("\n")[0])
    parser.add_argument("--yes", action="store_true", help="delete without asking (aws mode asks otherwise)")
    args = parser.parse_args(argv)
    import infra

    kit = infra.connect()
    teardown = Teardown(kit)
    plan = teardown.inventory()
    print(f"{len(plan)} resources of learner '{teardown.learner}' ({kit.mode} mode):", flush=True)
    for resource in plan:
        print(f"  {resource.service:10} {resource.kind:24} {resource.name}", flush=True)
    asked = plan and not kit.local and not args.yes
    if asked and input(f"Delete these {len(plan)} resources? Type 'yes': ").strip().lower() != "yes":
        print("nothing deleted")
        return 1
    teardown.run(plan, report=lambda line: print(line, flush=True))
    left = teardown.inventory()
    print("left:", left_by_service(left), flush=True)
    return 0 if not left else 2


if __name__ == "__main__":
    sys.exit(main())
