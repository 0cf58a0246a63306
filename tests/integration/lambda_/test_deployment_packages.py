"""Deployment packages through boto3 and a real local cloud: unsafe zips harm nothing, AWS's limits hold."""

from __future__ import annotations

import contextlib
import io
import json
import stat
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import control
from infra.local.lambda_.deployment_package import MAX_UNZIPPED_BYTES, code_dir_name
from tests.local_cloud import create_python_function, zip_files

HANDLER = "def handler(event, context):\n    return {'ok': True, 'tag': %r}\n"
RESERVED_PREFIX = (
    "Lambda was unable to configure your environment variables because the environment variables you have "
    "provided contains reserved keys that are currently not supported for modification. "
    "Reserved keys used in this request: "
)


def code_root() -> Path:
    return control.state_dir() / "code"


def handler_zip(extra: dict[str, tuple[str | bytes, int]] | None = None) -> tuple[bytes, str]:
    tag = uuid.uuid4().hex  # every package distinct, so no two tests share extracted code
    return zip_files({"fn.py": (HANDLER % tag, 0o644), **(extra or {})}), tag


def zeros_zip(size: int, files: int = 1) -> bytes:
    """``files`` entries of zeros adding up to ``size`` bytes unzipped, plus the handler."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("fn.py", HANDLER % uuid.uuid4().hex)
        block = bytes(1 << 20)
        share = size // files
        for index in range(files):
            left = share if index < files - 1 else size - share * (files - 1)
            info = zipfile.ZipInfo(f"data/{index}.bin", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as out:
                while left:
                    out.write(block[: min(left, len(block))])
                    left -= min(left, len(block))
    return buffer.getvalue()


@pytest.fixture
def functions(aws) -> Iterator[list[str]]:
    """Names to delete after the test."""
    names: list[str] = []
    yield names
    lam = aws("lambda")
    for name in names:
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function(FunctionName=name)


def create(aws, role_arn: str, names: list[str], code: bytes, **config: Any) -> str:
    name = f"pkg-{uuid.uuid4().hex[:10]}"
    create_python_function(aws("lambda"), name, role_arn, code, **config)
    names.append(name)
    return name


def invoke(aws, name: str) -> tuple[dict[str, Any], Any]:
    response = aws("lambda").invoke(FunctionName=name, Payload=b"{}")
    return response, json.loads(response["Payload"].read() or b"null")


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    error = excinfo.value.response
    return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]


def test_traversal_entries_touch_nothing_outside(aws, role_arn, functions, tmp_path: Path) -> None:
    victim = tmp_path / "victim.sh"
    victim.write_text("original")
    victim.chmod(0o644)
    missing = tmp_path / "absent" / "x.sh"
    code, tag = handler_zip(
        {
            str(victim): ("evil", 0o755),  # absolute name
            "../" * 40 + str(victim).lstrip("/"): ("evil", 0o755),  # climbs out of the code folder
            "../" * 40 + str(missing).lstrip("/"): ("#!/bin/sh\n", 0o755),  # its outside target does not exist
        }
    )
    name = create(aws, role_arn, functions, code)
    response, body = invoke(aws, name)
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert body == {"ok": True, "tag": tag}
    assert victim.read_text() == "original" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not missing.parent.exists()
    assert not [p for p in code_root().iterdir() if p.name.startswith(".tmp")]


def test_oversized_package_is_refused_at_create_and_update(aws, role_arn, functions) -> None:
    lam = aws("lambda")
    oversized = zeros_zip(MAX_UNZIPPED_BYTES)  # plus the handler: over the quota
    name = f"pkg-{uuid.uuid4().hex[:10]}"
    with pytest.raises(ClientError) as refused:
        create_python_function(lam, name, role_arn, oversized)
    expected = (400, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
    assert error_of(refused) == expected
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name)

    code, tag = handler_zip()
    name = create(aws, role_arn, functions, code)
    before = lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    with pytest.raises(ClientError) as refused:
        lam.update_function_code(FunctionName=name, ZipFile=oversized)
    assert error_of(refused) == expected
    assert lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"] == before
    assert invoke(aws, name)[1] == {"ok": True, "tag": tag}


def test_unreadable_package_is_refused(aws, role_arn, functions) -> None:
    with pytest.raises(ClientError) as refused:
        create(aws, role_arn, functions, b"this is not a zip file")
    assert error_of(refused) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


def test_reserved_environment_keys_are_refused(aws, role_arn, functions) -> None:
    lam = aws("lambda")
    code, _ = handler_zip()
    variables = {"GREETING": "hi", "AWS_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "AKIA"}
    with pytest.raises(ClientError) as refused:
        create(aws, role_arn, functions, code, Environment={"Variables": variables})
    assert error_of(refused) == (
        400,
        "InvalidParameterValueException",
        RESERVED_PREFIX + "AWS_REGION, AWS_ACCESS_KEY_ID",
    )

    allowed = {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper", "TZ": "Asia/Seoul", "LANG": "C.UTF-8"}
    name = create(aws, role_arn, functions, code, Environment={"Variables": allowed})
    with pytest.raises(ClientError) as refused:
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"_HANDLER": "x.y"}})
    assert error_of(refused) == (400, "InvalidParameterValueException", RESERVED_PREFIX + "_HANDLER")
    config = lam.get_function_configuration(FunctionName=name)
    assert config["Environment"]["Variables"] == allowed


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_big_cold_start_does_not_hold_up_another_function(aws, role_arn, functions) -> None:
    small_code, small_tag = handler_zip()
    small = create(aws, role_arn, functions, small_code)
    assert invoke(aws, small)[1]["tag"] == small_tag  # warm
    big = create(aws, role_arn, functions, zeros_zip(200_000_000, files=40))
    big_dir = code_dir_name(aws("lambda").get_function(FunctionName=big)["Configuration"]["CodeSha256"])

    def unpacking() -> bool:
        """A hidden temporary folder of the big package is in the code root."""
        names = [p.name for p in code_root().iterdir()] if code_root().is_dir() else []
        return any(n.startswith(".") and "tmp" in n and big_dir in n for n in names)

    events: list[str] = []
    big_call = threading.Thread(target=lambda: (invoke(aws, big), events.append("big done")))
    big_call.start()
    try:
        _wait_for(lambda: unpacking() or (code_root() / big_dir).exists())
        assert unpacking(), "the big package unpacked before the test could look"
        assert invoke(aws, small)[1]["tag"] == small_tag
        events.append("small done")
        still_unpacking = unpacking()
    finally:
        big_call.join(120)
    assert events == ["small done", "big done"]
    assert still_unpacking  # the small function answered while the big one was still being unpacked


def test_code_is_removed_once_no_version_uses_it(aws, role_arn, functions) -> None:
    lam = aws("lambda")
    code, tag = handler_zip()
    name = create(aws, role_arn, functions, code)
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    assert invoke(aws, name)[1]["tag"] == tag
    folder = code_root() / code_dir_name(lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"])
    assert folder.is_dir()

    new_code, new_tag = handler_zip()
    lam.update_function_code(FunctionName=name, ZipFile=new_code)
    assert invoke(aws, name)[1]["tag"] == new_tag  # a cold start: published version 1 still has the old code
    assert folder.is_dir()
    lam.delete_function(FunctionName=name)
    other_code, _ = handler_zip()
    invoke(aws, create(aws, role_arn, functions, other_code))  # the next cold start anywhere sweeps
    _wait_for(lambda: not folder.exists(), timeout=20)
