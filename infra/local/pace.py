"""AWS's slow parts, made slow on request: a dress rehearsal of aws mode waits where a class on AWS waits.

By default the local cloud is quick where AWS is slow, so notebooks in local mode do not wait for nothing: a
distribution is ``Deployed`` on the second read after a change, a certificate is ``ISSUED`` once its validation
records exist, a new role may be assumed at once. Where AWS takes its time (minutes, for a distribution to
deploy: CloudFront Developer Guide, "the distribution's status is InProgress until it is deployed"; a while, for
ACM to see the validation records; seconds, for a new IAM role to be usable, as IAM is eventually consistent,
IAM User Guide, "Troubleshoot IAM": Lambda's CreateFunction answers ``InvalidParameterValueException`` "The role
defined for the function cannot be assumed by Lambda." meanwhile), these variables, read when the local cloud
starts, make it take that long:

| variable | what takes that many seconds |
|---|---|
| ``KIT_PACE_CLOUDFRONT_S`` | a distribution, from a change until ``Deployed`` (instead of two reads) |
| ``KIT_PACE_ACM_S`` | a certificate, from the moment all its validation records exist until ``ISSUED`` |
| ``KIT_PACE_IAM_S`` | a role, from its creation until Lambda may assume it |

Choice: the figures are the rehearsal's to choose (``tests/integration/test_aws_rehearsal.py`` uses a few seconds);
AWS's own vary.
"""

from __future__ import annotations

import os


def seconds(name: str) -> float:
    """The pace set for ``name`` (``CLOUDFRONT``, ``ACM``, ``IAM``); 0 when unset or unreadable."""
    try:
        return max(0.0, float(os.environ.get(f"KIT_PACE_{name}_S") or 0))
    except ValueError:
        return 0.0
