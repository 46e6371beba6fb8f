"""An editor placement (Deep Linking, html only) gets the composed text as an html item."""

from __future__ import annotations

import re

import jwt

from .conftest import csrf_of, page

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def _editor_launch(launch, platform, **kw):
    settings = {
        "deep_link_return_url": f"{platform.issuer}/deep-link/return",
        "accept_types": ["html"],
        "accept_presentation_document_targets": ["embed"],
        "accept_multiple": False,
        "data": "editor-42",
    }
    return launch("instructor", message_type="LtiDeepLinkingRequest", claims={DL: settings}, **kw)


def test_editor_deep_link_returns_signed_html_item(client, launch, platform):
    dl = _editor_launch(launch, platform, locale="en")
    html = page(dl.response)
    assert dl.response.status_code == 200 and "Insert into the LMS" in html and "Coach" in html
    text = "Het lijkt erop dat <script>alert(1)</script> nog ontbreekt.\nTweede regel & meer.\n\nIk weet dat je dit kunt."
    resp = client.post(f"/l/{dl.lid}/feedback/deep-link", data={"csrf_token": csrf_of(html), "text": text, "action": "insert"})
    assert resp.status_code == 200
    body = page(resp)
    assert f'action="{platform.issuer}/deep-link/return"' in body
    token = re.search(r'name="JWT" value="([^"]+)"', body).group(1)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "editor-42"
    [item] = claims[ITEMS]
    assert item["type"] == "html"
    assert item["html"] == (
        "<p>Het lijkt erop dat &lt;script&gt;alert(1)&lt;/script&gt; nog ontbreekt.<br>Tweede regel &amp; meer.</p>\n"
        "<p>Ik weet dat je dit kunt.</p>"
    )
    assert jwt.get_unverified_header(token)["kid"]


def test_editor_deep_link_coaches_and_refuses_empty_text(client, launch, platform):
    dl = _editor_launch(launch, platform, locale="en")
    token = csrf_of(page(dl.response))
    resp = client.post(f"/l/{dl.lid}/feedback/deep-link", data={"csrf_token": token, "text": "Why didn't you do this?", "action": "check"})
    assert resp.status_code == 200 and '<span class="fb-rule">R1</span>' in page(resp)
    resp = client.post(f"/l/{dl.lid}/feedback/deep-link", data={"csrf_token": token, "text": "  ", "action": "insert"})
    assert resp.status_code == 400 and "Write the feedback before inserting it." in page(resp)


def test_html_deep_link_page_is_only_for_html_requests(client, launch, platform, new_browser):
    b = new_browser()
    dl = launch("instructor", message_type="LtiDeepLinkingRequest", browser=b)  # ltiResourceLink picker
    assert b.get(f"/l/{dl.lid}/feedback/deep-link").status_code == 404
    s = new_browser()
    learner = launch(
        "learner",
        message_type="LtiDeepLinkingRequest",
        browser=s,
        claims={DL: {"deep_link_return_url": f"{platform.issuer}/deep-link/return", "accept_types": ["html"]}},
        follow=False,
    )
    s.get(f"/lti/ready/{learner.lid}")
    assert s.get(f"/l/{learner.lid}/feedback/deep-link").status_code == 403
