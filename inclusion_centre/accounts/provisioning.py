"""Who a person signing in through the university's sign-in (OpenID Connect, LDAP / Active Directory) is here.

A person is matched to their account, in this order, by:
1. the link made at an earlier sign-in (ExternalIdentity: the provider's own stable subject id);
2. a stable identifier the university keeps: the IIN (User.iin, the one a qualified signature must name) or the SIS
   id the import stored. The IIN matcher is this module's own; the SIS id lives in students, a layer above, so
   apps register a matcher per kind from their AppConfig.ready() (students/apps.py registers Student.external_id);
3. the e-mail address, only when the provider says it verified it. An unverified e-mail claim never matches:
   anyone can put a colleague's address in an account at a provider that does not check it.

A person who matches nobody gets an account only when the provider's groups map to a staff role; students and
legal representatives are only ever matched (students come from the SIS import). Each sign-in sets the roles the
provider decides (its mapping's values) to what it says now, through the audited service: a role removed at the
provider is removed here at the next sign-in.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from inclusion_centre.history import acting_as

from .models import ExternalIdentity, User
from .roles import Role
from .services import user_sync_provider_roles

logger = logging.getLogger(__name__)

# Roles a sign-in never creates an account for: these people exist here only through the import or the centre.
NEVER_CREATED = frozenset({Role.STUDENT.value, Role.REPRESENTATIVE.value})


# kind ("iin", "sis_id") -> functions (value) -> User | None, registered by the apps that keep these identifiers.
def user_by_iin(iin: str) -> User | None:
    """The account whose IIN this is, when exactly one holds it (an IIN held twice is a data error: no match)."""
    found = list(User.objects.filter(iin=iin)[:2])
    return found[0] if len(found) == 1 else None


_MATCHERS: dict[str, list[Callable[[str], User | None]]] = {"iin": [user_by_iin], "sis_id": []}


def register_matcher(kind: str, matcher: Callable[[str], User | None]) -> None:
    if kind not in _MATCHERS:
        raise ValueError(f"Unknown identifier kind: {kind}")
    if matcher not in _MATCHERS[kind]:
        _MATCHERS[kind].append(matcher)


class NoAccount(Exception):
    """The person signed in at the provider but has no account here, and none may be made (reason: a code)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Assertion:
    """What the provider said about the person, already checked (signature, audience, nonce; or the LDAP bind)."""

    source: str  # ExternalIdentity.Source
    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    full_name: str = ""
    iin: str = ""
    sis_id: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)  # the mapped roles the provider gives now
    managed_roles: frozenset[str] = field(default_factory=frozenset)  # every role the provider's mapping can give

    @property
    def label(self) -> str:
        return f"{self.source}:{self.issuer}"


def roles_from_groups(groups, mapping: dict) -> frozenset[str]:
    """The roles the mapping gives for these group names (unknown groups and unknown roles are ignored)."""
    if isinstance(groups, str):
        groups = [groups]
    valid = set(Role.values)
    return frozenset(mapping[g] for g in groups or () if isinstance(g, str) and mapping.get(g) in valid)


def match(assertion: Assertion) -> User | None:
    """The existing account this person is, or None (see the module's docstring for the order)."""
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(source=assertion.source, issuer=assertion.issuer, subject=assertion.subject)
        .first()
    )
    if link is not None:
        return link.user
    for kind in ("iin", "sis_id"):
        value = getattr(assertion, kind).strip()
        if not value:
            continue
        for matcher in _MATCHERS[kind]:
            user = matcher(value)
            if user is not None:
                return user
    if assertion.email and assertion.email_verified:
        return User.objects.filter(email__iexact=assertion.email.strip()).first()
    return None


def sign_in(assertion: Assertion) -> User:
    """The account of the person the provider vouched for, matched or made, with its provider-decided roles set
    to what the provider says now. Raises NoAccount (nothing written) when there is none and none may be made."""
    if not assertion.subject:
        raise NoAccount("no_subject")
    with transaction.atomic():
        user = match(assertion)
        if user is None:
            user = _create(assertion)
        linked = ExternalIdentity.objects.filter(
            source=assertion.source, issuer=assertion.issuer, subject=assertion.subject
        ).first()
        if linked is None:
            if ExternalIdentity.objects.filter(user=user, source=assertion.source, issuer=assertion.issuer).exists():
                # The account is linked to another person at the same provider: a second one is not taken over.
                raise NoAccount("linked_to_another")
            with acting_as(None):
                ExternalIdentity.objects.create(
                    user=user,
                    source=assertion.source,
                    issuer=assertion.issuer,
                    subject=assertion.subject,
                    last_sign_in_at=timezone.now(),
                )
        else:
            ExternalIdentity.objects.filter(pk=linked.pk).update(last_sign_in_at=timezone.now())
        if assertion.managed_roles:
            user_sync_provider_roles(
                user=user, roles=set(assertion.roles), managed=set(assertion.managed_roles), source=assertion.label
            )
    return user


def _create(assertion: Assertion) -> User:
    staff_roles = assertion.roles - NEVER_CREATED
    if not staff_roles:
        raise NoAccount("unknown_person")
    if not (assertion.email and assertion.email_verified):
        raise NoAccount("no_verified_email")
    if User.objects.filter(email__iexact=assertion.email.strip()).exists():
        raise NoAccount("email_taken")
    try:
        with transaction.atomic(), acting_as(None):
            user = User.objects.create_user(
                email=assertion.email.strip(), full_name=assertion.full_name[:200] or assertion.email.strip()
            )  # no password: this person signs in through the provider
    except IntegrityError as error:  # the same e-mail made a moment ago by a parallel sign-in
        raise NoAccount("email_taken") from error
    logger.info("Account %s made at first sign-in through %s", user.pk, assertion.label)
    return user
