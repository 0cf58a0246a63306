"""A typing effect: the answer arrives word by word, like a chat assistant's (the talk's "dynamic content").

``GET /?text=...`` or ``POST /`` with ``{"text": "...", "delay": 0.1}``: the text (or a default answer) is
streamed one word at a time, ``delay`` seconds apart. Runs with ``streaming_runtime.py``. Standard library only.
"""

import base64
import json
import time

DEFAULT_TEXT = (
    "A Function URL gives your function its own HTTPS endpoint. With response streaming, the first words "
    "reach you while the rest are still being written."
)


def _request(event):
    query = event.get("queryStringParameters") or {}
    if event["requestContext"]["http"]["method"] == "POST" and event.get("body"):
        raw = event["body"]
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8", "replace")
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError('the body must be a JSON object such as {"text": "..."}')
        return str(data.get("text") or DEFAULT_TEXT), float(data.get("delay", 0.1))
    return query.get("text") or DEFAULT_TEXT, float(query.get("delay", "0.1"))


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
