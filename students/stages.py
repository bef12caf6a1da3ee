"""The stage a case has reached, in words, for the case page and the lists.

An application's own status stops at "Conclusion issued"; what follows (the route drafted, agreed, approved, in
force, under review) is the routes app's, above this one. It registers a reader here from its AppConfig.ready()
(docs/architecture.md, "Registries"), so a list of applications shows "Route in force" rather than a status that
stopped being true months ago.
"""

from collections.abc import Callable, Iterable

_readers: list[Callable] = []


def register(reader: Callable) -> None:
    """`reader(applications) -> {application pk: label}` for the applications whose stage goes further than
    their status; it reads all of them in one query."""
    _readers[:] = [reader]


def label_stages(applications: Iterable) -> list:
    """Set `stage_label` on each application (its status, or the further stage a reader knows); returns them."""
    applications = list(applications)
    further = _readers[0](applications) if _readers and applications else {}
    for application in applications:
        application.stage_label = further.get(application.pk) or application.get_status_display()
    return applications
