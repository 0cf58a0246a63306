"""Fixtures for tests that drive the local cloud over real HTTP with plain boto3 and httpx."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from botocore.credentials import Credentials

from infra.local import control
from infra.local.iam.credentials import load_or_create
from infra.packaging import STREAMING_ENVIRONMENT, build_streaming_zip, build_zip

REGION = "ap-northeast-2"


@pytest.fixture(scope="session")
def endpoint() -> str:
    return control.start().endpoint


@pytest.fixture(scope="session")
def local_credentials(endpoint: str) -> Credentials:
    """The session's local cloud's own credentials (the learner's, as ``python -m infra.local env`` prints)."""
    found = load_or_create(control.state_dir())
    return Credentials(found.access_key_id, found.secret_access_key)


@pytest.fixture(scope="session")
def aws(endpoint: str, local_credentials: Credentials):
    """A factory of plain boto3 clients pointed at the local cloud (no kit code involved)."""

    def make(service: str, region: str = REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=local_credentials.access_key,
            aws_secret_access_key=local_credentials.secret_key,
        )

    return make


@pytest.fixture(scope="session")
def role_arn(aws) -> str:
    iam = aws("iam")
    name = "integration-tests-role"
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def zip_source(source: str, module: str = "fn") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}.py", textwrap.dedent(source))
    return buffer.getvalue()


def wait_until_active(lam: Any, name: str, *, timeout: float = 10.0, every: float = 0.05) -> None:
    """Poll ``GetFunctionConfiguration`` until ``name`` is ``Active`` (a new function is ``Pending`` at first).

    ``function_active_v2`` would do, but it sleeps a whole second between polls; this keeps the suite fast.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = lam.get_function_configuration(FunctionName=name)["State"]
        if state == "Active":
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} is still {state} {timeout} s after it was created")
        time.sleep(every)


def create_python_function(
    lam: Any, name: str, role_arn: str, zip_bytes: bytes, *, wait: bool = True, **config: Any
) -> None:
    """``create_function`` on Python 3.12 with ``fn.handler`` unless ``config`` says otherwise; then, unless
    ``wait`` is false, wait until it is ``Active`` so that it may be invoked."""
    defaults = {"Runtime": "python3.12", "Handler": "fn.handler"}
    lam.create_function(**{**defaults, **config}, FunctionName=name, Role=role_arn, Code={"ZipFile": zip_bytes})
    if wait:
        wait_until_active(lam, name)


def public_url(lam: Any, name: str, *, invoke_mode: str = "BUFFERED", permissions: str = "both") -> str:
    """Give ``name`` a NONE URL with plain boto3; ``permissions``: "both", "url-only" or "none"."""
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode=invoke_mode)["FunctionUrl"]
    if permissions in ("both", "url-only"):
        lam.add_permission(
            FunctionName=name,
            StatementId="FunctionURLAllowPublicAccess",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
        )
    if permissions == "both":
        lam.add_permission(
            FunctionName=name,
            StatementId="FunctionURLAllowInvokeAction",
            Action="lambda:InvokeFunction",
            Principal="*",
            InvokedViaFunctionUrl=True,
        )
    return url


@dataclass
class Deployed:
    name: str
    url: str | None
    endpoint: str

    @property
    def host(self) -> str:
        assert self.url is not None
        return self.url.split("//", 1)[1].split("/", 1)[0]

    def local_url(self, path: str = "/") -> str:
        """The ``*.localhost`` address a browser or curl opens."""
        host = self.host.replace(".on.aws", ".localhost")
        port = self.endpoint.rsplit(":", 1)[1]
        return f"http://{host}:{port}{path}"


@pytest.fixture
def deploy(aws, role_arn: str, endpoint: str) -> Iterator[Any]:
    """Deploy a function from source (optionally with a public URL); delete it afterwards."""
    lam = aws("lambda")
    created: list[str] = []

    def make(
        source: str,
        *,
        url: bool = True,
        timeout: int = 10,
        env: dict[str, str] | None = None,
        permissions: str = "both",
    ) -> Deployed:
        name = f"it-{uuid.uuid4().hex[:10]}"
        create_python_function(
            lam, name, role_arn, zip_source(source), wait=False, Timeout=timeout, Environment={"Variables": env or {}}
        )
        created.append(name)
        function_url = public_url(lam, name, permissions=permissions) if url else None
        wait_until_active(lam, name)
        return Deployed(name, function_url, endpoint)

    yield make
    for name in created:
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function(FunctionName=name)


def zip_files(files: dict[str, tuple[str | bytes, int]]) -> bytes:
    """A zip of ``{name: (content, mode)}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (content, mode) in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def streaming_zip_with(module: str, source: str) -> bytes:
    """The kit's streaming runtime and wrapper, with ``<module>.py`` from ``source``."""
    with zipfile.ZipFile(io.BytesIO(build_streaming_zip("counter"))) as base:
        files = {i.filename: (base.read(i), (i.external_attr >> 16)) for i in base.infolist()}
    files[f"{module}.py"] = (source, 0o644)
    return zip_files(files)


@pytest.fixture
def streaming(aws, role_arn):
    """Deploy a streaming function (kit runtime) with a public URL: ``make(handler, invoke_mode)``."""
    lam = aws("lambda")
    created: list[str] = []

    def make(
        handler: str,
        invoke_mode: str,
        *,
        code: bytes | None = None,
        timeout: int = 60,
        env: dict[str, str] | None = None,
    ) -> tuple[str, str]:
        name = f"stream-{uuid.uuid4().hex[:8]}"
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=handler,
            Timeout=timeout,
            Code={"ZipFile": code or build_streaming_zip(handler.split(".")[0])},
            Environment={"Variables": env if env is not None else dict(STREAMING_ENVIRONMENT)},
        )
        created.append(name)
        url = public_url(lam, name, invoke_mode=invoke_mode)
        wait_until_active(lam, name)
        return name, url

    yield make
    for name in created:
        lam.delete_function(FunctionName=name)


@pytest.fixture
def http(endpoint: str) -> Iterator[httpx.Client]:
    """Plain httpx against the local cloud's port; pass ``headers={"Host": ...}`` to pick the URL."""
    with httpx.Client(base_url=endpoint, timeout=60) as client:
        yield client


def tls_get(url: str) -> httpx.Response:
    """GET ``https://<name>:<port>/...`` as a browser on this machine does: to loopback, SNI ``<name>``, the
    certificate checked against the learner's local CA."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with httpx.HTTPTransport(verify=control.client_tls_context()) as transport:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = httpx.Request(
            "GET",
            f"https://127.0.0.1:{parts.port}{target}",
            headers={"Host": parts.netloc},
            extensions={"sni_hostname": parts.hostname},
        )
        response = transport.handle_request(request)
        response.read()
        return response


def deploy_handler(kit: Any, module: str, *, name: str | None = None, role: str = "lambda-role", **config: Any) -> Any:
    """``handlers/<module>.py`` deployed for ``kit``'s learner the way the notebooks deploy it (their execution
    role, ``infra.deploy.ensure_function``, the learner's tags): ``<learner>-<name or module>``."""
    from infra import deploy

    arn = deploy.ensure_execution_role(kit.client("iam"), kit.name(role), tags=kit.tags).arn
    return deploy.ensure_function(
        kit.client("lambda"),
        kit.name(name or module.replace("_", "-")),
        role_arn=arn,
        zip_bytes=build_zip(module),
        handler=f"{module}.handler",
        tags=kit.tags,
        **config,
    )


# Route 53 and ACM, as a custom domain needs them -------------------------------------------------------
@pytest.fixture
def zone(aws) -> tuple[Any, str, str]:
    """A hosted zone of the test's own under ``.test``: (route53 client, zone id, zone name)."""
    route53 = aws("route53")
    name = f"z{uuid.uuid4().hex[:8]}.test"
    created = route53.create_hosted_zone(Name=name + ".", CallerReference=uuid.uuid4().hex)
    return route53, created["HostedZone"]["Id"].split("/")[-1], name


def cname(route53: Any, zone_id: str, name: str, value: str) -> None:
    change = {"Name": name, "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": value}]}
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": change}]}
    )


def alias(route53: Any, zone_id: str, name: str, distribution_domain: str) -> None:
    record = {
        "Name": name,
        "Type": "A",
        "AliasTarget": {
            "HostedZoneId": "Z2FDTNDATAQYW2",
            "DNSName": distribution_domain,
            "EvaluateTargetHealth": False,
        },
    }
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
    )


def request(acm: Any, domain: str) -> tuple[str, dict[str, str]]:
    arn = acm.request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    return arn, options[0]["ResourceRecord"]
