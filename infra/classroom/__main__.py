"""The instructor's class tool: ``python -m infra.classroom create|credentials|dashboard|teardown``.

    python -m infra.classroom create --roster roster.txt --out creds/ [--regions ap-northeast-2] [--rotate]
    python -m infra.classroom dashboard --roster roster.txt
    python -m infra.classroom teardown --roster roster.txt --yes

It acts with the instructor's own credentials: in aws mode (``KIT_MODE=aws``, ``KIT_AWS_PROFILE``) on that
account, in local mode on the learner's local cloud (a rehearsal). Choice: its log lines are English only
(an instructor's tool); the dashboard's table uses the kit's catalog (``KIT_LANG``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import connect
from ..settings import DEFAULT_REGION, LOCAL_DOMAIN, Settings, resolve_language
from .accounts import credential_variables, ensure_learner, write_credentials
from .dashboard import dashboard_table
from .learner_policy import unscoped_actions
from .roster import RosterError, read_roster
from .teardown import teardown_class


def _kit(args: argparse.Namespace) -> object:
    mode = os.environ.get("KIT_MODE", "local").strip().lower() or "local"
    region = args.regions[0] if getattr(args, "regions", None) else os.environ.get("KIT_REGION") or DEFAULT_REGION
    settings = Settings(
        mode=mode,
        region=region,
        learner="instructor",
        profile=os.environ.get("KIT_AWS_PROFILE") or None,
        domain=args.domain,
        lang=resolve_language(),
    )
    return connect(settings)


def _account_id(kit: object) -> str:
    return str(kit.client("sts").get_caller_identity()["Account"])  # type: ignore[attr-defined]


def _create(args: argparse.Namespace, learners: list[str]) -> int:
    kit = _kit(args)
    account_id = _account_id(kit)
    iam = kit.client("iam")  # type: ignore[attr-defined]
    print("What the learners' policies cannot scope by name, and how it is limited instead:")
    for line in unscoped_actions():
        print(f"  - {line}")
    out = Path(args.out)
    for learner in learners:
        account = ensure_learner(
            iam,
            learner,
            account_id=account_id,
            regions=args.regions,
            domain=args.domain,
            class_name=args.class_name,
            rotate=args.rotate,
        )
        state = "created" if account.created else "exists"
        if account.secret_key is None:
            print(f"{learner}: user {account.user_arn} {state}, key {account.access_key} kept (--rotate for a new one)")
            continue
        domain = args.domain if args.domain != LOCAL_DOMAIN else None
        variables = credential_variables(account, region=args.regions[0], account_id=account_id, domain=domain)
        path = write_credentials(out, learner, variables)
        print(f"{learner}: user {account.user_arn} {state}, new key {account.access_key} written to {path}")
    return 0


def _dashboard(args: argparse.Namespace, learners: list[str]) -> int:
    table = dashboard_table(_kit(args), learners)
    print(table.to_string(index=False))
    return 0


def _teardown(args: argparse.Namespace, learners: list[str]) -> int:
    if not args.yes:
        print(f"This removes everything of {len(learners)} learner(s) and their IAM users: run again with --yes.")
        return 2
    kit = _kit(args)
    left = teardown_class(kit, learners, args.regions, account_id=_account_id(kit))
    if left:
        print(f"Still in the account ({len(left)}):")
        for line in left:
            print(f"  {line}")
        return 1
    print("Nothing of the class is left in the account.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.classroom", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("create", "create or update every learner's IAM user, policies and credential file"),
        ("dashboard", "which notebook each learner has reached"),
        ("teardown", "remove every learner's resources and the class's IAM users"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--roster", required=True, help="a text file, one learner name a line")
        sub.add_argument("--regions", nargs="+", default=[os.environ.get("KIT_REGION") or DEFAULT_REGION])
        sub.add_argument("--domain", default=os.environ.get("KIT_DOMAIN") or LOCAL_DOMAIN)
        if name == "create":
            sub.add_argument("--out", required=True, help="folder for the credential files (created 0700)")
            sub.add_argument("--class-name", default="class", help="the value of the class=<name> tag")
            sub.add_argument("--rotate", action="store_true", help="new keys; the old ones are deleted")
        if name == "teardown":
            sub.add_argument("--yes", action="store_true", help="do it, without asking")
    args = parser.parse_args(argv)
    try:
        learners = read_roster(args.roster)
    except RosterError as error:
        print(error, file=sys.stderr)
        return 2
    return {"create": _create, "dashboard": _dashboard, "teardown": _teardown}[args.command](args, learners)


if __name__ == "__main__":
    sys.exit(main())
