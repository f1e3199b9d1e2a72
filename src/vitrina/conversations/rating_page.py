"""The rating page that an email's rating links open: the scale from 1 to 5 and an
optional comment, in the conversation's language, without signing in or running script.

`GET /rate/{token}` shows the form (`?score=N`, from the link the customer clicked,
preselects a score); `POST /rate/{token}` records the rating once. The page is plain
HTML because it is read on phones straight from a mail client; failures are pages too,
with the HTTP status that says why (404 altered link, 410 expired, 409 already rated or
not resolved yet, 422 no score chosen); a caller that does not ask for HTML (a script,
a link checker) gets the same refusal as problem+json.
"""

from __future__ import annotations

import html
from typing import Final
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vitrina.api.deps import PUBLIC, Bus, DbSession, SettingsDep, client_ip
from vitrina.brands import service as brands
from vitrina.conversations import service, survey
from vitrina.conversations.errors import ConversationErrorCode as Code
from vitrina.conversations.models import Conversation
from vitrina.conversations.notices import notice
from vitrina.conversations.rating_links import RatingLinkInvalid, conversation_of
from vitrina.conversations.states import State
from vitrina.core.errors import AppError, ErrorCode
from vitrina.core.ratelimit import limits_of

router = APIRouter(include_in_schema=False, dependencies=[Depends(PUBLIC)])

COMMENT_MAX = 2000

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Rate your conversation with {brand}",
        "question": "How did we do?",
        "scale": "From 1 (poor) to 5 (excellent)",
        "comment": "Anything to add? (optional)",
        "send": "Send my rating",
        "already": "This conversation is already rated. Thank you.",
        "not_open": "This conversation is not closed yet: you can rate it once it is.",
        "expired": "This rating link has expired.",
        "invalid": "This rating link is not valid.",
        "choose": "Choose a score from 1 to 5.",
        "too_long": "The comment is too long (2,000 characters at most).",
    },
    "fr": {
        "title": "Notez votre conversation avec {brand}",
        "question": "Comment était notre service ?",
        "scale": "De 1 (mauvais) à 5 (excellent)",
        "comment": "Un commentaire ? (facultatif)",
        "send": "Envoyer ma note",
        "already": "Cette conversation est déjà notée. Merci.",
        "not_open": "Cette conversation n'est pas encore close : vous pourrez la noter ensuite.",
        "expired": "Ce lien de notation a expiré.",
        "invalid": "Ce lien de notation n'est pas valide.",
        "choose": "Choisissez une note de 1 à 5.",
        "too_long": "Le commentaire est trop long (2 000 caractères au plus).",
    },
    "it": {
        "title": "Valuta la tua conversazione con {brand}",
        "question": "Com'è andata?",
        "scale": "Da 1 (scarso) a 5 (eccellente)",
        "comment": "Qualcosa da aggiungere? (facoltativo)",
        "send": "Invia la valutazione",
        "already": "Questa conversazione è già stata valutata. Grazie.",
        "not_open": "Questa conversazione non è ancora chiusa: potrai valutarla dopo.",
        "expired": "Questo link di valutazione è scaduto.",
        "invalid": "Questo link di valutazione non è valido.",
        "choose": "Scegli un voto da 1 a 5.",
        "too_long": "Il commento è troppo lungo (al massimo 2.000 caratteri).",
    },
}

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b2430}fieldset{border:0;padding:0;display:flex;gap:.5rem;flex-wrap:wrap}"
    "label.score{border:1px solid #9aa7b8;border-radius:.5rem;padding:.5rem 1rem}"
    "textarea{width:100%;min-height:6rem}button{margin-top:1rem;padding:.6rem 1.2rem}"
    ".error{color:#a4161a}"
)


def _locale_of(request: Request, conversation: Conversation | None) -> str:
    if conversation is not None and conversation.locale in TEXTS:
        return conversation.locale
    # An unreadable link names no conversation: the browser's first language we speak.
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in TEXTS:
            return code
    return "en"


def _page(locale: str, title: str, body: str, status: int) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _message(locale: str, title: str, text: str, status: int = 200) -> HTMLResponse:
    body = f'<h1>{html.escape(title)}</h1><p role="status">{html.escape(text)}</p>'
    return _page(locale, title, body, status)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _refusal(
    request: Request, locale: str, title: str, text: str, status: int, code: str
) -> HTMLResponse:
    """The refusal as a page for a browser; as problem+json for anything else."""
    if not _wants_html(request):
        raise AppError(text, code=code, status=status)
    return _message(locale, title or text, text, status)


def _form(
    locale: str,
    title: str,
    *,
    chosen: int | None,
    comment: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    t = TEXTS[locale]
    scores = "".join(
        f'<label class="score"><input type="radio" name="score" value="{n}"'
        f"{' checked' if n == chosen else ''} required> {n}</label>"
        for n in range(1, 6)
    )
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        f"<h1>{html.escape(title)}</h1>{problem}"
        '<form method="post">'
        f"<fieldset><legend>{html.escape(t['question'])} {html.escape(t['scale'])}</legend>"
        f"{scores}</fieldset>"
        f'<p><label for="comment">{html.escape(t["comment"])}</label><br>'
        f'<textarea id="comment" name="comment" maxlength="{COMMENT_MAX}">'
        f"{html.escape(comment)}</textarea></p>"
        f'<button type="submit">{html.escape(t["send"])}</button></form>'
    )
    return _page(locale, title, body, status)


async def _open(
    request: Request, token: str, db: DbSession, settings: SettingsDep
) -> tuple[Conversation | None, str, str, HTMLResponse | None]:
    """The conversation, the page's locale and title, or the page that says why not."""
    try:
        conversation_id = conversation_of(settings, token)
    except RatingLinkInvalid as exc:
        locale = _locale_of(request, None)
        why, status = ("expired", 410) if exc.expired else ("invalid", 404)
        text = TEXTS[locale][why]
        return None, locale, "", _refusal(request, locale, "", text, status, f"rating_link_{why}")
    conversation = await service.get(db, conversation_id=conversation_id)
    locale = _locale_of(request, conversation)
    if conversation is None:  # erased since the mail went out
        text = TEXTS[locale]["invalid"]
        return None, locale, "", _refusal(request, locale, "", text, 404, "rating_link_invalid")
    brand = await brands.get_by_slug(db, slug=conversation.brand_slug)
    title = TEXTS[locale]["title"].format(brand=brand.name if brand else conversation.brand_slug)
    closed = conversation.csat_score is not None
    if closed or conversation.state != State.RESOLVED:
        text = TEXTS[locale]["already" if closed else "not_open"]
        return None, locale, title, _refusal(request, locale, title, text, 409, Code.CSAT_NOT_OPEN)
    return conversation, locale, title, None


def _score(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and 1 <= int(raw) <= 5 else None


@router.get("/rate/{token}")
async def rating_form(
    request: Request, token: str, db: DbSession, settings: SettingsDep, score: str | None = None
) -> HTMLResponse:
    """The rating form (public: the signed link is the permission)."""
    conversation, locale, title, refusal = await _open(request, token, db, settings)
    if refusal is not None or conversation is None:
        assert refusal is not None
        return refusal
    return _form(locale, title, chosen=_score(score))


@router.post("/rate/{token}")
async def rating_sent(
    request: Request, token: str, db: DbSession, bus: Bus, settings: SettingsDep
) -> HTMLResponse:
    """Records the rating sent from the form (public: the signed link is the permission)."""
    await limits_of(request).enforce(
        "conversation_write",
        f"{client_ip(request)}|rate",
        rate=settings.public_write_rate_per_minute,
        message="Too many ratings sent; slow down.",
    )
    conversation, locale, title, refusal = await _open(request, token, db, settings)
    if refusal is not None or conversation is None:
        assert refusal is not None
        return refusal
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    score = _score(next(iter(fields.get("score", [])), None))
    comment = (fields.get("comment") or [""])[0].strip()
    t = TEXTS[locale]
    problem = (
        t["choose"] if score is None else t["too_long"] if len(comment) > COMMENT_MAX else None
    )
    if problem is not None:
        if not _wants_html(request):
            raise AppError(problem, code=ErrorCode.VALIDATION, status=422)
        kept = comment[:COMMENT_MAX]
        return _form(locale, title, chosen=score, comment=kept, error=problem, status=422)
    assert score is not None
    await survey.submit(
        db, bus=bus, conversation=conversation, score=score, comment=comment or None
    )
    return _message(locale, title, notice("csat_thanks", locale))
