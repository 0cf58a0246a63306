"""The talk's comparison of a Function URL with API Gateway, as data the notebooks tabulate.

Sources: Lambda quotas and urls pages, API Gateway quotas (REST integration timeout 29 s, raisable for
Regional REST APIs since June 2024; HTTP API 30 s), API Gateway and CloudFront pricing for
ap-northeast-2 as used by the talk (aws-behaviour.md §9).
"""

from __future__ import annotations

FUNCTION_URL_VS_API_GATEWAY = [
    {
        "": "payload format",
        "Function URL": "event 2.0 (same as HTTP API)",
        "API Gateway REST API": "event 1.0 (proxy integration)",
    },
    {
        "": "longest request",
        "Function URL": "function timeout, up to 15 min",
        "API Gateway REST API": "29 s by default (Regional APIs can ask for more)",
    },
    {
        "": "response streaming",
        "Function URL": "yes (RESPONSE_STREAM, up to 200 MB)",
        "API Gateway REST API": "since late 2025 (responseTransferMode STREAM)",
    },
    {
        "": "price per million requests (ap-northeast-2)",
        "Function URL": "USD 0 (Lambda charges only)",
        "API Gateway REST API": "USD 3.50",
    },
    {"": "AWS WAF", "Function URL": "only through CloudFront", "API Gateway REST API": "yes"},
    {"": "custom domain", "Function URL": "only through CloudFront", "API Gateway REST API": "yes"},
    {"": "auth", "Function URL": "NONE or AWS_IAM", "API Gateway REST API": "IAM, Cognito, Lambda authorizers, keys"},
]

#: USD per million requests in ap-northeast-2, as the talk compares them (aws-behaviour.md §9). CloudFront's
#: is its HTTPS request price ($0.0120 per 10,000); data transfer and Lambda's own charges come on top of
#: each, and CloudFront's always-free tier (10 million requests a month) is left out, as in the talk.
PRICE_PER_MILLION_REQUESTS = {
    "API Gateway REST": 3.50,
    "CloudFront + URL": 1.20,
    "URL alone": 0.0,
}


def monthly_request_cost(millions_per_month: list[float]) -> dict[str, list[float]]:
    """The request charges of each front door for each monthly volume (in millions of requests)."""
    return {
        front_door: [round(volume * price, 2) for volume in millions_per_month]
        for front_door, price in PRICE_PER_MILLION_REQUESTS.items()
    }
