from functools import cache


def todo(request):
    """The menu's count of the member's to-dos: one query, and only on a page that shows it."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.organisation.is_industry_body:
        return {}
    from .todo import todo_count

    return {"todo_count": cache(lambda: todo_count(membership))}
