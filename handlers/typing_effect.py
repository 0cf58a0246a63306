"""A typing effect: the answer arrives word by word, like a chat assistant's (the talk's "dynamic content").

``GET /?text=...`` or ``POST /`` with ``{"text": "...", "delay": 0.1}``: the text (or a default answer) is
streamed one word at a time, ``delay`` seconds apart. The default answer is in the language the function's
``ANSWER_LANGUAGE`` environment variable names (``en``, the default, or ``ko``: the talk's answer streamed in
Korean), which the kit sets from its own language setting. Runs with ``streaming_runtime.py``. Standard
library only.
"""

import base64
import json
import os
import time

ANSWERS = {
    "en": (
        "A Function URL gives your function its own HTTPS endpoint. With response streaming, the first words "
        "reach you while the rest are still being written."
    ),
    "ko": (
        "함수 URL은 함수에 전용 HTTPS 엔드포인트를 줍니다. 응답 스트리밍을 쓰면 나머지 답을 아직 쓰고 있는 "
        "동안에도 첫 단어가 먼저 도착합니다."
    ),
}
DEFAULT_TEXT = ANSWERS["en"]


def default_answer():
    """The answer in ``ANSWER_LANGUAGE`` (English when it is unset or names a language this handler lacks)."""
    return ANSWERS.get(os.environ.get("ANSWER_LANGUAGE", "en").strip().lower(), DEFAULT_TEXT)


def _request(event):
    query = event.get("queryStringParameters") or {}
    if event["requestContext"]["http"]["method"] == "POST" and event.get("body"):
        raw = event["body"]
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8", "replace")
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError('the body must be a JSON object such as {"text": "..."}')
        return str(data.get("text") or default_answer()), float(data.get("delay", 0.1))
    return query.get("text") or default_answer(), float(query.get("delay", "0.1"))


def handler(event, context):
    try:
        text, delay = _request(event)
    except ValueError as exc:
        return {
            "statusCode": 400,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"error": str(exc)}),
        }
    delay = min(max(delay, 0.0), 2.0)

    def words():
        for index, word in enumerate(text.split(" ")):
            if index:
                time.sleep(delay)
            yield word if index == 0 else " " + word

    return {"statusCode": 200, "headers": {"content-type": "text/plain; charset=utf-8"}, "body": words()}
