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

import boto3
import nbformat
import pytest
from nbclient import NotebookClient

from infra.local import control
from infra.local.iam.credentials import load_or_create

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
HOOK = ROOT / "tests" / "fixtures" / "aws_rehearsal"
PACE_S = 3
LEARNER = "rehearsal"
DOMAIN = "class-zone.test"


def _texts(notebook: nbformat.NotebookNode) -> list[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output["text"])
            elif output.get("output_type") in ("execute_result", "display_data"):
                texts.append(output["data"].get("text/plain", ""))
            elif output.get("output_type") == "error":
                texts.append(f"ERROR {output['ename']}: {output['evalue']}")
    return texts


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


def test_every_notebook_runs_in_aws_mode_and_leaves_nothing(
    rehearsal_cloud: control.LocalCloudInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = rehearsal_cloud
    keys = load_or_create(info.state_dir)
    route53 = boto3.client(
        "route53",
        endpoint_url=info.endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
    )
    route53.create_hosted_zone(Name=DOMAIN + ".", CallerReference=uuid.uuid4().hex)  # the instructor's, made before
    env = {
        "KIT_MODE": "aws",
        "KIT_LEARNER": LEARNER,
        "KIT_REGION": "ap-northeast-2",
        "KIT_DOMAIN": DOMAIN,
        "KIT_POLL_SECONDS": "1",
        "KIT_STATE_DIR": str(info.state_dir),
        "AWS_ENDPOINT_URL": info.endpoint,
        "AWS_ACCESS_KEY_ID": keys.access_key_id,
        "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        "SSL_CERT_FILE": str(control.ca_certificate(info.state_dir)),
        "PYTHONPATH": os.pathsep.join([str(HOOK), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "KIT_REHEARSAL_HTTP_PORT": str(info.port),
        "KIT_REHEARSAL_TLS_PORT": str(info.tls_port),
        "NO_PROXY": "*",
    }
    ipython = info.state_dir / "ipython"
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
        texts = _texts(notebook)
        errors = [t for t in texts if t.startswith("ERROR")]
        assert not errors, f"{path.name} in aws mode: {errors}"
        seen[path.stem] = "".join(texts)

    assert len(seen) == 11
    joined = "".join(seen.values())
    assert f"learner prefix '{LEARNER}'" in seen["01_deploy_and_invoke"]
    assert "lambda-url-kit local CA" in seen["07_custom_domain"]  # the certificate, fetched by its real name
    assert f"api.{LEARNER}.{DOMAIN}: certificate for" in seen["07_custom_domain"]
    assert ".cloudfront.net" in seen["05_cloudfront"] and ".lambda-url.ap-northeast-2.on.aws" in joined
    assert "yes" in seen["10_cleanup"]  # the question was asked and answered
    # AWS's pace: every notebook that deploys a distribution waited for it (PACE_S at least, each time).
    assert took["05_cloudfront"] > 3 * PACE_S and took["07_custom_domain"] > 2 * PACE_S

    tagging = boto3.client(
        "resourcegroupstaggingapi",
        endpoint_url=info.endpoint,
        region_name="ap-northeast-2",
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
    )
    left = tagging.get_resources(TagFilters=[{"Key": "learner", "Values": [LEARNER]}])["ResourceTagMappingList"]
    assert left == []
