"""The first function: says hello, and counts the invocations its execution environment has served.

The counter lives in a module global, so it survives between invocations of a warm environment and
starts again at 1 in a new (cold) one.
"""

import json
import os

INVOCATIONS = 0


def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    print(json.dumps({"greeting_for": name, "invocations_in_this_environment": INVOCATIONS}))
    return {
        "message": f"Hello, {name}!",
        "invocations_in_this_environment": INVOCATIONS,
        "function_version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
        "request_id": context.aws_request_id,
    }
