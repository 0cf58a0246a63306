"""The instructor's dashboard notebook (``share/class_dashboard.ipynb`` and its Korean twin), run as an instructor runs
it: aws mode with the account's own credentials against the local cloud, a roster of two learners, one of whom has
reached notebook 01; the table says so, and its refresh cell shows the same."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from botocore.credentials import Credentials
from nbclient import NotebookClient

from infra.packaging import build_zip
from tests.integration.test_aws_mode import notebook_texts
from tests.local_cloud import create_python_function

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("path", "reached", "none"),
    [("share/class_dashboard.ipynb", "01", "none yet"), ("share/ko/class_dashboard.ipynb", "01", "아직 없음")],
)
def test_the_dashboard_notebook_shows_who_reached_what(
    path: str,
    reached: str,
    none: str,
    aws,
    role_arn: str,
    endpoint: str,
    local_credentials: Credentials,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lam = aws("lambda")
    try:
        lam.get_function(FunctionName="dashann-hello")
    except lam.exceptions.ResourceNotFoundException:
        create_python_function(lam, "dashann-hello", role_arn, build_zip("hello"), Handler="hello.handler")
    roster = tmp_path / "roster.txt"
    roster.write_text("dashann\ndashbo\n")
    for name, value in {
        "KIT_MODE": "aws",
        "KIT_LEARNER": "instructor",
        "KIT_REGION": "ap-northeast-2",
        "KIT_CLASS_ROSTER": str(roster),
        "KIT_DASHBOARD_ROUNDS": "2",
        "KIT_LANG": "ko" if "/ko/" in path else "en",  # as python -m infra.lab --lang ko sets it
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": local_credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": local_credentials.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    notebook = nbformat.read(ROOT / path, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    texts = notebook_texts(notebook)
    assert not [t for t in texts if t.startswith("ERROR")], texts
    first, live = (
        "".join(notebook.cells[1].outputs[0]["data"]["text/plain"]),
        json.dumps(notebook.cells[3].outputs, ensure_ascii=False),
    )
    ann = next(line for line in first.splitlines() if "dashann" in line)
    bo = next(line for line in first.splitlines() if "dashbo" in line)
    assert f" {reached} " in f" {ann} " and "dashann-hello" in ann
    assert none in bo
    assert "dashann-hello" in live and none in live  # the refreshed table, drawn in place
