"""Database sessions that record their user, so that every session of a user can be found and ended at once.

Django's database engine keeps only a key, the encoded data and an expiry: finding a user's sessions would mean
decoding every row. This is the extension Django's documentation describes ("Extending database-backed session
engines"): the same engine with one indexed column more. SESSION_ENGINE names this module; its store, which also
reads the session's user with the row, lives in preload.py with the other reads that rely on private names.
"""

from .models import UserSession
from .preload import SessionStore

__all__ = ["SessionStore", "end_sessions_of"]


def end_sessions_of(user_id: int) -> int:
    """Delete every stored session of this user; returns how many there were."""
    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted
