from .notifications import unread_count_for
from .preload import UNREAD


def notifications(request):
    """The signed-in user's unread count for the menu: counted with the session, none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    preloaded = getattr(user, UNREAD, None)  # counted with the session (preload.py)
    return {"unread_notification_count": unread_count_for(user) if preloaded is None else preloaded}
