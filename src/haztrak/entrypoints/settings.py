"""One frozen settings tree per process, read once from `HT_*` variables and an optional `.env`.

Nothing else in Haztrak reads the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import msgspec
from dotenv import dotenv_values

from haztrak.domain.secrets import Secret

DEFAULT_VAR_DIR = Path("var")
E = TypeVar("E", bound=StrEnum)


class SettingsError(Exception):
    """A setting has a value that is not allowed; the message names the variable."""


class Env(StrEnum):
    DEV = "dev"
    PROD = "prod"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: Secret  # may hold a password
    pool_size: int = 10
    read_pool_size: int = 4
    """Connections of the read-only pool (PostgreSQL) that the read paths share. Few on
    purpose: reads wait their turn in order instead of all running at once on the database,
    which kept the throughput and cut the p99 of the tracking-number list from 1.1 s to
    0.26 s in the benchmark (32 connections, a 2-core machine)."""

    @property
    def is_sqlite(self) -> bool:
        return self.url.reveal().startswith("sqlite")

    @property
    def display_url(self) -> str:
        """The URL without its password, for logs and messages."""
        parts = urlsplit(self.url.reveal())
        if parts.password is None:
            return self.url.reveal()
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()


class HttpSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()
    secure_cookies: bool = False


class LogSettings(msgspec.Struct, frozen=True, kw_only=True):
    level: str = "INFO"
    format: LogFormat = LogFormat.CONSOLE


class TelemetrySettings(msgspec.Struct, frozen=True, kw_only=True):
    """Traces (OTLP) and Prometheus metrics; both off unless configured, and then free: nothing
    is instrumented, no per-request work is added."""

    traces_endpoint: str | None = None
    """The OTLP/HTTP traces URL (`.../v1/traces`): from HT_OTEL_ENDPOINT (a collector's base
    URL), else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT."""
    service_name: str = "haztrak"
    sample_ratio: float = 1.0
    metrics_port: int | None = None
    """Prometheus text on http://HT_METRICS_HOST:HT_METRICS_PORT/metrics, a listener of its
    own that the API's routes and users never reach."""
    metrics_host: str = "127.0.0.1"
    metrics_dir: Path = DEFAULT_VAR_DIR / "metrics"
    """Where the processes of one machine (API workers, task workers, scheduler) write their
    counters; whichever holds the port serves the sum of all."""

    @property
    def tracing(self) -> bool:
        return self.traces_endpoint is not None

    @property
    def metrics(self) -> bool:
        return self.metrics_port is not None


class RcrainfoSettings(msgspec.Struct, frozen=True, kw_only=True):
    """`sandbox` (the embedded e-Manifest sandbox), `preprod`, `prod`, or an https base URL."""

    env: str = "sandbox"
    concurrency: int = 8
    """Requests to RCRAInfo in flight at once, per process."""
    timeout_seconds: int = 30
    ca_bundle: Path | None = None
    """A PEM file of the certificates to trust for RCRAInfo, in place of the system's."""


class TaskSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Background work: the scheduler, retries, worker leases, retention."""

    sync_interval_seconds: int = 15 * 60
    retention_days: int = 30
    max_attempts: int = 100
    max_seconds: int = 60 * 60
    retry_delay_seconds: int = 10
    retry_max_delay_seconds: int = 15 * 60
    lease_seconds: int = 60
    wait_seconds: int = 10
    worker_threads: int = 4


class WebhookSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Webhooks (HT_WEBHOOKS_*): where deliveries may go, their retries, when an endpoint
    that keeps failing is paused, and the base of the links in events (HT_PUBLIC_URL)."""

    allow_private: bool = False
    """Deliveries may reach private, loopback and link-local addresses, and http:// URLs
    (tests, development; refused with HT_ENV=prod)."""
    public_url: str = "http://127.0.0.1:8000"
    retry_delay_seconds: int = 30
    retry_max_delay_seconds: int = 3600
    retry_max_seconds: int = 86_400
    pause_after_failures: int = 10
    pause_after_seconds: int = 12 * 3600


class StorageBackend(StrEnum):
    FOLDER = "folder"
    S3 = "s3"


class StorageSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where documents (scanned manifests, copies of record) are kept: a folder
    (HT_STORAGE_FOLDER, default HT_VAR_DIR/documents) or an S3-compatible bucket."""

    backend: StorageBackend = StorageBackend.FOLDER
    folder: Path = DEFAULT_VAR_DIR / "documents"
    bucket: str | None = None
    prefix: str = ""
    """Keys go under this prefix in the bucket (several deployments may share one)."""
    endpoint_url: str | None = None
    """An S3-compatible server (MinIO, Ceph...); none for AWS S3 itself."""
    region: str | None = None
    access_key_id: Secret | None = None
    secret_access_key: Secret | None = None
    """Without keys, boto3's own chain (instance role, AWS_* variables) supplies them."""


SANDBOX_TOKEN_TTL_SECONDS = 20 * 60  # RCRAInfo's security tokens live 20 minutes
SANDBOX_LOCKOUT_THRESHOLD = 3  # RCRAInfo locks an API ID after three failed logins
SANDBOX_PAGE_SIZE = 100
SANDBOX_ERROR_STATUSES = (500, 503)


class SandboxSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The e-Manifest sandbox: its fault injection (HT_SANDBOX_*) and where its certificate is."""

    environment: str = "dev"
    token_ttl_seconds: int = SANDBOX_TOKEN_TTL_SECONDS
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate: float = 0.0
    fault_seed: int = 0
    page_size: int = SANDBOX_PAGE_SIZE
    lockout_threshold: int = SANDBOX_LOCKOUT_THRESHOLD
    cert_dir: Path = DEFAULT_VAR_DIR / "sandbox"
    state_file: Path | None = None
    """The SQLite file the sandbox keeps its state in (HT_SANDBOX_STATE; loaded settings default
    to HT_VAR_DIR/sandbox/state.sqlite3); None keeps it in memory, forgotten at exit."""

    @property
    def is_prod(self) -> bool:
        return self.environment.strip().lower() == "prod"


SMTP_SECURITY = ("starttls", "tls", "none")


class SmtpSettings(msgspec.Struct, frozen=True, kw_only=True):
    """E-mail of notices (HT_SMTP_*): off unless HT_SMTP_HOST is set. `security`: starttls
    (upgrade a plain connection, port 587), tls (TLS from the start, port 465) or none (a
    local relay only)."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: Secret | None = None
    sender: str = "Haztrak <haztrak@localhost>"
    security: str = "starttls"
    timeout_seconds: int = 30

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Env
    secret_key: Secret
    var_dir: Path
    database: DatabaseSettings
    redis_url: Secret | None
    http: HttpSettings
    log: LogSettings
    rcrainfo: RcrainfoSettings
    tasks: TaskSettings = TaskSettings()
    sandbox: SandboxSettings = SandboxSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    webhooks: WebhookSettings = WebhookSettings()
    smtp: SmtpSettings = SmtpSettings()
    storage: StorageSettings = StorageSettings()

    @property
    def is_prod(self) -> bool:
        return self.env is Env.PROD


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _choice(environ: Mapping[str, str], name: str, enum: type[E], default: E) -> E:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise SettingsError(f"{name}={raw!r} is not allowed; use one of: {allowed}") from None


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number ({low}-{high})") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} is out of range; use {low}-{high}")
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Seconds, from a number of minutes or a number with a unit: 30s, 15m, 2h, 1d."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    number, unit = (raw[:-1], raw[-1]) if raw[-1] in _UNITS else (raw, "m")
    try:
        value = int(number) * _UNITS[unit]
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a duration; use minutes, or a number with s, m, h or d"
        ) from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is out of range; use {low}s-{high}s")
    return value


def _task_settings(environ: Mapping[str, str]) -> TaskSettings:
    delay = _int(environ, "HT_TASK_RETRY_DELAY_SECONDS", 10, 0, 3600)
    max_delay = _int(environ, "HT_TASK_RETRY_MAX_DELAY_SECONDS", 15 * 60, 1, 86400)
    if max_delay < delay:
        raise SettingsError(
            f"HT_TASK_RETRY_MAX_DELAY_SECONDS={max_delay} is less than "
            f"HT_TASK_RETRY_DELAY_SECONDS={delay}"
        )
    return TaskSettings(
        sync_interval_seconds=_duration(environ, "HT_SYNC_INTERVAL", 15 * 60, 60, 86400),
        retention_days=_int(environ, "HT_TASK_RETENTION_DAYS", 30, 1, 3650),
        max_attempts=_int(environ, "HT_TASK_MAX_ATTEMPTS", 100, 1, 10_000),
        max_seconds=_int(environ, "HT_TASK_MAX_SECONDS", 60 * 60, 1, 7 * 86400),
        retry_delay_seconds=delay,
        retry_max_delay_seconds=max_delay,
        lease_seconds=_int(environ, "HT_TASK_LEASE_SECONDS", 60, 1, 86400),
        wait_seconds=_int(environ, "HT_TASK_WAIT_SECONDS", 10, 0, 120),
        worker_threads=_int(environ, "HT_WORKER_THREADS", 4, 1, 64),
    )


def _database_url(environ: Mapping[str, str], var_dir: Path) -> str:
    raw = environ.get("HT_DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite+aiosqlite:///{(var_dir / 'haztrak.sqlite3').resolve()}"
    scheme = urlsplit(raw).scheme
    if scheme in ("postgres", "postgresql"):
        raw = "postgresql+asyncpg://" + raw.split("://", 1)[1]
    elif scheme == "sqlite":
        raw = "sqlite+aiosqlite://" + raw.split("://", 1)[1]
    elif scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        raise SettingsError(
            "HT_DATABASE_URL must start with postgresql+asyncpg:// or sqlite+aiosqlite:///"
        )
    return raw


def _redis_url(environ: Mapping[str, str]) -> Secret | None:
    raw = environ.get("HT_REDIS_URL", "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError("HT_REDIS_URL must start with redis://, rediss:// or unix://")
    return Secret(raw)


def _secret_key(environ: Mapping[str, str], env: Env, var_dir: Path) -> Secret:
    raw = environ.get("HT_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError("HT_SECRET_KEY must be at least 32 characters")
        return Secret(raw)
    if env is Env.PROD:
        raise SettingsError("HT_SECRET_KEY is required when HT_ENV=prod")
    # Development: generate one on first start and keep it, so sessions and keys survive.
    path = var_dir / "secret_key"
    if path.exists():
        return Secret(path.read_text().strip())
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return Secret(key)


def _rcrainfo_env(environ: Mapping[str, str]) -> str:
    raw = environ.get("HT_RCRAINFO_ENV", "").strip() or "sandbox"
    if raw.lower() in ("sandbox", "preprod", "prod"):
        return raw.lower()
    if not raw.startswith("https://"):
        raise SettingsError(
            "HT_RCRAINFO_ENV must be sandbox, preprod, prod or an https:// base URL"
        )
    return raw if raw.endswith("/") else raw + "/"


def _ca_bundle(environ: Mapping[str, str]) -> Path | None:
    raw = environ.get("HT_RCRAINFO_CA_BUNDLE", "").strip()
    if not raw:
        return None
    if not Path(raw).is_file():
        raise SettingsError(f"HT_RCRAINFO_CA_BUNDLE={raw!r} is not a file")
    return Path(raw)


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Read the settings; a bad value raises SettingsError naming the variable."""
    values: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        values |= {k: v for k, v in dotenv_values(dotenv).items() if v is not None}
    values |= dict(os.environ if environ is None else environ)
    values = {k: v for k, v in values.items() if k.startswith(("HT_", "OTEL_"))}

    env = _choice(values, "HT_ENV", Env, Env.DEV)
    var_dir = Path(values.get("HT_VAR_DIR", "").strip() or DEFAULT_VAR_DIR)
    level = values.get("HT_LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in _LOG_LEVELS:
        raise SettingsError(
            f"HT_LOG_LEVEL={level!r} is not allowed; use one of: " + ", ".join(_LOG_LEVELS)
        )
    origins = tuple(o.strip() for o in values.get("HT_CORS_ORIGINS", "").split(",") if o.strip())
    for origin in origins:
        if urlsplit(origin).scheme not in ("http", "https") and origin != "*":
            raise SettingsError(f"HT_CORS_ORIGINS: {origin!r} is not an http(s) origin")
    return Settings(
        env=env,
        secret_key=_secret_key(values, env, var_dir),
        var_dir=var_dir,
        database=DatabaseSettings(
            url=Secret(_database_url(values, var_dir)),
            pool_size=_int(values, "HT_DATABASE_POOL_SIZE", 10, 1, 200),
            read_pool_size=_int(values, "HT_DATABASE_READ_POOL_SIZE", 4, 1, 200),
        ),
        redis_url=_redis_url(values),
        http=HttpSettings(
            host=values.get("HT_HOST", "").strip() or "127.0.0.1",
            port=_int(values, "HT_PORT", 8000, 1, 65535),
            cors_origins=origins,
            secure_cookies=env is Env.PROD,
        ),
        log=LogSettings(
            level=level, format=_choice(values, "HT_LOG_FORMAT", LogFormat, LogFormat.CONSOLE)
        ),
        rcrainfo=RcrainfoSettings(
            env=_rcrainfo_env(values),
            concurrency=_int(values, "HT_RCRAINFO_CONCURRENCY", 8, 1, 64),
            timeout_seconds=_int(values, "HT_RCRAINFO_TIMEOUT", 30, 1, 300),
            ca_bundle=_ca_bundle(values),
        ),
        tasks=_task_settings(values),
        sandbox=_sandbox_settings(values, env, var_dir),
        telemetry=_telemetry_settings(values, var_dir),
        webhooks=_webhook_settings(values, env),
        smtp=_smtp_settings(values),
        storage=_storage_settings(values, var_dir),
    )


def _storage_settings(environ: Mapping[str, str], var_dir: Path) -> StorageSettings:
    backend = _choice(environ, "HT_STORAGE_BACKEND", StorageBackend, StorageBackend.FOLDER)
    folder = environ.get("HT_STORAGE_FOLDER", "").strip()
    bucket = environ.get("HT_STORAGE_BUCKET", "").strip() or None
    endpoint = environ.get("HT_STORAGE_ENDPOINT", "").strip() or None
    key_id = environ.get("HT_STORAGE_ACCESS_KEY_ID", "").strip()
    secret = environ.get("HT_STORAGE_SECRET_ACCESS_KEY", "").strip()
    if backend is StorageBackend.S3 and bucket is None:
        raise SettingsError("HT_STORAGE_BUCKET is required when HT_STORAGE_BACKEND=s3")
    if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
        raise SettingsError("HT_STORAGE_ENDPOINT must be an http:// or https:// URL")
    if bool(key_id) != bool(secret):
        raise SettingsError("HT_STORAGE_ACCESS_KEY_ID and HT_STORAGE_SECRET_ACCESS_KEY go together")
    return StorageSettings(
        backend=backend,
        folder=Path(folder) if folder else var_dir / "documents",
        bucket=bucket,
        prefix=environ.get("HT_STORAGE_PREFIX", "").strip().strip("/"),
        endpoint_url=endpoint,
        region=environ.get("HT_STORAGE_REGION", "").strip() or None,
        access_key_id=Secret(key_id) if key_id else None,
        secret_access_key=Secret(secret) if secret else None,
    )


def _webhook_settings(environ: Mapping[str, str], env: Env) -> WebhookSettings:
    raw = environ.get("HT_WEBHOOKS_ALLOW_PRIVATE", "").strip().lower()
    if raw not in ("", "0", "1", "true", "false", "yes", "no"):
        raise SettingsError(f"HT_WEBHOOKS_ALLOW_PRIVATE={raw!r} is not allowed; use true or false")
    allow_private = raw in ("1", "true", "yes")
    if allow_private and env is Env.PROD:
        raise SettingsError("HT_WEBHOOKS_ALLOW_PRIVATE is not allowed when HT_ENV=prod")
    public_url = environ.get("HT_PUBLIC_URL", "").strip().rstrip("/")
    if public_url and urlsplit(public_url).scheme not in ("http", "https"):
        raise SettingsError("HT_PUBLIC_URL must be an http:// or https:// URL")
    if not public_url:
        host = environ.get("HT_HOST", "").strip() or "127.0.0.1"
        public_url = f"http://{host}:{environ.get('HT_PORT', '').strip() or 8000}"
    delay = _int(environ, "HT_WEBHOOKS_RETRY_DELAY_SECONDS", 30, 0, 3600)
    return WebhookSettings(
        allow_private=allow_private,
        public_url=public_url,
        retry_delay_seconds=delay,
        retry_max_delay_seconds=max(
            _int(environ, "HT_WEBHOOKS_RETRY_MAX_DELAY_SECONDS", 3600, 1, 86_400), delay
        ),
        retry_max_seconds=_duration(environ, "HT_WEBHOOKS_RETRY_FOR", 86_400, 1, 7 * 86_400),
        pause_after_failures=_int(environ, "HT_WEBHOOKS_PAUSE_AFTER_FAILURES", 10, 1, 10_000),
        pause_after_seconds=_duration(
            environ, "HT_WEBHOOKS_PAUSE_AFTER", 12 * 3600, 0, 30 * 86_400
        ),
    )


def _smtp_settings(environ: Mapping[str, str]) -> SmtpSettings:
    host = environ.get("HT_SMTP_HOST", "").strip() or None
    security = environ.get("HT_SMTP_SECURITY", "").strip().lower() or "starttls"
    if security not in SMTP_SECURITY:
        raise SettingsError(
            f"HT_SMTP_SECURITY={security!r} is not allowed; use one of: " + ", ".join(SMTP_SECURITY)
        )
    password = environ.get("HT_SMTP_PASSWORD", "")
    default_port = 465 if security == "tls" else 587
    return SmtpSettings(
        host=host,
        port=_int(environ, "HT_SMTP_PORT", default_port, 1, 65535),
        username=environ.get("HT_SMTP_USERNAME", "").strip() or None,
        password=Secret(password) if password else None,
        sender=environ.get("HT_SMTP_FROM", "").strip() or "Haztrak <haztrak@localhost>",
        security=security,
        timeout_seconds=_int(environ, "HT_SMTP_TIMEOUT", 30, 1, 300),
    )


def _traces_endpoint(environ: Mapping[str, str]) -> str | None:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return None
    name, url = "HT_OTEL_ENDPOINT", environ.get("HT_OTEL_ENDPOINT", "").strip()
    full = False
    if not url:
        name = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
        url, full = environ.get(name, "").strip(), True
    if not url:
        name, full = "OTEL_EXPORTER_OTLP_ENDPOINT", False
        url = environ.get(name, "").strip()
    if not url:
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        raise SettingsError(f"{name} must be an http:// or https:// URL (OTLP over HTTP)")
    return url if full else url.rstrip("/") + "/v1/traces"


def _telemetry_settings(environ: Mapping[str, str], var_dir: Path) -> TelemetrySettings:
    ratio = environ.get("HT_OTEL_SAMPLE_RATIO", "").strip()
    metrics_dir = environ.get("HT_METRICS_DIR", "").strip()
    return TelemetrySettings(
        traces_endpoint=_traces_endpoint(environ),
        service_name=(
            environ.get("OTEL_SERVICE_NAME", "").strip()
            or environ.get("HT_OTEL_SERVICE_NAME", "").strip()
            or "haztrak"
        ),
        sample_ratio=_rate(environ, "HT_OTEL_SAMPLE_RATIO") if ratio else 1.0,
        metrics_port=_int(environ, "HT_METRICS_PORT", 0, 1, 65535)
        if environ.get("HT_METRICS_PORT", "").strip()
        else None,
        metrics_host=environ.get("HT_METRICS_HOST", "").strip() or "127.0.0.1",
        metrics_dir=Path(metrics_dir) if metrics_dir else var_dir / "metrics",
    )


def _rate(environ: Mapping[str, str], name: str) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise SettingsError(f"{name}={value} is out of range; use 0 to 1")
    return value


def _sandbox_settings(environ: Mapping[str, str], env: Env, var_dir: Path) -> SandboxSettings:
    error_status = _int(environ, "HT_SANDBOX_ERROR_STATUS", 503, 100, 599)
    if error_status not in SANDBOX_ERROR_STATUSES:
        raise SettingsError(
            f"HT_SANDBOX_ERROR_STATUS={error_status} is not allowed; use 500 or 503"
        )
    cert_dir = environ.get("HT_SANDBOX_CERT_DIR", "").strip()
    return SandboxSettings(
        environment=env.value,
        token_ttl_seconds=_int(
            environ, "HT_SANDBOX_TOKEN_TTL", SANDBOX_TOKEN_TTL_SECONDS, 1, 86_400
        ),
        latency_ms=_int(environ, "HT_SANDBOX_LATENCY_MS", 0, 0, 60_000),
        error_rate=_rate(environ, "HT_SANDBOX_ERROR_RATE"),
        error_status=error_status,
        drop_rate=_rate(environ, "HT_SANDBOX_DROP_RATE"),
        fault_seed=_int(environ, "HT_SANDBOX_FAULT_SEED", 0, 0, 2**31 - 1),
        page_size=_int(environ, "HT_SANDBOX_PAGE_SIZE", SANDBOX_PAGE_SIZE, 1, 10_000),
        cert_dir=Path(cert_dir) if cert_dir else var_dir / "sandbox",
        state_file=_sandbox_state_file(environ, var_dir),
    )


SANDBOX_STATE_MEMORY = "memory"


def _sandbox_state_file(environ: Mapping[str, str], var_dir: Path) -> Path | None:
    raw = environ.get("HT_SANDBOX_STATE", "").strip()
    if raw.lower() == SANDBOX_STATE_MEMORY:
        return None
    return Path(raw) if raw else var_dir / "sandbox" / "state.sqlite3"
