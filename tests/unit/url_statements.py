"""The two statements the console writes for a public (AuthType NONE) URL, as ``get_policy`` shows them on AWS."""

from __future__ import annotations

from typing import Any


def public_url_statements(function_arn: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(FunctionURLAllowPublicAccess, FunctionURLAllowInvokeAction)`` for ``function_arn`` (aws-behaviour.md §4)."""
    public_url = {
        "Sid": "FunctionURLAllowPublicAccess",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": function_arn,
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
    }
    invoke_via_url = {
        "Sid": "FunctionURLAllowInvokeAction",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn,
        "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
    }
    return public_url, invoke_via_url
