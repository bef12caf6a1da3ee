from .notifications import unread_count_for


def notifications(request):
    """The signed-in user's unread count for the menu: one query, none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": unread_count_for(user)}
