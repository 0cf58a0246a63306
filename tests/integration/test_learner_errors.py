"""Errors a learner meets in a notebook say what happened and the next step, in one message.

- A local cloud that stops (or crashes) between two cells: the next boto3 call or ``kit.http()`` request says so
  at once. Before, botocore retried and ended in a page of ``EndpointConnectionError`` and httpx in
  ``ConnectError: Connection refused``, with no hint.
- A learner name the kit refuses (``bob-smith``): one message with a name it accepts and how to set it, not the
  rule at the bottom of a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import infra
from infra.kit import LocalCloudStopped
from infra.local import control

pytestmark = pytest.mark.integration


def test_calls_after_the_local_cloud_stopped_say_what_happened_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = (tmp_path / "learner").resolve()
    monkeypatch.setenv("KIT_STATE_DIR", str(directory))
    kit = infra.connect()
    try:
        lam = kit.client("lambda")
        assert lam.list_functions()["Functions"] == []
        http = kit.http()
        url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-northeast-2.on.aws/"
        assert http.get(url).status_code == 403  # an unknown URL, answered by the running cloud
    finally:
        assert control.stop(directory)
    started = time.monotonic()
    with pytest.raises(LocalCloudStopped) as sdk:
        lam.list_functions()
    with pytest.raises(LocalCloudStopped) as web:
        http.get(url)
    assert time.monotonic() - started < 5  # no retries with back-off first
    for error in (sdk.value, web.value):
        message = str(error)
        assert kit.endpoint in message and "not running" in message
        assert str(directory / "local-cloud.log") in message
        assert "run this notebook again from its first cell" in message
    assert sdk.value.__cause__ is None and sdk.value.__suppress_context__


def test_a_notebook_shows_a_refused_learner_name_as_one_message_with_the_next_step(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    cell = "%env KIT_LEARNER=bob-smith\nimport infra\nkit = infra.connect()"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True).execute(
        cwd=str(Path(__file__).resolve().parents[2])
    )
    error = next(out for out in notebook.cells[0].outputs if out.output_type == "error")
    assert error.ename == "SettingsError"
    assert len(error.traceback) == 1  # no frames of the kit's code
    assert "`%env KIT_LEARNER=bobsmith`" in error.traceback[0] and "restart the kernel" in error.traceback[0]
