"""A function that says which release and which version answered: for versions, aliases and blue/green.

``RELEASE`` is configuration (an environment variable), so a published version keeps the value it had when it
was published; ``context.function_version`` is the version that ran (``$LATEST``, ``1``, ``2``), whichever
alias was invoked; ``AWS_LAMBDA_INITIALIZATION_TYPE`` says how its execution environment started
(``on-demand`` or ``provisioned-concurrency``). An event ``{"hold": 1}`` keeps the environment busy for that
many seconds (at most 5), so that requests sent at once need environments of their own.
"""

import os
import time


def handler(event, context):
    if isinstance(event, dict) and event.get("hold"):
        time.sleep(min(float(event["hold"]), 5.0))
    arn = context.invoked_function_arn.split(":")  # ...:function:<name>[:<alias or version>]
    return {
        "release": os.environ.get("RELEASE", "unreleased"),
        "version": context.function_version,
        "invoked_as": arn[7] if len(arn) > 7 else "unqualified",
        "initialization": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE", "unknown"),
    }
