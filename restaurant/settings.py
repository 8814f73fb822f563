"""Settings, read from the environment (see .env.example). Defaults give a working first run:
SQLite, Celery on kombu's filesystem transport, DEBUG on. Production sets DJANGO_DEBUG=false and
the secrets, which then have no defaults."""

import ipaddress
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Variables already in the environment win over the file; DJANGO_ENV_FILE points elsewhere (or to /dev/null).
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: an unknown value is a configuration error, not False."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = env_bool("DJANGO_TESTING", False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-insecure-" + "x" * 50)
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default in production: fail fast

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "channels",
    "restaurant",
    "floor",
    "staff",
    "scheduling",
    "vision",
    "simulator",
]

MIDDLEWARE = [
    # First: every later part reads the client's address from REMOTE_ADDR (see restaurant/middleware.py).
    "restaurant.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "restaurant.middleware.ApiNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "restaurant.urls"
WSGI_APPLICATION = "restaurant.wsgi.application"
ASGI_APPLICATION = "restaurant.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "restaurant.context_processors.current_restaurant",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs in a fresh thread, so CONN_MAX_AGE reuses nothing: a pool does
    # (bench/bench_floor_api.py measured one new connection per request without it).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=20),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and wait for it, instead of failing with
    # "database is locked" when two seatings meet (SQLite is for a first run, but hosts still race).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "restaurant.login_guard.AccountLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock an account+address pair after a few failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# A locked-out login gets this page with status 429 (axes' default code) instead of plain text.
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Axes reads REMOTE_ADDR, which TrustedProxyMiddleware set from the proxies below (never a client's header).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Each account's failures across all addresses (restaurant/login_guard.py): over the limit within the
# window, only devices that logged into the account before may try; the window does not slide.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_ACCOUNT_COOLOFF_MINUTES = env.int("LOGIN_ACCOUNT_COOLOFF_MINUTES", default=15)
LOGIN_KNOWN_DEVICE_DAYS = env.int("LOGIN_KNOWN_DEVICE_DAYS", default=90)

# Reverse proxies whose X-Forwarded-For/-Proto are believed: addresses or networks, comma-separated.
# Default none: the peer is the client. The web servers run with their own proxy handling off.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error} (use addresses or networks, comma-separated)") from None

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "restaurant.staticfiles.StaticFilesStorage"
    },
}
# In DEBUG whitenoise serves straight from the apps' static folders, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

# --- Cache (throttling counters live here) ---
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Channels (live floor updates) ---
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ---
CELERY_QUEUE_DIR = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery-queue")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # No server needed: kombu keeps messages as files; in and out must be the same folder.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"vision.tasks.*": {"queue": "vision"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- REST framework ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "restaurant.authentication.ApiKeyAuthentication",
        "restaurant.authentication.SessionAuthentication",
    ],
    # JSON only (restaurant/api/parsers.py): a form or multipart body is a 415, and the schema says so.
    "DEFAULT_PARSER_CLASSES": ["restaurant.api.parsers.JSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "restaurant.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "restaurant.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "restaurant.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "restaurant.api.throttling.AnonThrottle",
        "restaurant.api.throttling.ClientRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "client": env.str("API_THROTTLE_CLIENT", default="1200/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles count by REMOTE_ADDR alone (TrustedProxyMiddleware has set it), never X-Forwarded-For.
    "NUM_PROXIES": 0,
}

# Request bodies: larger is a 413, nested deeper a 400, both before the body is parsed.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)

SPECTACULAR_SETTINGS = {
    "TITLE": "Restaurant Ops API",
    "DESCRIPTION": "Floor, staff, scheduling and vision API for POS and frontend integrators. "
    "Authenticate with a session or `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "restaurant.api.schema.local_times_as_partial_time",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI's files come from the drf-spectacular-sidecar package: /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TAGS": [
        {"name": "restaurants", "description": "The caller's restaurants and their settings."},
        {"name": "floor", "description": "Sections and tables: the floor's setup."},
        {"name": "menu", "description": "Menu items, as the POS knows them."},
        {"name": "staff", "description": "Staff members and their roles."},
    ],
    # One name for each choice set that several fields share (spectacular warns about two names).
    "ENUM_NAME_OVERRIDES": {
        "TableStateEnum": "floor.models.TableState",
        "RoutingModeEnum": "restaurant.models.RoutingMode",
        "TableFeatureEnum": "floor.api.serializers.TABLE_FEATURES",
    },
}

# --- Optional integrations, one flag each ---
LLM_API_URL = env.str("LLM_API_URL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_MODEL = env.str("LLM_MODEL", default="")
# Staff insights: how long one LLM call may take, and how often a transient failure is retried.
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=20.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
# Vision: on by default (`make run` installs the vision extra and seeds a demo camera); off, the cameras are
# not polled and the classifier is not loaded. Tuning: docs/vision.md.
VISION_ENABLED = env_bool("VISION_ENABLED", True)
VISION_WEIGHTS_DIR = env.str("VISION_WEIGHTS_DIR", default=str(BASE_DIR / "weights"))
VISION_DEVICE = env.str("VISION_DEVICE", default="auto")  # auto: CUDA when present, else CPU
VISION_CAPTURE_TIMEOUT = env.float("VISION_CAPTURE_TIMEOUT", default=5.0)
VISION_POLL_LEASE_SECONDS = env.float("VISION_POLL_LEASE_SECONDS", default=120.0)
VISION_OFFLINE_AFTER = env.int("VISION_OFFLINE_AFTER", default=5)
VISION_OFFLINE_POLL_SECONDS = env.float("VISION_OFFLINE_POLL_SECONDS", default=60.0)
VISION_MAX_UPLOAD_BYTES = env.int("VISION_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
VISION_CROPS_KEPT_PER_CAMERA = env.int("VISION_CROPS_KEPT_PER_CAMERA", default=300)
# Outgoing webhooks (restaurant/services/webhooks.py): retries wait base x 2^(n-1) seconds after the n-th
# failure, at most the cap, less up to JITTER of it; an event gives up after MAX_ATTEMPTS; an endpoint is
# turned off after DISABLE_AFTER_FAILURES failed attempts in a row. A worker holds a delivery for CLAIM
# seconds (more than the timeout): one that dies mid-post leaves it to the beat sweep after that.
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_CAP_SECONDS = env.float("WEBHOOK_RETRY_CAP_SECONDS", default=6 * 3600.0)
WEBHOOK_RETRY_JITTER = env.float("WEBHOOK_RETRY_JITTER", default=0.2)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_CLAIM_SECONDS = env.float("WEBHOOK_CLAIM_SECONDS", default=60.0)
if not 0 <= WEBHOOK_RETRY_JITTER < 1:
    raise ImproperlyConfigured("WEBHOOK_RETRY_JITTER is a fraction of the delay: at least 0 and below 1")
if WEBHOOK_CLAIM_SECONDS <= WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("WEBHOOK_CLAIM_SECONDS must be longer than WEBHOOK_TIMEOUT_SECONDS")
# POS inbox (restaurant/services/inbox.py): a failed event is tried again BASE x 2^(n-1) seconds after its
# n-th failure, at most MAX; the beat sweep picks up retries whose message was lost.
INBOX_RETRY_BASE_SECONDS = env.float("INBOX_RETRY_BASE_SECONDS", default=30.0)
INBOX_RETRY_MAX_SECONDS = env.float("INBOX_RETRY_MAX_SECONDS", default=3600.0)

# --- Security (production) ---
# Content-Security-Policy on every page (django-csp): scripts, styles, images and connections from this
# site only, no inline script or style (attributes included: the scripts set styles through element.style,
# which the policy allows; Django's admin has no style attribute either), no plugins, no framing.
# connect-src 'self' also covers the floor's WebSocket (ws:/wss: to the same host, CSP level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the dashboards' scripts read it for fetch() calls
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
