from .selectors.work import cached_counts, has_work_list


def work(request):
    """The menu's count of what waits on a staff member (routes.selectors.work.cached_counts); nothing for others."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has_work_list(user):
        return {}
    total, overdue = cached_counts(user)
    return {"work_count": total, "work_overdue": overdue, "has_work_list": True}
