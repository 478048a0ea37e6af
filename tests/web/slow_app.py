"""A WSGI app for tests/web/test_gunicorn_conf.py: ``/`` answers at once, ``/slow`` sleeps a minute."""

import os
import time


def application(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(60)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
