"""A class in one account, rehearsed on the local cloud: the instructor's CLI makes two learners; one learner's
own key deploys and invokes their function, is refused on the other's, the dashboard shows it, and the class
teardown leaves nothing of the class behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from infra import deploy, pricing
from infra.classroom.accounts import read_credentials
from infra.classroom.dashboard import progress
from infra.kit import Kit
from infra.packaging import build_zip
from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
REGION = "ap-northeast-2"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.classroom", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )


def _learner_kit(variables: dict[str, str], endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Kit:
    """aws mode with the learner's own key, pointed at the local cloud (as test_aws_mode.py does)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    settings = Settings.from_env({k: v for k, v in variables.items() if k.startswith("KIT_")})
    session = boto3.session.Session(
        aws_access_key_id=variables["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=variables["AWS_SECRET_ACCESS_KEY"],
        region_name=settings.region,
    )
    return Kit(settings, _session=session)


def test_a_learner_works_on_their_own_things_only(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("# rehearsal\nclassann\nclassbob\n")
    out = tmp_path / "creds"
    created = _cli(
        "create", "--roster", str(roster), "--out", str(out), "--regions", REGION, "--class-name", "rehearsal"
    )
    assert created.returncode == 0, created.stderr
    assert "cannot scope by name" in created.stdout and "Route 53" in created.stdout
    assert oct(out.stat().st_mode & 0o777) == "0o700"
    assert oct((out / "classann.env").stat().st_mode & 0o777) == "0o600"
    again = _cli("create", "--roster", str(roster), "--out", str(out), "--regions", REGION)
    assert again.returncode == 0 and again.stdout.count(" exists, key ") == 2, again.stdout  # no second user or key
    ann = read_credentials(out / "classann.env")
    assert json.loads((out / "hub-environment.json").read_text())["classann"] == ann
    assert ann["KIT_MODE"] == "aws" and ann["KIT_LEARNER"] == "classann"

    try:
        kit = _learner_kit(ann, endpoint, monkeypatch)
        lam, iam = kit.client("lambda"), kit.client("iam")
        role = deploy.ensure_execution_role(iam, kit.name("lambda-role"), tags=kit.tags)
        function = deploy.ensure_function(
            lam,
            kit.name("hello"),
            role_arn=role.arn,
            zip_bytes=build_zip("hello"),
            handler="hello.handler",
            tags=kit.tags,
        )
        assert lam.invoke(FunctionName=function.name)["StatusCode"] == 200
        logs = kit.client("logs")  # notebook 01 reads its REPORT line: the learner's own log group only
        assert any(line.startswith("REPORT ") for line in pricing.report_lines(logs, function.name))
        with pytest.raises(ClientError) as not_theirs:
            logs.filter_log_events(logGroupName="/aws/lambda/classbob-hello")
        assert not_theirs.value.response["Error"]["Message"] == (
            "User: arn:aws:iam::123456789012:user/kit-classroom/classann-student is not authorized to perform: "
            f"logs:FilterLogEvents on resource: arn:aws:logs:{REGION}:123456789012:log-group:"
            "/aws/lambda/classbob-hello because no identity-based policy allows the logs:FilterLogEvents action"
        )
        assert iam.get_role(RoleName=role.name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith(
            "/kit-classroom/classann-student-boundary"
        )

        with pytest.raises(ClientError) as refused:
            deploy.ensure_function(
                lam,
                "classbob-hello",
                role_arn=role.arn,
                zip_bytes=build_zip("hello"),
                handler="hello.handler",
                tags=kit.tags,
            )
        error = refused.value.response["Error"]
        assert error["Code"] == "AccessDeniedException"
        assert error["Message"] == (
            "User: arn:aws:iam::123456789012:user/kit-classroom/classann-student is not authorized to perform: "
            f"lambda:GetFunction on resource: arn:aws:lambda:{REGION}:123456789012:function:classbob-hello "
            "because no identity-based policy allows the lambda:GetFunction action"
        )
        root = Kit(Settings(learner="classbob", region=REGION), endpoint=endpoint)
        bob_role = deploy.ensure_execution_role(root.client("iam"), root.name("lambda-role"), tags=root.tags)
        deploy.ensure_function(
            root.client("lambda"),
            root.name("hello"),
            role_arn=bob_role.arn,
            zip_bytes=build_zip("hello"),
            handler="hello.handler",
            tags=root.tags,
        )
        for call in (
            lambda: lam.create_function(
                FunctionName="classbob-other",
                Role=role.arn,
                Runtime="python3.12",
                Handler="hello.handler",
                Code={"ZipFile": build_zip("hello")},
                Tags=kit.tags,
            ),
            lambda: lam.delete_function(FunctionName="classbob-hello"),
            lambda: lam.invoke(FunctionName="classbob-hello"),
        ):
            with pytest.raises(ClientError) as caught:
                call()
            assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
        with pytest.raises(ClientError) as untagged:  # the boundary wants the learner's tag on a new function
            lam.create_function(
                FunctionName="classann-untagged",
                Role=role.arn,
                Runtime="python3.12",
                Handler="hello.handler",
                Code={"ZipFile": build_zip("hello")},
            )
        assert untagged.value.response["Error"]["Message"].endswith("with an explicit deny in a permissions boundary")
        root.client("lambda").delete_function(FunctionName="classbob-hello")  # bob has reached nothing again

        instructor = Kit(Settings(learner="instructor", region=REGION), endpoint=endpoint)
        assert progress(instructor, ["classann", "classbob"]) == {
            "classann": ("01", "classann-hello"),
            "classbob": ("", ""),
        }
        shown = _cli("dashboard", "--roster", str(roster), "--regions", REGION)
        assert shown.returncode == 0, shown.stderr
        assert "classann" in shown.stdout and "01" in shown.stdout and "none yet" in shown.stdout
    finally:
        removed = _cli("teardown", "--roster", str(roster), "--regions", REGION, "--yes")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "Nothing of the class is left in the account." in removed.stdout
    root_iam = Kit(Settings(region=REGION), endpoint=endpoint).client("iam")
    assert root_iam.list_users(PathPrefix="/kit-classroom/")["Users"] == []
