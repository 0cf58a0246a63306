"""Settings.from_env: the one place the mode, region and learner prefix are chosen."""

from __future__ import annotations

import pytest

from infra.settings import DEFAULT_REGION, Settings, SettingsError, suggested_learner


def test_an_empty_environment_gives_local_mode_in_the_talks_region() -> None:
    settings = Settings.from_env({})
    assert settings == Settings(mode="local", region="ap-northeast-2", learner="learner", profile=None)
    assert DEFAULT_REGION == "ap-northeast-2"


def test_blank_values_fall_back_to_the_defaults() -> None:
    settings = Settings.from_env({"KIT_MODE": "  ", "KIT_REGION": " ", "KIT_LEARNER": "", "KIT_AWS_PROFILE": ""})
    assert settings == Settings(mode="local", region="ap-northeast-2", learner="learner", profile=None)


def test_kit_region_overrides_the_default_region() -> None:
    assert Settings.from_env({"KIT_REGION": "us-east-1"}).region == "us-east-1"
    assert Settings.from_env({"KIT_REGION": " eu-west-1 "}).region == "eu-west-1"


def test_from_env_reads_os_environ_when_given_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIT_MODE", "local")
    monkeypatch.setenv("KIT_REGION", "sa-east-1")
    monkeypatch.setenv("KIT_LEARNER", "bob")
    monkeypatch.delenv("KIT_AWS_PROFILE", raising=False)
    assert Settings.from_env() == Settings(mode="local", region="sa-east-1", learner="bob", profile=None)


def test_an_unknown_mode_is_refused_with_what_to_use_instead() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"KIT_MODE": "cloud"})
    assert str(caught.value) == "KIT_MODE='cloud' is not a mode: use 'local' (the default) or 'aws'."
    assert isinstance(caught.value, ValueError)


def test_the_mode_is_case_and_space_insensitive() -> None:
    assert Settings.from_env({"KIT_MODE": " LOCAL "}).mode == "local"
    settings = Settings.from_env({"KIT_MODE": "AWS", "KIT_LEARNER": "alice"})
    assert settings.mode == "aws"
    assert settings.learner == "alice"


def test_aws_mode_without_a_learner_is_refused_with_what_to_set() -> None:
    for environ in ({"KIT_MODE": "aws"}, {"KIT_MODE": "aws", "KIT_LEARNER": "   "}):
        with pytest.raises(SettingsError) as caught:
            Settings.from_env(environ)
        message = str(caught.value)
        assert message == (
            "aws mode needs a learner prefix so that your resources never collide with anyone else's: "
            "set KIT_LEARNER (e.g. KIT_LEARNER=alice) and restart the kernel."
        )


def test_aws_mode_with_learner_profile_and_region() -> None:
    settings = Settings.from_env(
        {"KIT_MODE": "aws", "KIT_LEARNER": "Alice", "KIT_AWS_PROFILE": "workshop", "KIT_REGION": "us-west-2"}
    )
    assert settings == Settings(mode="aws", region="us-west-2", learner="alice", profile="workshop")


@pytest.mark.parametrize(
    "learner",
    ["1alice", "-alice", "al_ice", "al ice", "alice!", "a" * 21, "élise", "alice.smith", "team-7", "bob-2"],
)
@pytest.mark.parametrize("mode", ["local", "aws"])
def test_invalid_learner_names_are_refused(mode: str, learner: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"KIT_MODE": mode, "KIT_LEARNER": learner})
    message = str(caught.value)
    assert message.startswith(
        f"KIT_LEARNER={learner.strip().lower()!r} must start with a letter and use only a-z and 0-9 "
        "(at most 20 characters; no '-', which the kit puts between your name and each resource's). "
    )
    suggestion = suggested_learner(learner.strip().lower())
    assert f"`%env KIT_LEARNER={suggestion}`" in message and "restart the kernel" in message
    assert Settings.from_env({"KIT_MODE": mode, "KIT_LEARNER": suggestion}).learner == suggestion  # it is accepted
    assert caught.value._render_traceback_() == [f"SettingsError: {message}"]  # a notebook shows no traceback


@pytest.mark.parametrize(
    ("given", "suggested"), [("bob-smith", "bobsmith"), ("1alice", "alice"), ("élise", "lise"), ("---", "learner")]
)
def test_a_refused_learner_name_comes_with_one_the_kit_accepts(given: str, suggested: str) -> None:
    assert suggested_learner(given) == suggested


@pytest.mark.parametrize(
    ("given", "kept"),
    [("a", "a"), ("a" * 20, "a" * 20), ("team7", "team7"), ("BOB", "bob"), (" carol ", "carol"), ("x12", "x12")],
)
def test_valid_learner_names_are_kept_in_lower_case(given: str, kept: str) -> None:
    assert Settings.from_env({"KIT_MODE": "aws", "KIT_LEARNER": given}).learner == kept


def test_name_carries_the_learner_prefix() -> None:
    assert Settings(learner="alice").name("api") == "alice-api"
    assert Settings().name("hello-role") == "learner-hello-role"


def test_tags_name_the_kit_and_the_learner() -> None:
    assert Settings(mode="aws", learner="alice").tags == {"kit": "lambda-url-kit", "learner": "alice"}
    assert Settings().tags == {"kit": "lambda-url-kit", "learner": "learner"}


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.mode = "aws"  # type: ignore[misc]


def test_custom_domains_go_under_the_learners_name_in_the_kits_zone() -> None:
    settings = Settings.from_env({"KIT_LEARNER": "alice", "KIT_DOMAIN": "Workshop.Example.com."})
    assert settings.domain == "workshop.example.com"
    assert settings.custom_domain("api") == "api.alice.workshop.example.com"
    assert Settings().custom_domain("api") == "api.learner.kit-workshop.test"


@pytest.mark.parametrize("domain", ["example", "exa mple.com", "-bad.com", "a..b.com", "http://x.com"])
def test_a_domain_that_is_not_one_is_refused(domain: str) -> None:
    with pytest.raises(SettingsError, match="is not a domain name"):
        Settings.from_env({"KIT_DOMAIN": domain})


def test_the_poll_interval_is_the_modes_unless_kit_poll_seconds_says() -> None:
    from infra.kit import Kit

    assert Kit(Settings.from_env({})).poll_seconds == 0.5
    assert Kit(Settings.from_env({"KIT_MODE": "aws", "KIT_LEARNER": "alice"})).poll_seconds == 20.0
    paced = Settings.from_env({"KIT_MODE": "aws", "KIT_LEARNER": "alice", "KIT_POLL_SECONDS": "1.5"})
    assert Kit(paced).poll_seconds == 1.5


@pytest.mark.parametrize("value", ["0", "fast", "1000"])
def test_a_poll_interval_that_is_not_one_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="KIT_POLL_SECONDS"):
        Settings.from_env({"KIT_POLL_SECONDS": value})
