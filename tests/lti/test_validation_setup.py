"""lti/validation.py sets up pylti1p3's MessageLaunch itself (without the uuid4 and the
requests.Session its __init__ would make per launch): it must set everything that __init__
sets, so that a pinned pylti1p3 upgraded later fails here, not in a launch."""

from __future__ import annotations

from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest

from lti_tool.lti.login import LoginState
from lti_tool.lti.tool_conf import DbToolConf
from lti_tool.lti.validation import _ErbijMessageLaunch


def test_our_launch_sets_every_attribute_the_librarys_init_sets(app):
    with app.app_context():
        request = FlaskRequest(cookies={}, session={}, request_data={"id_token": "x", "state": "s"}, request_is_secure=True)
        theirs = FlaskMessageLaunch(request, DbToolConf())
        ours = _ErbijMessageLaunch("x", LoginState("s", "id", "nonce", 1, None, None))
    missing = set(vars(theirs)) - set(vars(ours))
    assert not missing, f"pylti1p3's MessageLaunch.__init__ sets {sorted(missing)}, which validation.py does not"
    assert ours._requests_session is _ErbijMessageLaunch("y", LoginState("t", "i", "n", 1, None, None))._requests_session
