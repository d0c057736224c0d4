"""Settings: defaults, validation that names the variable, secrets that never print."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak.entrypoints.settings import Env, LogFormat, SettingsError, load_settings


def test_embedded_defaults(tmp_path: Path) -> None:
    settings = load_settings({"HT_VAR_DIR": str(tmp_path)}, dotenv=None)
    assert settings.env is Env.DEV
    assert settings.database.is_sqlite
    assert settings.database.url.reveal().endswith("haztrak.sqlite3")
    assert settings.redis_url is None
    assert (settings.http.host, settings.http.port) == ("127.0.0.1", 8000)
    assert settings.log.format is LogFormat.CONSOLE
    assert settings.rcrainfo.env == "sandbox"
    assert (settings.database.pool_size, settings.database.read_pool_size) == (10, 4)


def test_dev_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings({"HT_VAR_DIR": str(tmp_path)}, dotenv=None)
    second = load_settings({"HT_VAR_DIR": str(tmp_path)}, dotenv=None)
    assert first.secret_key == second.secret_key
    assert len(first.secret_key.reveal()) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_prod_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HT_SECRET_KEY is required"):
        load_settings({"HT_ENV": "prod", "HT_VAR_DIR": str(tmp_path)}, dotenv=None)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HT_ENV", "staging", "HT_ENV='staging' is not allowed; use one of: dev, prod"),
        ("HT_PORT", "eighty", "HT_PORT='eighty' is not a whole number (1-65535)"),
        ("HT_PORT", "70000", "HT_PORT=70000 is out of range; use 1-65535"),
        ("HT_LOG_FORMAT", "xml", "HT_LOG_FORMAT='xml' is not allowed; use one of: console, json"),
        ("HT_LOG_LEVEL", "loud", "HT_LOG_LEVEL='LOUD' is not allowed"),
        ("HT_DATABASE_URL", "mysql://x", "HT_DATABASE_URL must start with"),
        ("HT_REDIS_URL", "http://x", "HT_REDIS_URL must start with"),
        ("HT_SECRET_KEY", "short", "HT_SECRET_KEY must be at least 32 characters"),
        ("HT_CORS_ORIGINS", "ftp://x", "HT_CORS_ORIGINS"),
        ("HT_RCRAINFO_ENV", "http://plain", "HT_RCRAINFO_ENV must be sandbox"),
        ("HT_DATABASE_READ_POOL_SIZE", "0", "HT_DATABASE_READ_POOL_SIZE=0 is out of range"),
    ],
)
def test_a_bad_value_names_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"HT_VAR_DIR": str(tmp_path), variable: value}, dotenv=None)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_postgres_urls_are_normalised_and_their_password_hidden(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "HT_VAR_DIR": str(tmp_path),
            "HT_DATABASE_URL": "postgresql://app:hunter2@db:5432/haztrak",
            "HT_REDIS_URL": "redis://:redispass@cache:6379/0",
        },
        dotenv=None,
    )
    assert settings.database.url.reveal() == "postgresql+asyncpg://app:hunter2@db:5432/haztrak"
    assert settings.database.display_url == "postgresql+asyncpg://app:***@db:5432/haztrak"
    assert "hunter2" not in repr(settings)
    assert "redispass" not in repr(settings)
    assert settings.secret_key.reveal() not in repr(settings)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("HT_PORT=9001\nHT_HOST=0.0.0.0\nOTHER=ignored\n")
    settings = load_settings({"HT_VAR_DIR": str(tmp_path), "HT_PORT": "9002"}, dotenv=dotenv)
    assert settings.http.port == 9002
    assert settings.http.host == "0.0.0.0"


def test_the_sandbox_keeps_its_state_in_the_var_dir_unless_told_otherwise(tmp_path: Path) -> None:
    def state_file(**environ: str) -> Path | None:
        values = {"HT_VAR_DIR": str(tmp_path), **environ}
        return load_settings(values, dotenv=None).sandbox.state_file

    assert state_file() == tmp_path / "sandbox" / "state.sqlite3"
    assert state_file(HT_SANDBOX_STATE="memory") is None
    assert state_file(HT_SANDBOX_STATE=" Memory ") is None
    assert state_file(HT_SANDBOX_STATE="/srv/sandbox.sqlite3") == Path("/srv/sandbox.sqlite3")
