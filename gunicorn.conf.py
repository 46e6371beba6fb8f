"""gunicorn settings for Erbij (`gunicorn -c gunicorn.conf.py wsgi:app`), from the environment.

Threaded workers (gthread): while Erbij asks an LMS for a service token, the LMS fetches
Erbij's public keys from Erbij itself; sync workers can wait on each other until the LMS
gives up. Access lines carry the path without the query string and the request id.
"""

import multiprocessing
import os

bind = os.environ.get("ERBIJ_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("ERBIJ_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("ERBIJ_THREADS", 8))
worker_class = "gthread"
timeout = int(os.environ.get("ERBIJ_WORKER_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("ERBIJ_MAX_REQUESTS", 5000))  # bounds memory growth
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("ERBIJ_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
