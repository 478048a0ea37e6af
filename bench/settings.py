"""Settings for benchmark runs: the project's settings, DEBUG off, plus the bare floor view's URL."""

from mediation_center.settings import *  # noqa: F403

DEBUG = False  # DEBUG keeps every SQL string in memory and would distort both time and RSS
ROOT_URLCONF = "bench.urls"
BENCH_VIEWS = True
LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405 - WeasyPrint logs every step at INFO
