"""A counter that streams one line a second, past API Gateway's 29 seconds (the talk's centrepiece).

``GET /?to=35&interval=1`` streams ``to`` lines, one every ``interval`` seconds; each line carries the count,
the seconds since the first line and the wall-clock time it was written (``7 6.004 1795312877.435``), so a
client can see when every line was produced and how long it took to arrive. Runs with
``streaming_runtime.py`` (Function URL InvokeMode RESPONSE_STREAM). Standard library only.
"""

import json
import time

MAX_LINES = 900
MAX_INTERVAL = 10.0


def _bad_request(message):
    return {"statusCode": 400, "headers": {"content-type": "application/json"}, "body": json.dumps({"error": message})}


def handler(event, context):
    query = (event or {}).get("queryStringParameters") or {}
    try:
        to = int(query.get("to", "35"))
        interval = float(query.get("interval", "1"))
    except ValueError:
        return _bad_request("'to' must be a whole number and 'interval' a number of seconds")
    if not 1 <= to <= MAX_LINES or not 0 <= interval <= MAX_INTERVAL:
        return _bad_request(f"'to' must be between 1 and {MAX_LINES}, 'interval' between 0 and {MAX_INTERVAL} seconds")

    def lines():
        started = time.monotonic()
        for count in range(1, to + 1):
            if count > 1:
                time.sleep(max(0.0, started + (count - 1) * interval - time.monotonic()))
            yield f"{count} {time.monotonic() - started:.3f} {time.time():.3f}\n"

    # nosniff: browsers then show text/plain as it arrives instead of waiting for bytes to sniff
    headers = {"content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff"}
    return {"statusCode": 200, "headers": headers, "body": lines()}
