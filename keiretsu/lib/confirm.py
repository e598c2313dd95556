"""Asking before what cannot be undone (issue 12, section 4).

A view that publishes, discards, withdraws, revokes or removes calls `confirmation(...)` on
its POST, after it has looked the object up (another organisation's object is still a 404)
and before it acts. Until the form says `confirmed=1`, the answer is the question: a page of
its own without JavaScript, the content of the page's dialog with htmx (templates/confirm.html;
static/js/keiretsu.js opens it). The question's form posts the same fields again, confirmed.
"""

from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmation(request, *, title, message, action, cancel_url):
    """The question to answer before acting, or None once the person has confirmed."""
    if request.POST.get(CONFIRMED) == "1":
        return None
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED)
        for value in values
    ]
    context = {"title": title, "message": message, "action": action, "cancel_url": cancel_url, "carried": carried}
    template = "confirm.html#question" if getattr(request, "htmx", False) else "confirm.html"
    return render(request, template, context)
