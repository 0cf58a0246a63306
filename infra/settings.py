"""The kit's mode and settings, chosen in one place.

``local`` (the default) needs nothing but the kit: every AWS call goes to the local cloud on loopback.
``aws`` is an explicit opt-in for a real account: ``KIT_MODE=aws`` with ``KIT_AWS_PROFILE`` (optional),
``KIT_REGION`` and ``KIT_LEARNER`` (required, so thirty learners in one account never collide).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MODES = ("local", "aws")
DEFAULT_REGION = "ap-northeast-2"  # the talk's region (Seoul)
_LEARNER = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    mode: str = "local"
    region: str = DEFAULT_REGION
    learner: str = "learner"
    profile: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("KIT_MODE", "local").strip().lower() or "local"
        if mode not in MODES:
            raise SettingsError(f"KIT_MODE={mode!r} is not a mode: use 'local' (the default) or 'aws'.")
        learner = env.get("KIT_LEARNER", "").strip().lower()
        if mode == "aws" and not learner:
            raise SettingsError(
                "aws mode needs a learner prefix so that your resources never collide with anyone else's: "
                "set KIT_LEARNER (e.g. KIT_LEARNER=alice) and restart the kernel."
            )
        learner = learner or "learner"
        if not _LEARNER.match(learner):
            raise SettingsError(
                f"KIT_LEARNER={learner!r} must start with a letter and use only a-z, 0-9 and '-' "
                "(at most 20 characters)."
            )
        region = env.get("KIT_REGION", "").strip() or DEFAULT_REGION
        return cls(mode=mode, region=region, learner=learner, profile=env.get("KIT_AWS_PROFILE") or None)

    def name(self, suffix: str) -> str:
        """A resource name carrying the learner prefix."""
        return f"{self.learner}-{suffix}"

    @property
    def tags(self) -> dict[str, str]:
        """Tags on every resource the kit creates."""
        return {"kit": "lambda-url-kit", "learner": self.learner}
