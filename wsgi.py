"""The one entry point for gunicorn and flask: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from lti_tool import create_app

app = create_app()
