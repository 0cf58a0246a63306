"""aws mode, rehearsed without AWS: notebook 01 runs with ``KIT_MODE=aws`` against the local cloud.

botocore honours ``AWS_ENDPOINT_URL``, so an aws-mode session built from the environment talks to the local
cloud here. The point is what aws mode itself does: it needs a learner prefix, it uses the profile's
session (not the local cloud's clients), and it shows the account and the cost warning before the first
call that creates anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from botocore.credentials import Credentials
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def notebook_texts(notebook: nbformat.NotebookNode) -> list[str]:
    """What an executed notebook printed and showed (text forms), and its errors as ``ERROR <name>: <value>``."""
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


def test_notebook_01_in_aws_mode_warns_before_it_creates(
    endpoint: str, local_credentials: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "KIT_MODE": "aws",
        "KIT_LEARNER": "rehearsal",
        "KIT_REGION": "ap-northeast-2",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": local_credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": local_credentials.secret_key,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    notebook = nbformat.read(NOTEBOOKS / "01_deploy_and_invoke.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = notebook_texts(notebook)
    assert not [o for o in outputs if o.startswith("ERROR")], outputs
    joined = "".join(outputs)
    banner = joined.index("aws mode: account 123456789012, region ap-northeast-2, learner prefix 'rehearsal'.")
    assert "aws mode creates real resources in this account" in joined
    assert banner < joined.index("arn:aws:iam::123456789012:role/rehearsal-lambda-role")
    assert joined.count("aws mode: account") == 1
    assert "'FunctionName': 'rehearsal-hello'" in joined


def test_aws_mode_without_a_learner_prefix_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import infra
    from infra.settings import SettingsError

    monkeypatch.setenv("KIT_MODE", "aws")
    monkeypatch.delenv("KIT_LEARNER", raising=False)
    with pytest.raises(SettingsError, match="set KIT_LEARNER"):
        infra.connect()
    assert os.environ["KIT_MODE"] == "aws"
