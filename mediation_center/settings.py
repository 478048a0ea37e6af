"""Settings, read from the environment in this one place.

With nothing set, the portal runs on SQLite in ./data and a filesystem Celery broker, so
the run command needs only Python. DATABASE_URL / REDIS_URL switch to PostgreSQL and Redis.
DJANGO_MODE=production turns on the hardened settings that pass ``check --deploy``.
"""

import os
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_MODE", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env("SECRET_KEY") or (
    "" if PRODUCTION else "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("DJANGO_MODE=production needs SECRET_KEY of at least 50 characters")


def _served_host() -> str:
    """The host `make run` serves on (HOST, as scripts/run.sh reads it), as other machines reach it."""
    host = env("HOST", "127.0.0.1").strip() or "127.0.0.1"
    if host in {"0.0.0.0", "::", "[::]"}:  # every interface: this machine's address on the network
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.254.254.254", 1))  # UDP: picks the outgoing interface, sends nothing
                host = probe.getsockname()[0]
        except OSError:
            host = "127.0.0.1"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


SERVED_HOST = _served_host()
# The QR code on receipts opens this portal; without PUBLIC_BASE_URL it is the address `make run` serves.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL") or f"http://{SERVED_HOST}:{env('PORT', '8000').strip() or '8000'}"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
_public_host = urlsplit(PUBLIC_BASE_URL).hostname or ""
_public_host = f"[{_public_host}]" if ":" in _public_host else _public_host
if not PRODUCTION and not env("ALLOWED_HOSTS") and _public_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_public_host)  # the QR code opens the portal, e.g. `make run` on HOST=0.0.0.0
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "mediation_center.apps.AdminConfig",  # django.contrib.admin, grouped by task (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "guardian",
    "axes",
    "accounts",
    "routing",
    "cases",
    "records",
    "mediators",
    "grassroots",
    "risk",
    "search",
    "online",  # online mediation: electronic signature, verification
    "eservice",  # electronic service of documents (电子送达)
    "courtlink",  # hand-offs to the court: judicial confirmation, litigation referral
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mediation_center.prepared.PreparedReadsMiddleware",  # a GET's reads planned once per connection
    "mediation_center.api_limits.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mediation_center.request_limits.FormLimitMiddleware",  # before CSRF's process_view parses the post
    "accounts.middleware.IdleTimeoutMiddleware",
    "mediation_center.request_cache.RequestCacheMiddleware",  # one get_many for a page's known cache reads
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mediation_center.urls"
WSGI_APPLICATION = "mediation_center.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "cases.workbench.context_processors.workbench",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "mediation.sqlite3"}}
# A few hot statements (the status lookup's) are PREPAREd once per PostgreSQL session and run with EXECUTE
# (mediation_center/dialect.py, ``execute_prepared``), and so are the plain reads of every GET request
# (mediation_center/prepared.py). Off behind a transaction-pooling PgBouncer, where a session's prepared
# statements are not its own (its max_prepared_statements follows protocol-level statements, not SQL PREPARE).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL plus a busy timeout lets the web server and the Celery worker both write (also for a
    # sqlite:///file DATABASE_URL, which is how the live Celery test points its worker at the test DB).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Optional read replica for dashboards and reports (see README, scaling).
if env("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(env("REPLICA_DATABASE_URL"), conn_max_age=60)
    DATABASE_ROUTERS = ["mediation_center.db_router.ReplicaRouter"]
for _database in DATABASES.values():  # Django's backend, with query logs showing a prepared read's own SQL
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "mediation_center.db.postgresql"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache, sessions, broker ----------------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Seconds a cache call may wait for Redis: a hung or unreachable Redis costs each request that long per call
# (every cache user falls back to the database), not a worker timeout.
REDIS_SOCKET_TIMEOUT = float(env("REDIS_SOCKET_TIMEOUT", "1"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, one redis client per pool rather than one per call (mediation_center/cache.py)
            "BACKEND": "mediation_center.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
    # Sessions live in the database and are read through the cache: a Redis outage or restart ends none.
    SESSION_ENGINE = "mediation_center.sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "data_folder_processed": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),  # broadcast/pidbox files, kept out of the source tree
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# How often the escalation sweep runs (seconds); seeded into django-celery-beat.
WARNING_SWEEP_INTERVAL_SECONDS = env_int("WARNING_SWEEP_INTERVAL_SECONDS", 60)
# Connections the sweep works with at once on PostgreSQL (batches taken with SKIP LOCKED; 1: one after another).
WARNING_SWEEP_WORKERS = env_int("WARNING_SWEEP_WORKERS", 2)

# 研判预警 (risk/detection.py): the nightly hotspot detection and its thresholds.
RISK_DETECT_HOUR = env_int("RISK_DETECT_HOUR", 1)  # center time; also `manage.py detect_risks`
RISK_POISSON_P = float(env("RISK_POISSON_P", "0.001"))  # a count this unlikely under the baseline is a surge
RISK_MIN_CASES = env_int("RISK_MIN_CASES", 3)  # fewer new cases than this never make a surge
RISK_MIN_BASELINE = float(env("RISK_MIN_BASELINE", "0.5"))  # cases/week floor of a quiet cell's baseline
RISK_RISE_LEVELS = tuple(float(v) for v in env_list("RISK_RISE_LEVELS", "2,3,5"))  # × baseline: yellow, orange, red
RISK_RESPONDENT_OPEN_THRESHOLD = env_int("RISK_RESPONDENT_OPEN_THRESHOLD", 5)  # open cases against one respondent
RISK_GROUP_THRESHOLD = env_int("RISK_GROUP_THRESHOLD", 3)  # group-incident precursors per place in 30 days

# --- Auth and security ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 10))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# We lock the account, as assessors ask; locking by IP would shut out a whole office behind one NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The covering indexes' INCLUDE columns serve PostgreSQL's index-only scans (bench/README.md);
    # SQLite, the embedded default, builds the same indexes without them, which is all it needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# Idle staff sessions end after this many seconds without a request.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 600)
# The navigation's badges and the home page's counts (cases/workbench/counts.py): seconds a user's counts are reused.
WORK_COUNTS_TTL = env_int("WORK_COUNTS_TTL", 10)
# The home page's to-do list: accounts names no cases module, the app that owns the work provides it.
HOME_TODO = "cases.workbench.todo.home_sections"
# The demo data of apps built on cases (which cannot import them): each a function of the demo org,
# called by `manage.py load_demo` after the cases' own demo, in this order.
DEMO_BUILDERS: list[str] = [
    "mediators.demo.build_demo", "grassroots.demo.build_demo", "risk.demo.build_demo_risk",
    "search.demo.build_demo_search",
    "online.demo.build", "online.demo.build_session",
    "eservice.demo.build",
    "courtlink.demo.build",
]
# Badge counts of apps built on cases (cases/workbench/counts.py): each a function
# (user, roles, center_ids) -> {count name: number}; accounts/navigation.py NavItem(count=name) shows it.
# The cache keys a request is known to read (mediation_center/request_cache.py): each a function of the
# request, returning keys, with no I/O of its own; a GET page then reads them in one round trip.
REQUEST_CACHE_KEYS: list[str] = [
    "cases.core.workcalendar.request_cache_keys",
    "cases.workbench.counts.request_cache_keys",
]
WORK_COUNT_PROVIDERS: list[str] = [
    "mediators.selectors.work_counts", "grassroots.counts.work_counts",
    "risk.counts.open_signal_counts",
    "courtlink.selectors.work_counts",
]
# How auto-assignment ranks a channel's mediators (routing.services.auto_assign_case): a function
# (case, users) -> [(user, reason)], best first; empty means routing's own least-loaded rule.
MEDIATOR_RANKING = "mediators.ranking.rank_for_auto_assignment"
# The online application's optional choice of a mediator or studio (cases/portal asks this module to list,
# check and file it: choices(center), describe(value, center), request_from_application(case, ...)); "" hides it.
APPLICATION_PREFERENCE = "mediators.application"
# The online application's optional consent to electronic service (cases/portal asks this module for the
# statement and hands it a ticked box: statement(), record_from_application(case, citizen=, request=)); "" hides it.
APPLICATION_SERVICE_CONSENT = "eservice.application"
# The top bar's search page (cases:search, /cases/search/): the search app's view (cases cannot import it).
CASE_SEARCH_VIEW = "search.views.search_page"
# Sections other apps add to the staff case page (cases/page.py): each a function (case, user, lifecycle=, parties=, actions=)
# returning an object with ``template`` (included in the documents area) or None.
CASE_PAGE_SECTIONS: list[str] = [
    "online.selectors.case_page_section",
    "online.session_selectors.case_page_stub",  # lazy: htmx loads online:case_sessions
    "eservice.selectors.case_page_section",
    "courtlink.selectors.case_page_section",
]
# Panels other apps add to the supervisors' warnings dashboard (/cases/warnings/): each a function (user)
# returning {"template": ..., "context": {...}} (the template sees it as ``panel``) or None; fixed queries each.
DASHBOARD_PANELS: list[str] = ["grassroots.selectors.overdue_rounds_panel"]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# How many reverse proxies of ours sit in front of the web process; X-Forwarded-For is ignored when 0,
# so nobody can dodge per-IP rate limits by sending the header themselves.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_REFERRER_POLICY = "same-origin"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- I18n -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Evidence is private: kept outside static/media and served only through an access-checked view.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = "/never-served-directly/"
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ATTACHMENT_ALLOWED_TYPES", ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.txt,.mp3,.mp4"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Center-wide settings ------------------------------------------------------------
# The word in case numbers, e.g. (2026)某县矛调字第123号.
CASE_NUMBER_WORD = env("CASE_NUMBER_WORD", "矛调")
# PUBLIC_BASE_URL (the QR code on receipts) is set next to ALLOWED_HOSTS above: it follows HOST/PORT.

# Mediation lifecycle: judicial confirmation window (人民调解法 art. 33) and follow-up visit intervals.
JUDICIAL_CONFIRMATION_DAYS = env_int("JUDICIAL_CONFIRMATION_DAYS", 30)
# Hand-offs to the court (courtlink): warn this many days before the judicial-confirmation window closes; the
# window sweep's interval; the ExternalSystem codes that are courts (they push a package's progress back).
COURTLINK_WARN_DAYS_BEFORE = env_int("COURTLINK_WARN_DAYS_BEFORE", 5)
COURTLINK_SWEEP_MINUTES = env_int("COURTLINK_SWEEP_MINUTES", 60)
COURTLINK_COURT_SYSTEMS = env_list("COURTLINK_COURT_SYSTEMS", "court")
FOLLOW_UP_AFTER_CLOSING_DAYS = env_int("FOLLOW_UP_AFTER_CLOSING_DAYS", 7)
FOLLOW_UP_BEFORE_TERM_DAYS = env_int("FOLLOW_UP_BEFORE_TERM_DAYS", 3)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@mediation.local")
SMS_BACKEND = env("SMS_BACKEND", "accounts.sms.ConsoleSMSBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN")
# Citizen portal: lookup and sign-in limits, one-time codes, appointment slots (HH:MM-HH:MM=capacity, "+" = extended hours).
PORTAL_LOOKUP_FAILURE_LIMIT = env_int("PORTAL_LOOKUP_FAILURE_LIMIT", 5)
PORTAL_LOOKUP_WINDOW_MINUTES = env_int("PORTAL_LOOKUP_WINDOW_MINUTES", 15)
PORTAL_OTP_TTL_SECONDS = env_int("PORTAL_OTP_TTL_SECONDS", 300)
PORTAL_OTP_RESEND_SECONDS = env_int("PORTAL_OTP_RESEND_SECONDS", 60)
PORTAL_OTP_PER_HOUR = env_int("PORTAL_OTP_PER_HOUR", 5)
PORTAL_OTP_MAX_ATTEMPTS = env_int("PORTAL_OTP_MAX_ATTEMPTS", 5)
PORTAL_APPOINTMENT_SLOTS = env_list(
    "PORTAL_APPOINTMENT_SLOTS", "09:00-10:00=4,10:00-11:00=4,14:00-15:00=4,15:00-16:00=4,+18:00-19:30=2"
)
PORTAL_APPOINTMENT_DAYS_AHEAD = env_int("PORTAL_APPOINTMENT_DAYS_AHEAD", 14)
# Online signing (online/): how long a signing link in an SMS stays good, and the one-time signing codes.
ONLINE_SIGN_LINK_HOURS = env_int("ONLINE_SIGN_LINK_HOURS", 72)
ONLINE_CODE_TTL_SECONDS = env_int("ONLINE_CODE_TTL_SECONDS", 300)
ONLINE_CODE_RESEND_SECONDS = env_int("ONLINE_CODE_RESEND_SECONDS", 60)
ONLINE_CODE_MAX_ATTEMPTS = env_int("ONLINE_CODE_MAX_ATTEMPTS", 5)
# Electronic service (电子送达, eservice/): how long a service link is good for, after how many days an
# unopened service is flagged for paper service, and how often the sweep runs (seconds).
ESERVICE_LINK_HOURS = env_int("ESERVICE_LINK_HOURS", 7 * 24)
ESERVICE_UNOPENED_DAYS = env_int("ESERVICE_UNOPENED_DAYS", 3)
ESERVICE_SWEEP_INTERVAL_SECONDS = env_int("ESERVICE_SWEEP_INTERVAL_SECONDS", 300)
# Online sessions: how long an invitation or confirmation link in an SMS stays good (the portal's 线上调解
# list hands a signed-in party a fresh one after that).
ONLINE_SESSION_LINK_HOURS = env_int("ONLINE_SESSION_LINK_HOURS", 168)

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "mediation_center.api_limits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mediation_center.api.exception_handler",
}
# Hostile-input limits of the API (answered 413 / 400 in the JSON error shape, never 500):
# the largest request body, checked from Content-Length before it is read; the deepest nesting of
# arrays/objects in a JSON body; the largest raw payload an Open311 push may have stored with its case.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32)
API_MAX_RAW_PAYLOAD_BYTES = env_int("API_MAX_RAW_PAYLOAD_BYTES", 256 * 1024)
# GeoReport v2 (/api/open311/v2/): a push without external_id repeated with the same content within this
# many hours finds the case it made; set OPEN311_REQUIRE_JURISDICTION when the systems serve several areas.
# Outbound webhooks (cases/integrations/): how many case queues the delivery sweep sends at once (PostgreSQL).
WEBHOOK_DELIVERY_THREADS = env_int("WEBHOOK_DELIVERY_THREADS", 8)
OPEN311_CONTENT_WINDOW_HOURS = env_int("OPEN311_CONTENT_WINDOW_HOURS", 24)
OPEN311_REQUIRE_JURISDICTION = env_bool("OPEN311_REQUIRE_JURISDICTION")
SPECTACULAR_SETTINGS = {
    "TITLE": "矛调中心 API / Mediation Center API",
    "DESCRIPTION": (
        "Case intake, routing, lifecycle and warnings of a one-stop dispute mediation center.\n\n"
        'Every error answers {"error": {"code", "message", "fields"}}, except on GeoReport v2\'s paths '
        "(/api/open311/v2/), which answer the standard's list of {code, description}. Limits: a request body of at most "
        f"{API_MAX_BODY_BYTES} bytes (413 beyond), JSON nested at most {API_MAX_JSON_DEPTH} levels (400), "
        f"an Open311 push's raw payload at most {API_MAX_RAW_PAYLOAD_BYTES} bytes (413)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields of the same name with different choices (a case's status and Open311's open/closed).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "MethodEnum": "cases.lifecycle.models.FollowUpVisit.Method",  # the name it had before eservice added methods
        "DocumentServiceMethodEnum": "eservice.models.DocumentService.Method",
        "PaperServiceMethodEnum": [("post", "邮寄送达"), ("direct", "直接送达"), ("left", "留置送达")],
        "ServiceConsentMethodEnum": "eservice.models.ServiceConsent.Method",
        "StaffConsentMethodEnum": [("counter", "窗口书面同意"), ("online_application", "在线申请时同意")],
        "CaseOutcomeEnum": "cases.models.Outcome",
        "SessionOutcomeEnum": "cases.models.SessionOutcome",
        "SessionPostKindEnum": "online.models.SessionPost.Kind",
        "ProposalAnswerEnum": "online.models.ProposalAnswer.Answer",
        "Open311StatusEnum": [("open", "open"), ("closed", "closed")],
        "WarningLevelEnum": "cases.models.WarningLevel",
        "ClockUnitEnum": "cases.models.ClockUnit",
        "SupervisionOrderStateEnum": "cases.models.SupervisionOrder.State",
        "SummonsStateEnum": "routing.models.Summons.State",
        "ChannelEnum": "routing.models.Channel.Code",
        "KindEnum": "cases.models.Party.Kind",
        "RoleEnum": "cases.models.Party.Role",
        "MediatorKindEnum": "mediators.models.MediatorProfile.Kind",
        "MediationGroupKindEnum": "mediators.models.MediationGroup.Kind",
        "CredentialKindEnum": "mediators.models.Credential.Kind",
        "GrassrootsEntryKindEnum": "grassroots.models.Entry.Kind",
        "CourtHandoffKindEnum": "courtlink.models.Handoff.Kind",
        "CourtHandoffStatusEnum": "courtlink.models.Handoff.Status",
        "GrassrootsRiskLevelEnum": "grassroots.models.RiskLevel",
        "GrassrootsRoundKindEnum": "grassroots.models.ScreeningRound.Kind",
        "RiskSignalStateEnum": "risk.models.RiskSignal.State",
        "RiskSignalKindEnum": "risk.models.RiskSignal.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

_ = _  # gettext_lazy is imported for settings modules that extend this one

# --- Intake (一窗口受理) ---------------------------------------------------------------
# Shown on the acceptance receipt as "what happens next and by when" until deadlines exist.
INTAKE_NEXT_STEP_DAYS = env_int("INTAKE_NEXT_STEP_DAYS", 3)
# Repeat detection: closed cases of the same person count for this many days.
INTAKE_REPEAT_LOOKBACK_DAYS = env_int("INTAKE_REPEAT_LOOKBACK_DAYS", 365)
# Same matter: open cases against the same respondent with the same type, registered within this window.
INTAKE_DUPLICATE_WINDOW_DAYS = env_int("INTAKE_DUPLICATE_WINDOW_DAYS", 90)
# A group visit records at most this many representatives (信访工作条例 art. 20).
INTAKE_MAX_GROUP_REPRESENTATIVES = env_int("INTAKE_MAX_GROUP_REPRESENTATIVES", 5)
# Parties per case: one limit for the counter form, online applications and the API (issue 13).
CASE_MAX_PARTIES = env_int("CASE_MAX_PARTIES", 50)
# The counter form posts 12 fields per party. Room for twice the limit (16 each, plus the case's own
# fields), so a form over the limit comes back with its message and everything typed, not a bare 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = max(1000, 2 * CASE_MAX_PARTIES * 16 + 200)
# A PDF is rendered in a child process and stopped after this many seconds (below gunicorn's 30 s).
DOCUMENT_RENDER_TIMEOUT_SECONDS = env_int("DOCUMENT_RENDER_TIMEOUT_SECONDS", 20)

# --- Backups (records/) ------------------------------------------------------------------
# The nightly Celery beat backup runs only when BACKUP_DIR is set; it keeps the newest archive of the last
# BACKUP_KEEP_DAILY days and the first of the last BACKUP_KEEP_MONTHLY months. With BACKUP_ENCRYPTION_KEY
# (a Fernet key) every archive is encrypted; keep the key apart from the archives.
BACKUP_DIR = env("BACKUP_DIR")
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_MONTHLY = env_int("BACKUP_KEEP_MONTHLY", 12)
BACKUP_HOUR = env_int("BACKUP_HOUR", 2)
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY")

# --- Retention (records/retention.py) ------------------------------------------------------
# Closed cases older than RETENTION_CASE_YEARS (0: never) move to the archive (ARCHIVE_ROOT, inside the
# private files so backups carry it); citizen accounts with no case, unused for RETENTION_CITIZEN_DAYS
# (0: never), are deleted (个人信息保护法 art. 47). Celery beat runs it nightly at RETENTION_HOUR:45.
RETENTION_CASE_YEARS = env_int("RETENTION_CASE_YEARS", 0)
RETENTION_CITIZEN_DAYS = env_int("RETENTION_CITIZEN_DAYS", 365)
RETENTION_HOUR = env_int("RETENTION_HOUR", 3)
ARCHIVE_ROOT = Path(env("ARCHIVE_ROOT", str(PRIVATE_MEDIA_ROOT / "archive")))
