"""The kit's mode and settings, chosen in one place.

``local`` (the default) needs nothing but the kit: every AWS call goes to the local cloud on loopback.
``aws`` is an explicit opt-in for a real account: ``KIT_MODE=aws`` with ``KIT_AWS_PROFILE`` (optional),
``KIT_REGION`` and ``KIT_LEARNER`` (required, so thirty learners in one account never collide).
``KIT_DOMAIN`` names the hosted zone that custom domains go under (notebook 07): in aws mode the
instructor's zone; in local mode it defaults to ``kit-workshop.test``, which the notebook creates.
``KIT_LANG`` (``en`` or ``ko``) is the language of what the kit prints; without it, a kernel started in a
notebook folder named after a language (``notebooks/ko``) speaks that language, any other English. So the
Korean and English notebooks share their code cells character for character.
``KIT_PERMISSIONS_BOUNDARY`` (set by a class's credentials file, ``infra/classroom``) is the ARN of the
permissions boundary the learner's IAM user must give every role and user it creates; the kit adds it to
``CreateRole`` and ``CreateUser``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

MODES = ("local", "aws")
DEFAULT_REGION = "ap-northeast-2"  # the talk's region (Seoul)
# No "-" in a learner's name: every name the kit makes is "<learner>-<what>", so "bob-" can never be the
# start of another learner's names (as "bob-2-api" would be), and cleanup can go by prefix safely.
_LEARNER = re.compile(r"^[a-z][a-z0-9]{0,19}$")
_DOMAIN = re.compile(r"^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LOCAL_DOMAIN = "kit-workshop.test"  # reserved for testing (RFC 2606): never a real domain
LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"


class SettingsError(ValueError):
    """A setting the kit cannot use; the message says which and what to do."""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it in a notebook: the message alone, not a traceback through the kit's code."""
        return [f"SettingsError: {self}"]


def suggested_learner(given: str) -> str:
    """A learner name the kit accepts, made from one it refused (``bob-smith`` -> ``bobsmith``)."""
    kept = "".join(c for c in given.lower() if "a" <= c <= "z" or "0" <= c <= "9").lstrip("0123456789")
    return (kept or "learner")[:20]


def learner_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a learner's name (``None``: nothing), in words that end a sentence."""
    if _LEARNER.match(name):
        return None
    return (
        "must start with a letter and use only a-z and 0-9 "
        "(at most 20 characters; no '-', which the kit puts between your name and each resource's)"
    )


def resolve_language(environ: dict[str, str] | None = None, cwd: str | Path | None = None) -> str:
    """``KIT_LANG`` if set; else the notebook folder's language (``notebooks/ko`` is ``ko``); else English.

    A choice of the kit (no AWS behaviour involved): a Jupyter kernel starts in its notebook's folder, so the
    folder is what tells a Korean notebook's kernel apart from an English one without a line of code in a cell.
    """
    env = os.environ if environ is None else environ
    wanted = env.get("KIT_LANG", "").strip().lower()
    if wanted:
        if wanted not in LANGUAGES:
            raise SettingsError(
                f"KIT_LANG={wanted!r} is not a language of the kit: use 'en' (English, the default) or 'ko' (Korean)."
            )
        return wanted
    folder = Path(os.getcwd() if cwd is None else cwd)
    if folder.name in LANGUAGES and folder.parent.name == "notebooks":
        return folder.name
    return DEFAULT_LANGUAGE


def _poll_seconds(value: str) -> float | None:
    """``KIT_POLL_SECONDS``: a number of seconds between 0.1 and 600, or unset."""
    if not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0.1 <= seconds <= 600:
        raise SettingsError(
            f"KIT_POLL_SECONDS={value!r} is not a number of seconds from 0.1 to 600: unset it or use e.g. 5."
        )
    return seconds


@dataclass(frozen=True)
class Settings:
    mode: str = "local"
    region: str = DEFAULT_REGION
    learner: str = "learner"
    profile: str | None = None
    domain: str = LOCAL_DOMAIN  # the hosted zone custom domains go under
    lang: str = DEFAULT_LANGUAGE  # the language of what the kit prints: "en" or "ko"
    permissions_boundary: str | None = None  # a class's learner: the boundary every role and user they make gets
    poll_seconds: float | None = None  # KIT_POLL_SECONDS: between two checks of a slow deployment (None: the mode's)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, cwd: str | Path | None = None) -> Settings:
        """The settings from ``environ`` (default ``os.environ``); ``cwd`` (default the process's) for the language."""
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
        problem = learner_problem(learner)
        if problem is not None:
            suggestion = suggested_learner(learner)
            raise SettingsError(
                f"KIT_LEARNER={learner!r} {problem}. "
                f"Use, for example, KIT_LEARNER={suggestion}: run `%env KIT_LEARNER={suggestion}` in a cell, or "
                f"start JupyterLab with `KIT_LEARNER={suggestion} python -m infra.lab`; then restart the kernel "
                "and run the notebook again."
            )
        region = env.get("KIT_REGION", "").strip() or DEFAULT_REGION
        domain = env.get("KIT_DOMAIN", "").strip().lower().rstrip(".") or LOCAL_DOMAIN
        if not _DOMAIN.match(domain):
            raise SettingsError(f"KIT_DOMAIN={domain!r} is not a domain name: use e.g. KIT_DOMAIN=example.com.")
        return cls(
            mode=mode,
            region=region,
            learner=learner,
            profile=env.get("KIT_AWS_PROFILE") or None,
            domain=domain,
            lang=resolve_language(env, cwd),
            permissions_boundary=env.get("KIT_PERMISSIONS_BOUNDARY", "").strip() or None,
            poll_seconds=_poll_seconds(env.get("KIT_POLL_SECONDS", "")),
        )

    def name(self, suffix: str) -> str:
        """A resource name carrying the learner prefix."""
        return f"{self.learner}-{suffix}"

    def custom_domain(self, label: str) -> str:
        """A name of the learner's own under the kit's hosted zone: ``<label>.<learner>.<domain>``."""
        return f"{label}.{self.learner_domain}"

    @property
    def learner_domain(self) -> str:
        """Everything in the hosted zone under this name is the learner's."""
        return f"{self.learner}.{self.domain}"

    @property
    def tags(self) -> dict[str, str]:
        """Tags on every resource the kit creates."""
        return {"kit": "lambda-url-kit", "learner": self.learner}
