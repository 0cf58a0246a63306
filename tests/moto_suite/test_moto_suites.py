"""moto's own test suites for Lambda, CloudFront, ACM and Route 53, run against moto with the kit's corrections.

The kit patches moto where it differs from AWS (``infra/local/*/moto_gaps.py``). A patch that breaks more than it
means to (issue 12: ACM's ``InUseBy`` lost the load balancers) shows up here: every one of moto's tests must pass
but those listed in ``RIGHT_TO_FAIL``, each with why the kit is right to answer otherwise (or, where marked, a
choice of the kit's that no AWS source decides). A listed test that passes again fails this test too, so the
list stays true.

moto's tests come from its sdist on PyPI (the installed version's), downloaded with pip; they import
``freezegun``; tests that need Docker are skipped as moto's own CI skips them (``TESTS_SKIP_REQUIRES_DOCKER``).
Bounded: the run is given 600 s (about 50 s on the project's machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

SUITES = ("tests/test_acm", "tests/test_awslambda", "tests/test_cloudfront", "tests/test_route53")
_ISSUED_BY_DNS = "ACM issues a DNS-validated certificate when its validation record exists, never on a timer (§8)"
_ALIASES_NEED_A_CERTIFICATE = (
    "CloudFront refuses Aliases without an ISSUED us-east-1 certificate that covers them (InvalidViewerCertificate)"
)
_CONFIGURATION = "a function's configuration has RevisionId, LoggingConfig and RuntimeVersionConfig on AWS"
_DEPLOYING = "a distribution is InProgress after CreateDistribution, as on AWS, where moto says Deployed at once"
_PENDING = (
    "a new function is Pending at first (functions-states.html): GetFunction says so, and UpdateFunctionCode, "
    "UpdateFunctionConfiguration and PublishVersion right after CreateFunction get 409 ResourceConflictException "
    "on AWS; moto's test does not wait for Active"
)
_IF_MATCH = "UpdateDistribution/DeleteDistribution check If-Match against the ETag (PreconditionFailed), as AWS does"

#: moto test (node id, or a prefix ending in "[" for all its parametrizations) -> why the kit is right to fail it.
RIGHT_TO_FAIL = {
    "tests/test_acm/test_acm.py::test_request_exportable_certificate": _ISSUED_BY_DNS,
    "tests/test_acm/test_acm.py::test_request_certificate_with_optional_arguments": _ISSUED_BY_DNS,
    "tests/test_acm/test_acm.py::test_request_certificate_issued_status": _ISSUED_BY_DNS,
    "tests/test_acm/test_acm.py::test_request_certificate_issued_status_with_wait_in_envvar": _ISSUED_BY_DNS,
    "tests/test_awslambda/test_lambda.py::test_create_function_from_aws_bucket": (
        "CreateFunction answers State Pending (StateReasonCode Creating), as AWS does; moto said Active"
    ),
    "tests/test_awslambda/test_lambda.py::test_create_function_from_zipfile": _CONFIGURATION,
    "tests/test_awslambda/test_lambda.py::test_list_create_list_get_delete_list": _CONFIGURATION,
    "tests/test_awslambda/test_lambda.py::test_get_function_created_with_zipfile": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_publish": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_list_versions_by_function": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_list_aliases": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_update_function_s3": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_update_function_ecr": _PENDING,
    "tests/test_awslambda/test_lambda.py::test_multiple_qualifiers": _PENDING,
    "tests/test_awslambda/test_lambda_alias.py::test_aliases_are_unique_per_function": _PENDING,
    "tests/test_awslambda/test_lambda_alias.py::test_update_alias": _PENDING,
    "tests/test_awslambda/test_lambda_alias.py::test_get_function_using_alias[": _PENDING,
    "tests/test_awslambda/test_lambda_layers.py::test_create_function_with_layer": _PENDING,
    "tests/test_awslambda/test_lambda_policy.py::test_get_policy_with_qualifier": _PENDING,
    "tests/test_awslambda/test_lambda_policy.py::test_remove_function_permission__with_qualifier[": _PENDING,
    "tests/test_awslambda/test_lambda_eventsourcemapping.py::test_event_source_mapping_tagging_lifecycle": (
        "its package is b'any zip file': Lambda refuses what it cannot unzip (InvalidParameterValueException)"
    ),
    "tests/test_cloudfront/test_cloudfront.py::test_update_distribution": _ALIASES_NEED_A_CERTIFICATE,
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_create_distribution_with_additional_fields[": (
        _ALIASES_NEED_A_CERTIFICATE
    ),
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_list_distributions": _DEPLOYING,
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_get_distribution": _DEPLOYING,
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_delete_distribution_random_etag": _IF_MATCH,
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_add_new_gateway_basic": _IF_MATCH,
    "tests/test_cloudfront/test_cloudfront_distributions.py::test_delete_distribution_without_ifmatch": (
        "choice: the kit answers an unknown distribution's id with 404 NoSuchDistribution before it looks at "
        "If-Match; moto checks If-Match first (400 InvalidIfMatchVersion); no AWS recording decides the order"
    ),
}


def _listed(node: str) -> str | None:
    for key in RIGHT_TO_FAIL:
        if node == key or (key.endswith("[") and node.startswith(key)):
            return key
    return None


def _moto_tests(folder: Path) -> Path:
    """moto's ``tests/`` for the installed moto, from its sdist (``KIT_MOTO_SDIST`` names one already here)."""
    import moto

    version = moto.__version__
    sdist = os.environ.get("KIT_MOTO_SDIST")
    if not sdist:
        download = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"moto=={version}"]
        done = subprocess.run([*download, "-d", str(folder)], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"moto {version}'s sdist could not be downloaded from the package index: {done.stderr[-300:]}")
        sdist = str(folder / f"moto-{version}.tar.gz")
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(f"moto-{version}/tests/")]
        archive.extractall(folder, members=members, filter="data")
    return folder / f"moto-{version}"


def _failures(junit: Path) -> list[str]:
    failed = []
    for case in ElementTree.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return failed


@pytest.mark.moto_suite
@pytest.mark.timeout(900)
def test_moto_suites_pass_but_where_the_kit_follows_aws(tmp_path: Path) -> None:
    pytest.importorskip("freezegun", reason="moto's test suites import freezegun (pip install freezegun)")
    root = _moto_tests(tmp_path)
    junit = tmp_path / "junit.xml"
    here = Path(__file__).resolve().parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(here), str(here.parents[1]), os.environ.get("PYTHONPATH", "")]),
        "TESTS_SKIP_REQUIRES_DOCKER": "true",
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "kit_patches"]
    command += ["-o", "addopts=", f"--junitxml={junit}", *SUITES]
    run = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert junit.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    failed = _failures(junit)
    unexpected = [node for node in failed if _listed(node) is None]
    assert not unexpected, f"moto tests the kit's patches break: {unexpected}\n{run.stdout[-3000:]}"
    passing_again = sorted(set(RIGHT_TO_FAIL) - {_listed(node) for node in failed})
    assert not passing_again, f"listed as right to fail, but they pass now (update RIGHT_TO_FAIL): {passing_again}"
