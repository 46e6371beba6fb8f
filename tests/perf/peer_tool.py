"""(b) of `make bench`: a minimal LTI 1.3 tool on PyLTI1p3, as its README shows for Flask.

OIDC login and launch validation by the library, a page for the launch; state and nonce in
the Flask session (the library's default storage), so it works with several workers.
Configured from the environment by `launch_bench.py`.
"""

import os

from flask import Flask, request
from markupsafe import escape
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.tool_config import ToolConfDict

ISSUER = os.environ["PEER_ISSUER"]
CLIENT_ID = os.environ["PEER_CLIENT_ID"]

conf = ToolConfDict(
    {
        ISSUER: [
            {
                "default": True,
                "client_id": CLIENT_ID,
                "auth_login_url": ISSUER + "/auth",
                "auth_token_url": ISSUER + "/token",
                "key_set_url": os.environ["PEER_JWKS_URL"],
                "key_set": None,
                "deployment_ids": [os.environ["PEER_DEPLOYMENT_ID"]],
            }
        ]
    }
)
with open(os.environ["PEER_KEY_FILE"]) as f:
    conf.set_private_key(ISSUER, f.read(), client_id=CLIENT_ID)

app = Flask(__name__)
app.secret_key = os.environ.get("PEER_SECRET", "peer-secret")


@app.route("/login", methods=["GET", "POST"])
def login():
    flask_request = FlaskRequest()
    target = flask_request.get_param("target_link_uri")
    return FlaskOIDCLogin(flask_request, conf).redirect(target)


@app.post("/launch")
def launch():
    message = FlaskMessageLaunch(FlaskRequest(), conf)
    data = message.get_launch_data()
    title = data.get("https://purl.imsglobal.org/spec/lti/claim/context", {}).get("title", "")
    return f"<!doctype html><title>Launched</title><p>Hello {escape(data.get('name', ''))} in {escape(title)}</p>"


@app.get("/")
def index():
    return "peer " + escape(request.host)
