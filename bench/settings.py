"""Settings for benchmark runs: the project's settings, DEBUG off, plus the bare floor view's URL."""

from mediation_center.settings import *  # noqa: F403

DEBUG = False  # DEBUG keeps every SQL string in memory and would distort both time and RSS
ROOT_URLCONF = "bench.urls"
BENCH_VIEWS = True
LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405 - WeasyPrint logs every step at INFO
# The status-lookup benchmark repeats one successful lookup from one address; only failures count
# towards the lock-out today, but a limit that ever counts successes must not lock the benchmark out.
PORTAL_LOOKUP_FAILURE_LIMIT = 1_000_000
