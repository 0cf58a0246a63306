"""The counter, buffered: it counts (one line every ``interval`` seconds) and answers once, at the end.

Behind API Gateway (a REST API with a Lambda proxy integration) it shows the 29-second integration timeout;
behind a BUFFERED Function URL it answers after the whole count. Standard library only.
"""

import json
import time


def handler(event, context):
    query = (event or {}).get("queryStringParameters") or {}
    try:
        to = min(max(int(query.get("to", "35")), 1), 900)
        interval = min(max(float(query.get("interval", "1")), 0.0), 10.0)
    except ValueError:
        return {
            "statusCode": 400,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"error": "'to' must be a whole number and 'interval' a number of seconds"}),
        }
    started = time.monotonic()
    lines = []
    for count in range(1, to + 1):
        if count > 1:
            time.sleep(max(0.0, started + (count - 1) * interval - time.monotonic()))
        lines.append(f"{count} {time.monotonic() - started:.3f}")
    return {
        "statusCode": 200,
        "headers": {"content-type": "text/plain; charset=utf-8"},
        "body": "\n".join(lines) + "\n",
    }
