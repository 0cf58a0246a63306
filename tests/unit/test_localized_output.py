"""What infra prints and tabulates follows the kit's language; the data under it does not change."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from infra import checks, comparison, reports, stream_view
from infra.kit import Kit
from infra.settings import Settings
from infra.steps import teardown

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
REPORT = {"cold": True, "Init Duration (ms)": 50.5, "Duration (ms)": 1.25, "Billed Duration (ms)": 52}
WARM = {"cold": False, "Duration (ms)": 0.5, "Billed Duration (ms)": 1, "Max Memory Used (MB)": 16}


def test_the_cold_and_warm_table_names_its_columns_in_the_language() -> None:
    invocations = [({**REPORT, "Max Memory Used (MB)": 16}, 1), (WARM, 2)]
    english = reports.cold_and_warm_table(invocations, "en")
    korean = reports.cold_and_warm_table(invocations, "ko")
    assert english.index.name == "invocation" and korean.index.name == "간접 호출"
    assert list(english["start"]) == ["cold", "warm"] and list(korean["시작"]) == ["콜드", "웜"]
    assert list(korean["이 실행 환경의 간접 호출 수"]) == [1, 2]
    # the REPORT line's own field names stay as Lambda writes them
    assert (
        list(english.columns[2:])
        == list(korean.columns[2:])
        == [
            "Init Duration",
            "Duration",
            "Billed Duration",
            "Max Memory Used",
        ]
    )
    assert korean["Init Duration"].iloc[0] == "   50.50 ms" and korean["Init Duration"].iloc[1] == ""


def test_the_arrival_table_has_one_column_per_invoke_mode() -> None:
    streamed = stream_view.StreamSummary(lines=["1 0.000", "2 0.500"], arrivals_s=[0.1, 0.6])
    buffered = stream_view.StreamSummary(lines=["1 0.000", "2 0.500"], arrivals_s=[0.7, 0.7])
    table = stream_view.arrival_table({"RESPONSE_STREAM": streamed, "BUFFERED": buffered}, "ko")
    assert table.index.name == "줄" and list(table.index) == ["1", "2"]
    assert list(table.columns) == ["함수가 쓴 시각", "도착, RESPONSE_STREAM", "도착, BUFFERED"]
    assert list(table["도착, BUFFERED"]) == [" 0.70 s", " 0.70 s"]


def test_the_stream_summary_line_in_both_languages() -> None:
    summary = stream_view.StreamSummary(lines=["1 0.0", "35 34.0"], total_s=35.2)
    assert summary.line(past_seconds=29, lang="en") == (
        "received 2 lines; the last one says 35; still streaming after 29 seconds: yes"
    )
    assert summary.line(past_seconds=29, lang="ko") == "2줄을 받았습니다. 마지막 줄: 35 · 29초가 지나도 스트리밍 중: 예"
    assert stream_view.StreamSummary().line(lang="ko") == "0줄을 받았습니다. 마지막 줄: 없음"


def test_the_comparison_table_is_the_same_table_in_both_languages() -> None:
    english, korean = comparison.function_url_vs_api_gateway("en"), comparison.function_url_vs_api_gateway("ko")
    assert len(english) == len(korean) == 7
    assert english == comparison.FUNCTION_URL_VS_API_GATEWAY
    assert [row["API Gateway REST API"] for row in english][3] == [row["API Gateway REST API"] for row in korean][3]
    assert set(korean[0]) == {"", "함수 URL", "API Gateway REST API"}


def test_costs_are_named_in_the_language_and_the_saving_is_computed_from_the_prices() -> None:
    assert comparison.monthly_request_cost([100], "ko") == {
        "API Gateway REST": [350.0],
        "CloudFront + 함수 URL": [120.0],
        "함수 URL만": [0.0],
    }
    assert list(comparison.monthly_request_cost([1], "en")) == ["API Gateway REST", "CloudFront + URL", "URL alone"]
    assert comparison.monthly_saving(100) == 230.0


def test_versions_table_is_indexed_by_the_components_name_in_the_language() -> None:
    korean = checks.versions_table("ko")
    assert korean.index.name == "구성 요소" and list(korean.columns) == ["버전"]
    assert korean.index[0] == "Python"
    assert checks.versions("en")[0].keys() == {"component", "version"}


def test_teardown_tables_in_korean() -> None:
    plan = [
        teardown.Resource("lambda", "function", "learner-api", "learner-api", "ap-northeast-2"),
        teardown.Resource("cloudfront", "distribution", "learner-api-cdn", "E1"),
    ]
    inventory = teardown.inventory_table(plan, "ko")
    assert list(inventory.columns) == ["서비스", "종류", "이름", "리전"]
    assert list(inventory["리전"]) == ["ap-northeast-2", "글로벌"]
    removed = [{**plan[0].row(), "outcome": "deleted"}, {**plan[1].row(), "outcome": "already gone"}]
    outcomes = teardown.outcome_table(removed, "ko")
    assert outcomes.index.names == ["서비스", "종류", "결과"] and list(outcomes.columns) == ["개수"]
    assert set(outcomes.index.get_level_values("결과")) == {"삭제됨", "이미 없음"}
    assert teardown.outcome_table(removed, "en").index.names == ["service", "kind", "outcome"]


def test_the_kit_speaks_its_settings_language() -> None:
    assert Kit(Settings(lang="ko")).t("cleanup.second_run", count=0) == "두 번째 실행에서 삭제한 것: 0개"
    assert Kit(Settings()).t("cleanup.second_run", count=0) == "deleted on the second run: 0"
    assert Kit(Settings(lang="ko")).verdict(True) == "예"


# -- the typing-effect handler ------------------------------------------------------------------------------------


def load_typing_effect():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("typing_effect_under_test", HANDLERS / "typing_effect.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def post(body: dict[str, object]) -> dict[str, object]:
    return {"requestContext": {"http": {"method": "POST"}}, "body": json.dumps(body), "isBase64Encoded": False}


@pytest.mark.parametrize(
    "language, starts",
    [(None, "A Function URL gives"), ("en", "A Function URL gives"), ("ko", "함수 URL은"), ("fr", "A Function URL")],
)
def test_the_typing_effect_answers_in_answer_language(
    monkeypatch: pytest.MonkeyPatch, language: str | None, starts: str
) -> None:
    if language is None:
        monkeypatch.delenv("ANSWER_LANGUAGE", raising=False)
    else:
        monkeypatch.setenv("ANSWER_LANGUAGE", language)
    handler = load_typing_effect()
    response = handler.handler(post({"delay": 0}), None)
    text = "".join(response["body"])
    assert text.startswith(starts)
    assert text == (handler.ANSWERS["ko"] if language == "ko" else handler.ANSWERS["en"])


def test_the_typing_effect_streams_korean_word_by_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSWER_LANGUAGE", "ko")
    words = list(load_typing_effect().handler(post({"delay": 0}), None)["body"])
    assert words[:3] == ["함수", " URL은", " 함수에"]


def test_a_text_in_the_request_wins_over_the_default_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANSWER_LANGUAGE", "ko")
    assert "".join(load_typing_effect().handler(post({"text": "hello there", "delay": 0}), None)["body"]) == (
        "hello there"
    )


def test_the_live_chart_draws_a_step_per_line_and_the_limit() -> None:
    from infra import stream_view

    svg = stream_view.chart_svg([0.5, 1.0, 31.0], expected=35, limit_s=29, lang="en")
    assert svg.startswith('<svg class="kit-stream-chart" data-lines="3"') and svg.endswith("</svg>")
    points = re.search(r'<polyline points="([^"]+)"', svg)
    assert points is not None and len(points[1].split()) == 1 + 2 * 3  # the origin, then a step up per line
    assert 'class="kit-stream-limit"' in svg and ">29 s<" in svg
    assert ">29초<" in stream_view.chart_svg([], expected=35, limit_s=29, lang="ko")
    assert "kit-stream-limit" not in stream_view.chart_svg([1.0], expected=1)


def test_a_counter_line_reads_as_words_and_any_other_line_stays_as_it_is() -> None:
    from infra import stream_view

    assert stream_view.readable("22 21.000 1796165637.238", 21.04, lang="en") == (
        "line 22: written 21.0 s after the start, arrived after 21.0 s"
    )
    assert stream_view.readable("22 21.000 1796165637.238", 21.04, lang="ko").startswith("22번째 줄")
    assert stream_view.readable("<b>hello</b>", 1.0) == "&lt;b&gt;hello&lt;/b&gt;"
