"""An ordinary JSON API behind a Function URL: GET reads the query string, POST reads a JSON body.

Routes (payload format 2.0 event, as a Function URL sends it):
- ``GET /hello?name=...``   -> ``{"message": "Hello, <name>!"}``
- ``GET /event``            -> the whole event the function received (to study its anatomy)
- ``POST /items``           -> echoes the JSON body back with the item's size; a body that is not
                               JSON gets 400 with a message that says what is wrong
- anything else             -> 404, and a method other than GET/POST -> 405

Standard library only: it runs unchanged on AWS Lambda's Python runtimes.
"""

import base64
import json


def _response(status, payload, headers=None):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(payload),
    }


def _json_body(event):
    raw = event.get("body")
    if raw is None:
        raise ValueError("the request has no body: send a JSON document")
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def handler(event, context):
    method = event["requestContext"]["http"]["method"]
    path = event.get("rawPath", "/")
    query = event.get("queryStringParameters") or {}

    if method == "GET" and path in ("/", "/hello"):
        return _response(200, {"message": f"Hello, {query.get('name', 'world')}!", "query": query})
    if method == "GET" and path == "/event":
        return _response(200, event)
    if method == "POST" and path == "/items":
        try:
            item = _json_body(event)
        except ValueError as exc:
            return _response(400, {"error": str(exc)})
        return _response(201, {"received": item, "size": len(json.dumps(item))})
    if method not in ("GET", "POST"):
        return _response(405, {"error": f"method {method} is not allowed"}, {"allow": "GET, POST"})
    return _response(404, {"error": f"no route for {method} {path}"})
