"""Deployment packages (byte-for-byte reproducible zips) and the REPORT line of an invocation."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from infra import deploy, packaging, reports

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


# --- packaging ---------------------------------------------------------------------------------------------


def test_build_zip_gives_the_same_bytes_every_time() -> None:
    first = packaging.build_zip("api")
    second = packaging.build_zip("api")
    assert first == second
    assert packaging.build_zip("api", "hello") == packaging.build_zip("hello", "api", "api")


def test_code_sha256_is_base64_of_the_zips_sha256() -> None:
    zip_bytes = packaging.build_zip("hello")
    expected = base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
    assert deploy.code_sha256(zip_bytes) == expected
    assert deploy.code_sha256(packaging.build_zip("hello")) == expected
    assert deploy.code_sha256(packaging.build_zip("api")) != expected
    assert deploy.code_sha256(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_the_zip_holds_each_module_at_its_root_with_its_source() -> None:
    with zipfile.ZipFile(io.BytesIO(packaging.build_zip("hello", "api"))) as archive:
        assert archive.namelist() == ["api.py", "hello.py"]
        assert archive.read("api.py") == (HANDLERS / "api.py").read_bytes()
        assert archive.read("hello.py") == (HANDLERS / "hello.py").read_bytes()
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr == 0o644 << 16
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_the_zip_does_not_depend_on_file_times(tmp_path: Path) -> None:
    source = tmp_path / "fn.py"
    source.write_text("def handler(event, context):\n    return 1\n")
    os.utime(source, (1_000_000_000, 1_000_000_000))
    before = packaging.build_zip("fn", handlers_dir=tmp_path)
    os.utime(source, (1_700_000_000, 1_700_000_000))
    assert packaging.build_zip("fn", handlers_dir=tmp_path) == before
    source.write_text("def handler(event, context):\n    return 2\n")
    assert packaging.build_zip("fn", handlers_dir=tmp_path) != before


def test_an_unknown_handler_names_the_known_ones() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        packaging.build_zip("nope")
    known = ", ".join(sorted(p.stem for p in HANDLERS.glob("*.py")))
    assert "api, " in known and "hello" in known
    assert str(caught.value) == f"no handler nope.py in {HANDLERS} (there are: {known})"


def test_an_unknown_handler_in_another_directory(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("")
    (tmp_path / "a.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(FileNotFoundError) as caught:
        packaging.build_zip("a", "c", handlers_dir=tmp_path)
    assert str(caught.value) == f"no handler c.py in {tmp_path} (there are: a, b)"


def test_no_modules_is_a_value_error() -> None:
    with pytest.raises(ValueError) as caught:
        packaging.build_zip()
    assert str(caught.value) == "name at least one handler module, e.g. build_zip('api')"


# --- reports -----------------------------------------------------------------------------------------------

COLD = (
    "REPORT RequestId: 8f5a4b3c-1d2e-4f60-9a7b-0c1d2e3f4a5b\tDuration: 2.07 ms\tBilled Duration: 121 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 39 MB\tInit Duration: 118.35 ms\t"
)
WARM = (
    "REPORT RequestId: 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\tDuration: 1.10 ms\tBilled Duration: 2 ms\t"
    "Memory Size: 256 MB\tMax Memory Used: 40 MB\t"
)


def test_parse_report_of_a_cold_start() -> None:
    assert reports.parse_report(COLD) == {
        "RequestId": "8f5a4b3c-1d2e-4f60-9a7b-0c1d2e3f4a5b",
        "Duration (ms)": 2.07,
        "Billed Duration (ms)": 121,
        "Memory Size (MB)": 128,
        "Max Memory Used (MB)": 39,
        "Init Duration (ms)": 118.35,
        "cold": True,
    }


def test_parse_report_of_a_warm_invocation() -> None:
    assert reports.parse_report(WARM) == {
        "RequestId": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        "Duration (ms)": 1.1,
        "Billed Duration (ms)": 2,
        "Memory Size (MB)": 256,
        "Max Memory Used (MB)": 40,
        "cold": False,
    }


@pytest.mark.parametrize(
    "line",
    ["START RequestId: 0b1c2d3e Version: $LATEST", "END RequestId: 0b1c2d3e", "", " " + WARM, "report RequestId: x"],
)
def test_a_line_that_is_not_a_report_is_a_value_error(line: str) -> None:
    with pytest.raises(ValueError, match=r"^not a REPORT line: "):
        reports.parse_report(line)


def _tail(*lines: str) -> str:
    return base64.b64encode("".join(f"{line}\n" for line in lines).encode()).decode()


def test_tail_text_decodes_the_log_result() -> None:
    assert reports.tail_text(_tail("START RequestId: a", "héllo")) == "START RequestId: a\nhéllo\n"


def test_report_from_tail_reads_the_last_report_line() -> None:
    cold_tail = _tail(
        "START RequestId: 8f5a4b3c-1d2e-4f60-9a7b-0c1d2e3f4a5b Version: $LATEST",
        '{"greeting_for": "world", "invocations_in_this_environment": 1}',
        "END RequestId: 8f5a4b3c-1d2e-4f60-9a7b-0c1d2e3f4a5b",
        COLD,
    )
    assert reports.report_from_tail(cold_tail) == reports.parse_report(COLD)
    assert reports.report_from_tail(cold_tail)["cold"] is True
    warm_tail = _tail("START RequestId: 0b1c Version: $LATEST", "END RequestId: 0b1c", WARM)
    report = reports.report_from_tail(warm_tail)
    assert report["cold"] is False
    assert report["RequestId"] == "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    assert reports.report_from_tail(_tail(COLD, WARM)) == reports.parse_report(WARM)


def test_report_from_tail_without_a_report_line_is_a_value_error() -> None:
    with pytest.raises(ValueError) as caught:
        reports.report_from_tail(_tail("START RequestId: a Version: $LATEST", "END RequestId: a"))
    assert str(caught.value) == "the log tail holds no REPORT line"


def test_a_streaming_zip_carries_the_runtime_and_an_executable_wrapper() -> None:
    import io
    import zipfile

    from infra.packaging import STREAMING_ENVIRONMENT, build_streaming_zip

    data = build_streaming_zip("counter")
    assert data == build_streaming_zip("counter")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert modes == {"counter.py": 0o644, "streaming_runtime.py": 0o644, "stream_bootstrap": 0o755}
    assert STREAMING_ENVIRONMENT == {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/stream_bootstrap"}


def test_initialization_table_sorts_invocations_sent_at_once_and_shows_init_only_where_it_ran() -> None:
    cold = {"Duration (ms)": 1001.5, "Init Duration (ms)": 92.25, "cold": True}
    warm = {"Duration (ms)": 1000.75, "cold": False}
    results = [
        ({"initialization": "provisioned-concurrency", "version": "3"}, warm),
        ({"initialization": "on-demand", "version": "3"}, cold),
    ]
    table = reports.initialization_table(results, lang="en")
    assert list(table["AWS_LAMBDA_INITIALIZATION_TYPE"]) == ["on-demand", "provisioned-concurrency"]
    assert [cell.strip() for cell in table["Init Duration"]] == ["92.25 ms", ""]
    assert list(table["version"]) == ["3", "3"] and list(table.index) == [1, 2]
