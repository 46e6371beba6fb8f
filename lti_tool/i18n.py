"""Language: the launch's locale (nl or en), switchable; Dutch when nothing says otherwise.

Flask-Babel finds the translations for every single message anew (the request's babel
context, its domain, its locale, a cache key made from the locale): tens of microseconds a
message, a dozen messages a page. Here they are found once per request and locale
(`translations`), for the Python `gettext` (RequestDomain) and for the templates' `_`.
"""

from functools import cached_property

from flask import g, request
from flask_babel import Babel, Domain
from jinja2 import pass_context
from markupsafe import Markup

LANGUAGES = ("nl", "en")
_MEMO = "erbij_translations"


def select_locale() -> str:
    launch = g.get("launch")
    if launch is not None:
        return launch.locale
    if g.get("locale_override"):
        return g.locale_override
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def _remembered(ns, domain):
    """The translations remembered on the request's babel context for this domain and its
    current locale, or None."""
    d = ns.__dict__
    hit = d.get(_MEMO)
    if hit is not None and hit[0] is d.get("babel_locale") and hit[1] is domain:
        return hit[2]
    return None


def _babel_context():
    try:
        return g._flask_babel
    except (AttributeError, RuntimeError):  # nothing asked yet, or outside a request
        return None


class RequestDomain(Domain):
    """Flask-Babel's domain, whose translations are remembered for the request while its
    locale stays the same (a `refresh()` or `force_locale` changes the locale, and with it
    the translations)."""

    def get_translations(self):
        ns = _babel_context()
        found = _remembered(ns, self) if ns is not None else None
        if found is not None:
            return found
        found = super().get_translations()
        ns = _babel_context()
        if ns is not None and ns.__dict__.get("babel_locale") is not None:
            ns.__dict__[_MEMO] = (ns.babel_locale, self, found)
        return found


class ErbijBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


def _translations():
    ns = _babel_context()
    if ns is not None:
        found = _remembered(ns, ns.__dict__.get("babel_domain"))
        if found is not None:
            return found
    from flask_babel import get_translations

    return get_translations()


_MARKUP_MEMO = "_erbij_markup"  # on a translations object: {message: its translated Markup}
_MARKUP_MEMO_MAX = 4096  # the templates' own messages fit many times over


@pass_context
def _template_gettext(__context, __string, **variables):
    """The templates' `_`/`gettext`, as Jinja's new-style gettext does it. A message
    without variables is translated once per language (kept on its translations object)."""
    translations = _translations()
    if not variables and __context.eval_ctx.autoescape:
        memo = translations.__dict__.get(_MARKUP_MEMO)
        if memo is None:
            memo = translations.__dict__[_MARKUP_MEMO] = {}
        found = memo.get(__string)
        if found is None:
            found = Markup(translations.ugettext(__string)) % variables  # noqa: S704 - as below
            if len(memo) < _MARKUP_MEMO_MAX:
                memo[__string] = found
        return found
    rv = translations.ugettext(__string)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - a translated message is trusted text, as in Jinja's own gettext
    return rv % variables


@pass_context
def _template_ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    rv = _translations().ungettext(__singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - a translated message is trusted text, as in Jinja's own gettext
    return rv % variables


def install_template_gettext(app) -> None:
    """`_`, `gettext` and `ngettext` in templates straight to the request's translations
    (Jinja's own go through two context calls and Flask-Babel's look-up each time)."""
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
