from functools import cache


def todo(request):
    """The menu's count of the member's to-dos: one query, and only on a page that shows it."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.organisation.is_industry_body:
        return {}
    if hasattr(request, "todo_total"):  # the to-do page counted them already
        return {"todo_count": request.todo_total}
    from .todo import todo_count

    return {"todo_count": cache(lambda: todo_count(membership))}
