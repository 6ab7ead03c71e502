"""The reader's "manage subscription" page of ``citydigest serve`` (``preferences?token=…``).

Every digest carries the link (:func:`digests.unsubscribe.preferences_url`), signed for this
page and this subscriber only. GET shows a form whose every choice comes from the gazetteer,
the taxonomy and the subscriber model (:func:`digests.preferences.choices_for`): kinds, themes,
provinces, cities (grouped by province, folded away), frequency and weekday, send time, the
Monday daily's week network (``monday_network``), script.
POST, and only POST, changes anything: ``save`` stores the form (checked again on the server,
:func:`digests.preferences.parse_form`), ``pause`` and ``resume`` hold and restart the digest,
``unsubscribe`` stores an unsubscribe as the one-click link does. Each change moves the next
digest to the next slot of the schedule as it now stands, so a resumed digest does not bring
the missed ones at once.

Forgery: the token in the page's URL is the credential (an HMAC over the subscriber id, in a
context of its own, so the unsubscribe link cannot open it); a POST without it changes nothing,
and one a browser marks as cross-site (``Sec-Fetch-Site``) or whose ``Origin`` is another site is
refused with 403 before the form is read (``Origin: null``, which browsers send for a page with
``Referrer-Policy: no-referrer`` such as this one, is left to ``Sec-Fetch-Site`` and the token).
Pages carry ``Cache-Control: no-store``: they hold a token and a reader's choices.
"""

from __future__ import annotations

__all__ = ["preferences_endpoint"]

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from crawler.app.cadence import next_digest_at
from crawler.base.config import Config, Subscriber
from crawler.base.db import Database
from crawler.base.errors import InvalidToken
from crawler.base.models import SubscriberState, utcnow
from digests.archive import subscriber_feed_url
from digests.preferences import Choices, FormError, choices_for, parse_form
from digests.render import brand_of
from digests.subscribers import (
    Preferences,
    apply,
    load_preferences,
    save_preferences,
    unsubscribe,
)
from digests.unsubscribe import feed_name, verify_token

NO_STORE = {"Cache-Control": "no-store"}
ACTIONS = ("save", "pause", "resume", "unsubscribe")

_BASE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{% block title %}{% endblock %}</title>
<style>
:root{--bg:#eef0f3;--card:#fff;--fg:#1f2328;--muted:#6b7280;--line:#d0d7de;--link:#0b57a4;
--accent:#b03a2e;--ok:#1e7b34;--warn:#8a5a00;--chip:#eef2f7}
@media (prefers-color-scheme: dark){:root{--bg:#0f1215;--card:#1a1e23;--fg:#e6e8eb;
--muted:#9aa4af;--line:#2f363d;--link:#7cb7ff;--accent:#ff8a7a;--ok:#6fd08c;--warn:#e3b341;
--chip:#2a3139}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.6;
font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
main{max-width:760px;margin:0 auto;background:var(--card);padding:0 0 24px}
header{padding:20px 16px 12px;border-bottom:3px solid var(--accent)}
header h1{margin:0;font-size:22px;color:var(--accent)}
header p{margin:4px 0 0;color:var(--muted);font-size:14px;overflow-wrap:anywhere}
a{color:var(--link)}
.note{margin:12px 16px;padding:8px 12px;border-radius:6px;border-left:4px solid var(--ok)}
.note.bad{border-color:var(--accent)}.note.hold{border-color:var(--warn)}
.note ul{margin:4px 0;padding-left:20px}
fieldset{border:0;border-top:1px solid var(--line);margin:0;padding:12px 16px}
legend{font-weight:700;padding:0;font-size:16px}
.hint{margin:0 0 6px;font-size:13px;color:var(--muted)}
.opts{display:flex;flex-wrap:wrap;gap:6px 8px}
.opts label{display:inline-flex;align-items:center;gap:4px;padding:4px 10px;
border-radius:16px;background:var(--chip);font-size:15px;min-height:36px}
details{margin:4px 0;border-bottom:1px solid var(--line)}
summary{cursor:pointer;padding:6px 0;min-height:36px}
summary .n{color:var(--muted);font-size:13px}
select{font-size:16px;padding:6px;min-height:40px}
.row{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
.actions{display:flex;flex-wrap:wrap;gap:10px;padding:16px}
button{font-size:16px;padding:10px 18px;border-radius:6px;border:1px solid var(--line);
background:var(--chip);color:var(--fg);cursor:pointer;min-height:44px}
button.primary{background:var(--link);border-color:var(--link);color:#fff}
button.danger{background:var(--accent);border-color:var(--accent);color:#fff}
footer{padding:8px 16px;font-size:13px;color:var(--muted);overflow-wrap:anywhere}
</style></head>
<body><main>{% block body %}{% endblock %}</main></body></html>
"""

_FORM = """{% extends "base" %}
{% block title %}管理订阅 · {{ brand }}{% endblock %}
{% block body %}
<header><h1>管理订阅</h1>
<p>{{ subscriber.name or subscriber.id }} · {{ subscriber.email }}</p></header>
{% if notice %}<div class="note" id="notice" role="status">{{ notice }}</div>{% endif %}
{% if problems %}<div class="note bad" id="problems" role="alert">未保存，请修改：<ul>
{% for p in problems %}<li>{{ p }}</li>{% endfor %}</ul></div>{% endif %}
{% if unsubscribed %}
<div class="note bad" id="state">您已退订，不会再收到摘要。如需恢复，请联系本站管理员。</div>
{% else %}
{% if prefs.paused %}<div class="note hold" id="state">摘要已暂停：恢复前不会发送。</div>{% endif %}
<form method="post" action="{{ action }}">
<fieldset><legend>内容类别</legend>
<div class="opts">{% for value, label in choices.kinds %}
{{ box("checkbox", "kind", value, label, value in prefs.kinds) }}
{% endfor %}</div></fieldset>
<fieldset><legend>主题</legend><p class="hint">不选则不限主题。</p>
<div class="opts">{% for value, label in choices.themes %}
{{ box("checkbox", "theme", value, label, value in prefs.themes) }}
{% endfor %}</div></fieldset>
<fieldset><legend>省份</legend>
<p class="hint">关注整个省份（含其所有城市）。省份和城市都不选则不限地区。</p>
<div class="opts">{% for value in choices.provinces %}
{{ box("checkbox", "province", value, value, value in prefs.provinces) }}
{% endfor %}</div></fieldset>
<fieldset id="cities"><legend>城市</legend><p class="hint">按省份展开，选择单个城市。</p>
{% for province, cities in choices.cities %}
{% set picked = cities|select("in", prefs.cities)|list %}
<details{% if picked %} open{% endif %}><summary>{{ province }} <span class="n">
{{- cities|length }}个城市{% if picked %}，已选{{ picked|length }}{% endif %}</span></summary>
<div class="opts">{% for city in cities %}
{{ box("checkbox", "city", city, city, city in prefs.cities) }}
{% endfor %}</div></details>
{% endfor %}</fieldset>
<fieldset><legend>发送</legend>
<div class="row">
<span class="opts">{% for value, label in choices.frequencies %}
{{ box("radio", "frequency", value, label, value == prefs.frequency) }}
{% endfor %}</span>
<label>每周发送日 <select name="weekday">{% for value, label in choices.weekdays %}
<option value="{{ value }}"{{ selected(value == prefs.weekday) }}>{{ label }}</option>
{% endfor %}</select></label>
<label>发送时间 <select name="send_at">{% for t in choices.times(prefs.send_at) %}
<option{{ selected(t == prefs.send_at) }}>{{ t }}</option>{% endfor %}</select></label>
</div>
<p class="hint">时区：{{ zone }}{% if next_at %} · 下一期：{{ next_at }}{% endif %}</p>
<div class="opts">{{ box("checkbox", "monday_network", "on", "周一的日报附上一周考察交流网络",
  prefs.monday_network) }}</div>
<p class="hint">每周摘要总是附有本周的考察交流网络。</p></fieldset>
<fieldset><legend>字体</legend>
<div class="opts">{% for value, label in choices.scripts %}
{{ box("radio", "script", value, label, value == prefs.script) }}
{% endfor %}</div></fieldset>
<div class="actions">
<button class="primary" type="submit" name="action" value="save" id="save">保存设置</button>
{% if prefs.paused %}
<button type="submit" name="action" value="resume" id="resume">恢复发送</button>
{% else %}
<button type="submit" name="action" value="pause" id="pause">暂停发送</button>
{% endif %}
</div>
</form>
<form method="post" action="{{ action }}" class="actions">
<button class="danger" type="submit" name="action" value="unsubscribe" id="unsubscribe">
退订</button>
</form>
{% endif %}
<footer><p>您的专属 Atom 订阅源（每条新闻一个条目）：
<a href="{{ feed_url }}" id="feed">{{ feed_url }}</a></p>
{% if stored %}以上为您保存的设置（{{ stored }}）。{% else %}以上为订阅时的设置。{% endif %}
关键词等其他条件由管理员设置。</footer>
{% endblock %}"""

_ENV = Environment(
    loader=DictLoader({"base": _BASE, "form": _FORM}),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _box(kind: str, name: str, value: str, label: str, on: bool) -> Markup:
    """One checkbox or radio button with its label (every value escaped)."""
    checked = Markup(" checked") if on else ""
    return Markup('<label><input type="{}" name="{}" value="{}"{}>{}</label>').format(
        kind, name, value, checked, label
    )


_ENV.globals.update(box=_box, selected=lambda on: " selected" if on else "")


def _cross_site(request: Request, origin: str) -> bool:
    """Whether the browser says this POST comes from another site. ``Origin: null`` says
    nothing: browsers send it for our own form, whose page has ``Referrer-Policy: no-referrer``."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return True
    sent = request.headers.get("origin")
    if sent is None or sent == "null":
        return False
    here = f"{request.url.scheme}://{request.url.netloc}"
    return sent not in (origin, here)


def preferences_endpoint(
    config: Config,
    db: Database,
    *,
    secret: str | None,
    origin: str,
    invalid: Callable[[int, str], Response],
) -> Callable[[Request], Awaitable[Response]]:
    """The ``preferences`` route: ``invalid(status, reason)`` renders a refused link the way
    the unsubscribe page does."""
    choices: Choices = choices_for(config.taxonomy)
    known = {s.id: s for s in config.subscribers}
    zone = config.settings.timezone
    brand = brand_of(config.settings.smtp.from_)

    def render(subscriber: Subscriber, action: str, status: int = 200, **extra: object) -> Response:
        stored = load_preferences(db, [subscriber.id]).get(subscriber.id)
        with db.session() as session:
            row = session.get(SubscriberState, subscriber.id)
            due = row.next_digest_at if row else None
        gone = _unsubscribed(db, subscriber.id)
        current = stored or Preferences.of(subscriber)
        shown_zone = apply(subscriber, stored).timezone or zone
        context: dict[str, object] = {
            "brand": brand,
            "subscriber": subscriber,
            "prefs": current,
            "choices": choices,
            "action": action,
            "unsubscribed": gone,
            "zone": shown_zone,
            "next_at": _local(due, shown_zone) if due and not current.paused else "",
            "stored": _local(stored.updated_at, shown_zone) if stored and stored.updated_at else "",
            "notice": "",
            "feed_url": subscriber_feed_url(
                config.settings.archive, feed_name(str(secret), subscriber.id)
            ),
            "problems": (),
        }
        context.update(extra)
        html = _ENV.get_template("form").render(**context)
        return HTMLResponse(html, status_code=status, headers=NO_STORE)

    def store(subscriber: Subscriber, prefs: Preferences) -> None:
        reader = apply(subscriber, prefs)
        nxt = next_digest_at(reader, zone, utcnow())
        save_preferences(db, subscriber.id, prefs, next_digest_at=nxt)

    async def endpoint(request: Request) -> Response:
        if not secret:
            return invalid(503, "the preferences page is not configured: no secret is set")
        try:
            subscriber_id = verify_token(
                secret, request.query_params.get("token", ""), "preferences"
            )
        except InvalidToken as exc:
            return invalid(400, str(exc))
        subscriber = known.get(subscriber_id)
        if subscriber is None:
            return invalid(404, f"no subscriber {subscriber_id!r}")
        action = f"{request.url.path}?{request.url.query}"  # relative: right behind proxies
        if request.method == "GET":
            return render(subscriber, action)
        if _cross_site(request, origin):
            return PlainTextResponse("403 Forbidden: a cross-site form", 403, headers=NO_STORE)
        form = await request.form()
        what = form.get("action")
        stored = load_preferences(db, [subscriber.id]).get(subscriber.id)
        current = stored or Preferences.of(subscriber)
        if what not in ACTIONS:
            return render(subscriber, action, 400, problems=[f"未知操作「{str(what)[:40]}」"])
        if _unsubscribed(db, subscriber.id):  # only the operator's resubscribe undoes it
            return render(subscriber, action, 409)
        if what == "unsubscribe":
            unsubscribe(db, subscriber.id)
            return render(subscriber, action, notice="已退订：不会再收到摘要。")
        if what in ("pause", "resume"):
            store(subscriber, dataclasses.replace(current, paused=what == "pause"))
            notice = "已暂停发送。" if what == "pause" else "已恢复发送。"
            return render(subscriber, action, notice=notice)
        lists = {key: [str(v) for v in form.getlist(key)] for key in form}
        try:
            prefs = parse_form(lists, choices, paused=current.paused)
        except FormError as exc:
            return render(subscriber, action, 400, problems=exc.problems)
        store(subscriber, prefs)
        return render(subscriber, action, notice="设置已保存，从下一期起生效。")

    return endpoint


def _unsubscribed(db: Database, subscriber_id: str) -> bool:
    with db.session() as session:
        row = session.get(SubscriberState, subscriber_id)
        return bool(row and row.unsubscribed)


def _local(value: datetime, zone: str) -> str:
    return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
