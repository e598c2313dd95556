"""The checklist's rows, built in Python: the page's one hot loop (153 items on METI's edition).

Each row is the item's text (the same for everyone: rendered once per process from
`assessments/_checklist_item.html` and kept in memory) followed by its answer
block, one pattern for every item, written here because a template would cost more than the
rest of the page together (issue 12, section 6: bench/assessment.py prints the figures). The
answer block is also what an htmx save answers with (`answer_saved.html`) and what the page
without JavaScript shows when a save is refused (`answer_refused.html`).

Field names carry the item's id (`<id>-rating`, `<id>-reason`, `<id>-comment`): without
JavaScript all rows are one form (one CSRF token) posted to `items/`; the save button pressed
names its item.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def checklist_rows(context, rows):
    """Items of the checklist, each its text then its answer block."""
    last_year = escape(_("Last year"))
    html = []
    for row in rows:
        pk = row.item.pk
        previous = ""
        if row.previous_rating:
            previous = f'<p class="previous">{last_year}: <b>{escape(row.previous_rating)}</b></p>'
        html.append(f'<article class="item" id="item-{pk}">{_item_text(context, row)}{previous}'
                    f'{answer_block(context, row)}{_item_extras(context, row)}</article>')
    return mark_safe("\n".join(html))


def _item_extras(context, row):
    """What apps above the assessments add to a row (assessments.extensions: the improvement
    plan's actions and evidence files), rendered only for rows that have some so the page stays
    light; every row links to the item's own page of evidence and actions (an upload form per
    item cannot sit inside the checklist's one form)."""
    extras = ""
    if getattr(row, "actions", None) or getattr(row, "evidence", None):
        page = context.render_context.get("item_extras_context")
        if page is None:  # once per page, not once per row
            page = context.render_context["item_extras_context"] = context.flatten()
        extras = render_to_string("improvement/_item_actions.html", {**page, "row": row})
    items_url = context.get("item_extras_url")
    if items_url:
        label = context.render_context.get("item_extras_label")
        if label is None:
            label = context.render_context["item_extras_label"] = escape(_("Actions and evidence"))
        # Relative to the checklist's own address (.../assessments/<pk>/), the only page that shows
        # rows: 153 links, each 60 bytes shorter (issue 12, section 6: the page's weight).
        extras += f'<a class="item-link" href="items/{row.item.pk}/evidence/">{label}</a>'
    return extras


# Rendered item texts, per process: an edition's text never changes once loaded (the key holds
# its fingerprint and load time), so the strings are shared by every request.
_texts: dict[str, str] = {}
_TEXTS_MAX = 20000


def _item_text(context, row):
    item = row.item
    key = f"{item.pk}.{context['catalogue_key']}.{get_language()}.{int(row.show_purpose)}{int(row.show_requirement)}"
    text = _texts.get(key)
    if text is None:
        text = render_to_string("assessments/_checklist_item.html", {
            "item": item,
            "show_purpose": row.show_purpose,
            "show_requirement": row.show_requirement,
            "edition_url": context["edition_url"],
        })
        if len(_texts) >= _TEXTS_MAX:
            _texts.clear()
        _texts[key] = text
    return text


def _review(context, row, labels, disabled):
    """The yearly review of a □ △ × carried over from last year (docs/rules.md, "The yearly review")."""
    answer, pk = row.answer, row.item.pk
    if "review" not in labels:
        labels["review"] = {
            "examined": escape(_("Yearly review: is the reason for deferring still valid? How far has preparation come?")),
            "open": escape(_("Yearly review: where does the internal discussion stand?")),
            "awaits": escape(_("Carried over from last year: confirm it with a note, or change the rating, before the assessment is submitted.")),
            "done": escape(_("Reviewed")),
        }
    text = labels["review"]
    question = text["examined"] if context["scale"].is_examined(answer.rating) else text["open"]
    state = (f'<span class="reason-needed">{text["awaits"]}</span>' if answer.awaits_review
             else f'<span class="saved">✓ {text["done"]}</span>')
    css = "review review-open" if answer.awaits_review else "review"
    return (f'<div class="{css}"><label>{question}<textarea name="{pk}-review_note"{disabled}>\n'
            f'{escape(answer.review_note)}</textarea></label>{state}</div>')


@register.simple_tag(takes_context=True)
def answer_block(context, row, error="", saved=False):
    """The item's answer: the rating, the reason (when the scale asks for one or one was
    given), the comment, the save button of the page without JavaScript."""
    pk = row.item.pk
    answer = row.answer
    rating = answer.rating if answer else ""
    reason = answer.reason if answer else ""
    comment = answer.comment if answer else ""
    editable = context["editable"]
    scale = context["scale"]
    disabled = "" if editable else " disabled"
    labels = context.render_context.get("answer_labels")
    if labels is None:  # once per page
        labels = context.render_context["answer_labels"] = {
            "rating": escape(_("Rating")),
            "reason": escape(context["reason_label"]),
            "comment": escape(_("Comment and evidence")),
            "saved": escape(_("Saved")),
            "needed": escape(_("This rating needs a reason before the assessment can be submitted.")),
            "options": [(escape(o.symbol), o.symbol, escape(o.label)) for o in context["rating_options"]],
            "submit": f'<button name="item" value="{{pk}}">{escape(_("Save"))}</button>',
        }
    parts = [f'<div class="answer" id="answer-{pk}">']
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    # A select here, made a group of rating buttons by the page's one rating widget pattern
    # (<template id="rating-widget">, static/js/keiretsu.js) when JavaScript runs.
    # End tags of options are optional in HTML and left out: the page's weight (issue 12, section 6).
    parts.append(f'<label>{labels["rating"]} <select name="{pk}-rating"{disabled}><option value="">')
    for symbol_html, symbol, label in labels["options"]:
        selected = " selected" if symbol == rating else ""
        parts.append(f'<option value="{symbol_html}"{selected}>{symbol_html} {label}')
    parts.append("</select></label>")
    if answer is not None and answer.review_required:
        parts.append(_review(context, row, labels, disabled))
    if scale.requires_reason or reason:
        parts.append(f'<label>{labels["reason"]}<textarea name="{pk}-reason"{disabled}>\n'
                     f'{escape(reason)}</textarea></label>')
        if answer is not None and scale.lacks_reason(rating, reason):
            parts.append(f'<span class="reason-needed">{labels["needed"]}</span>')
    parts.append(f'<label>{labels["comment"]}<textarea name="{pk}-comment"{disabled}>\n'
                 f'{escape(comment)}</textarea></label>')
    if editable:
        parts.append(labels["submit"].format(pk=pk))
    if saved and not error:
        parts.append(f'<span class="saved" role="status">✓ {labels["saved"]}</span>')
    parts.append("</div>")
    return mark_safe("".join(parts))
