"""The one entry point for gunicorn and flask: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from lti_tool import create_app

app = create_app()

# Everything made so far (modules, the app, its URL map, SQLAlchemy's mappers: some 160,000
# objects) lives as long as the process. Left to the garbage collector, each full collection
# walks all of them: a pause of about 100 ms for every request of the worker that runs at
# that moment. Frozen, a full collection walks only what requests made since (about 5 ms).
gc.freeze()
