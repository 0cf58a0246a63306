"""The talk's comparison of a Function URL with API Gateway, as data the notebooks tabulate.

Sources: Lambda quotas and urls pages, API Gateway quotas (REST integration timeout 29 s, raisable for
Regional REST APIs since June 2024; HTTP API 30 s), API Gateway and CloudFront pricing for
ap-northeast-2 as used by the talk (aws-behaviour.md §9).
"""

from __future__ import annotations

from . import i18n

#: The rows of the talk's comparison, in each language: (what, Function URL, API Gateway REST API).
_ROWS: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("payload format", "event 2.0 (same as HTTP API)", "event 1.0 (proxy integration)"),
        ("longest request", "function timeout, up to 15 min", "29 s by default (Regional APIs can ask for more)"),
        ("response streaming", "yes (RESPONSE_STREAM, up to 200 MB)", "since late 2025 (responseTransferMode STREAM)"),
        ("price per million requests (ap-northeast-2)", "USD 0 (Lambda charges only)", "USD 3.50"),
        ("AWS WAF", "only through CloudFront", "yes"),
        ("custom domain", "only through CloudFront", "yes"),
        ("auth", "NONE or AWS_IAM", "IAM, Cognito, Lambda authorizers, keys"),
    ],
    "ko": [
        ("페이로드 형식", "이벤트 2.0 (HTTP API와 같음)", "이벤트 1.0 (프록시 통합)"),
        ("가장 긴 요청", "함수 제한 시간, 최대 15분", "기본 29초 (리전 API는 증가 요청 가능)"),
        ("응답 스트리밍", "지원 (RESPONSE_STREAM, 최대 200MB)", "2025년 말부터 (responseTransferMode STREAM)"),
        ("요청 100만 건당 요금 (ap-northeast-2)", "USD 0 (Lambda 요금만)", "USD 3.50"),
        ("AWS WAF", "CloudFront를 통해서만", "지원"),
        ("사용자 지정 도메인", "CloudFront를 통해서만", "지원"),
        ("인증", "NONE 또는 AWS_IAM", "IAM, Cognito, Lambda 권한 부여자, API 키"),
    ],
}


_COLUMNS = {"en": ("Function URL", "API Gateway REST API"), "ko": ("함수 URL", "API Gateway REST API")}


def function_url_vs_api_gateway(lang: str | None = None) -> list[dict[str, str]]:
    """The talk's comparison as table rows in ``lang`` (default: the kit's language); the column ``""`` says what."""
    language = lang or i18n.lang()
    url_column, rest_column = _COLUMNS[language]
    return [{"": what, url_column: url, rest_column: rest} for what, url, rest in _ROWS[language]]


#: The English rows (kept for code that reads the comparison as data).
FUNCTION_URL_VS_API_GATEWAY = function_url_vs_api_gateway("en")

#: USD per million requests in ap-northeast-2, as the talk compares them (aws-behaviour.md §9). CloudFront's
#: is its HTTPS request price ($0.0120 per 10,000); data transfer and Lambda's own charges come on top of
#: each, and CloudFront's always-free tier (10 million requests a month) is left out, as in the talk.
PRICE_PER_MILLION_REQUESTS = {
    "API Gateway REST": 3.50,
    "CloudFront + URL": 1.20,
    "URL alone": 0.0,
}


_FRONT_DOOR_KEYS = {
    "API Gateway REST": "cost.api_gateway",
    "CloudFront + URL": "cost.cloudfront_and_url",
    "URL alone": "cost.url_alone",
}


def monthly_request_cost(millions_per_month: list[float], lang: str | None = None) -> dict[str, list[float]]:
    """The request charges of each front door for each monthly volume (in millions of requests), each front
    door named in ``lang`` (default: the kit's language)."""
    return {
        i18n.t(_FRONT_DOOR_KEYS[front_door], lang): [round(volume * price, 2) for volume in millions_per_month]
        for front_door, price in PRICE_PER_MILLION_REQUESTS.items()
    }


def monthly_saving(millions_per_month: float) -> float:
    """What CloudFront in front of a URL saves over API Gateway's REST API, in USD, at one monthly volume."""
    difference = PRICE_PER_MILLION_REQUESTS["API Gateway REST"] - PRICE_PER_MILLION_REQUESTS["CloudFront + URL"]
    return round(millions_per_month * difference, 2)
