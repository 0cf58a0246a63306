"""A dress rehearsal of aws mode: every notebook, in order, with ``KIT_MODE=aws``, against a local cloud of its own.

Nothing in a notebook may rely on what only local mode has. The notebooks run as in class: the kit's aws-mode
session (``AWS_ENDPOINT_URL`` points botocore at the local cloud), the real AWS names for every Function URL,
distribution and custom domain (``tests/fixtures/aws_rehearsal/sitecustomize.py`` resolves them to the local cloud
in the kernel, port 443 to its TLS port, and the learner's local CA is ``SSL_CERT_FILE``), a hosted zone the
instructor made beforehand (``KIT_DOMAIN``), and AWS's slow parts made slow (``KIT_PACE_*``: a distribution takes
seconds to deploy, a certificate seconds to be issued once its records exist, a new role seconds before Lambda
may assume it), so every wait of the notebooks really waits. The cleanup notebook's question is answered "yes"
(an IPython startup file, ``answer_yes.py``),
and afterwards nothing tagged with the learner is left.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import nbformat
import pytest
from nbclient import NotebookClient

from infra.local import control
from infra.local.iam.credentials import load_or_create
from tests.integration.test_aws_mode import notebook_texts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
HOOK = ROOT / "tests" / "fixtures" / "aws_rehearsal"
PACE_S = 3
LEARNER = "rehearsal"
DOMAIN = "class-zone.test"


@pytest.fixture(scope="module")
def rehearsal_cloud(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A local cloud of the rehearsal's own, paced like AWS."""
    directory = tmp_path_factory.mktemp("aws-rehearsal")
    saved = {k: os.environ.get(k) for k in ("KIT_PACE_CLOUDFRONT_S", "KIT_PACE_ACM_S", "KIT_PACE_IAM_S")}
    for name in saved:
        os.environ[name] = str(PACE_S)
    try:
        info = control.start(directory=directory)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    yield info
    control.stop(directory)


def _root_client(info: control.LocalCloudInfo, service: str, region: str = "us-east-1"):  # type: ignore[no-untyped-def]
    keys = load_or_create(info.state_dir)
    return boto3.client(
        service,
        endpoint_url=info.endpoint,
        region_name=region,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
    )


def _rehearse(
    info: control.LocalCloudInfo, monkeypatch: pytest.MonkeyPatch, learner_env: dict[str, str]
) -> tuple[dict[str, str], dict[str, float]]:
    """Run every notebook in order in aws mode with ``learner_env`` (the learner's key, name, boundary...)."""
    env = {
        "KIT_MODE": "aws",
        "KIT_REGION": "ap-northeast-2",
        "KIT_DOMAIN": DOMAIN,
        "KIT_POLL_SECONDS": "1",
        "KIT_STATE_DIR": str(info.state_dir),
        "AWS_ENDPOINT_URL": info.endpoint,
        "SSL_CERT_FILE": str(control.ca_certificate(info.state_dir)),
        "PYTHONPATH": os.pathsep.join([str(HOOK), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "KIT_REHEARSAL_HTTP_PORT": str(info.port),
        "KIT_REHEARSAL_TLS_PORT": str(info.tls_port),
        "NO_PROXY": "*",
        **learner_env,
    }
    ipython = info.state_dir / f"ipython-{env['KIT_LEARNER']}"
    (ipython / "profile_default" / "startup").mkdir(parents=True, exist_ok=True)
    shutil.copy(HOOK / "answer_yes.py", ipython / "profile_default" / "startup" / "00-answer-yes.py")
    env["IPYTHONDIR"] = str(ipython)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "KIT_AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, str] = {}
    took: dict[str, float] = {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        started = time.monotonic()
        NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
        ).execute()
        took[path.stem] = time.monotonic() - started
        texts = notebook_texts(notebook)
        errors = [t for t in texts if t.startswith("ERROR")]
        assert not errors, f"{path.name} in aws mode as {env['KIT_LEARNER']}: {errors}"
        seen[path.stem] = "".join(texts)
    return seen, took


def _left(info: control.LocalCloudInfo, learner: str) -> list[Any]:
    tagging = _root_client(info, "resourcegroupstaggingapi", "ap-northeast-2")
    return tagging.get_resources(TagFilters=[{"Key": "learner", "Values": [learner]}])["ResourceTagMappingList"]


def _hosted_zone(info: control.LocalCloudInfo) -> None:
    """The class's zone, made by the instructor before the class (once)."""
    route53 = _root_client(info, "route53")
    if not route53.list_hosted_zones_by_name(DNSName=DOMAIN + ".", MaxItems="1")["HostedZones"]:
        route53.create_hosted_zone(Name=DOMAIN + ".", CallerReference=uuid.uuid4().hex)


def test_every_notebook_runs_in_aws_mode_and_leaves_nothing(
    rehearsal_cloud: control.LocalCloudInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = rehearsal_cloud
    keys = load_or_create(info.state_dir)
    _hosted_zone(info)
    seen, took = _rehearse(
        info,
        monkeypatch,
        {
            "KIT_LEARNER": LEARNER,
            "AWS_ACCESS_KEY_ID": keys.access_key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        },
    )
    assert len(seen) == 11
    joined = "".join(seen.values())
    assert f"learner prefix '{LEARNER}'" in seen["01_deploy_and_invoke"]
    assert "lambda-url-kit local CA" in seen["07_custom_domain"]  # the certificate, fetched by its real name
    assert f"api.{LEARNER}.{DOMAIN}: certificate for" in seen["07_custom_domain"]
    assert ".cloudfront.net" in seen["05_cloudfront"] and ".lambda-url.ap-northeast-2.on.aws" in joined
    assert "yes" in seen["10_cleanup"]  # the question was asked and answered
    # AWS's pace: every notebook that deploys a distribution waited for it (PACE_S at least, each time).
    assert took["05_cloudfront"] > 3 * PACE_S and took["07_custom_domain"] > 2 * PACE_S
    assert _left(info, LEARNER) == []


def test_every_notebook_runs_with_a_class_learners_own_credentials(
    rehearsal_cloud: control.LocalCloudInfo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The class's account: the learner's IAM user (``python -m infra.classroom create``), their policy and
    permissions boundary evaluated on every call, their boundary on every role they make."""
    import subprocess
    import sys

    from infra.classroom.accounts import read_credentials

    info = rehearsal_cloud
    keys = load_or_create(info.state_dir)
    _hosted_zone(info)
    roster = tmp_path / "roster.txt"
    roster.write_text("classlearner\n")
    out = tmp_path / "creds"
    instructor = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AWS_ENDPOINT_URL": info.endpoint,
        "AWS_ACCESS_KEY_ID": keys.access_key_id,
        "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        "KIT_MODE": "aws",
    }

    def classroom(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "infra.classroom", *args, "--roster", str(roster), "--regions", "ap-northeast-2"],
            cwd=ROOT,
            env=instructor,
            capture_output=True,
            text=True,
            timeout=240,
        )

    created = classroom("create", "--out", str(out), "--domain", DOMAIN)
    assert created.returncode == 0, created.stdout + created.stderr
    learner = read_credentials(out / "classlearner.env")
    seen, _ = _rehearse(info, monkeypatch, learner)
    assert "learner prefix 'classlearner'" in seen["01_deploy_and_invoke"]
    assert "api.classlearner." + DOMAIN + ": certificate for" in seen["07_custom_domain"]
    assert _left(info, "classlearner") == []
    removed = classroom("teardown", "--yes")
    assert removed.returncode == 0, removed.stdout + removed.stderr
