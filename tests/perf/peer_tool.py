"""(b) of `make bench`: a minimal LTI 1.3 tool on PyLTI1p3, as its README shows for Flask.

OIDC login and launch validation by the library, a page rendered from a template for the
launch (as the library's Flask example does); state and nonce in the Flask session (the
library's default storage), so it works with several workers. The platform's keys are
fetched on each launch: the library's default (its README offers key caching as an option).
Configured from the environment by `launch_bench.py`.
"""

import os

from flask import Flask, render_template_string, request
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


# The page after the launch, a Jinja template as in PyLTI1p3's Flask example (game.html).
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page_title }}</title></head>
<body>
<h1>{{ page_title }}</h1>
<p>Hello {{ curr_user_name }} in {{ course_title }}{% if is_deep_link_launch %} (deep linking){% endif %}.</p>
<p>Launch {{ launch_id }}</p>
<ul>{% for role in roles %}<li>{{ role }}</li>{% endfor %}</ul>
</body></html>"""


@app.post("/launch")
def launch():
    message = FlaskMessageLaunch(FlaskRequest(), conf)
    data = message.get_launch_data()
    return render_template_string(
        PAGE,
        page_title="Peer tool",
        is_deep_link_launch=message.is_deep_link_launch(),
        launch_id=message.get_launch_id(),
        curr_user_name=data.get("name", ""),
        course_title=data.get("https://purl.imsglobal.org/spec/lti/claim/context", {}).get("title", ""),
        roles=data.get("https://purl.imsglobal.org/spec/lti/claim/roles", []),
    )


@app.get("/")
def index():
    return "peer " + escape(request.host)
