"""Sign-in with the university's OpenID Connect provider (Entra ID, Google Workspace, Keycloak, Tunduk …).

mozilla-django-oidc runs the authorization code flow with PKCE (S256), state and nonce (kept per state in the
session, used once), and checks the ID token's signature against the provider's JWKS. On top of it, here:
- the provider's endpoints come from its discovery document (OIDC_ISSUER), read when first needed and cached;
- the ID token's issuer, audience, expiry, issue time and subject are checked too (the library checks the
  signature and the nonce only);
- the person is matched or provisioned by provisioning.py (never by an unverified e-mail claim);
- a provider that asserts multi-factor sign-in (amr / acr, configurable) spares the session our TOTP step;
- signing out ends the provider's session too where it offers an end_session_endpoint (RP-initiated logout).
"""

import logging
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import provisioning, two_factor
from .models import ExternalIdentity

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_KEY = "accounts:oidc:discovery"
# The session of a person who signed in through the provider: "oidc"; and whether the provider asserted MFA.
SIGNIN_SOURCE_SESSION_KEY = "_signin_source"
PROVIDER_MFA_SESSION_KEY = two_factor.PROVIDER_MFA_SESSION_KEY
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 (mozilla-django-oidc's session key, not a secret)


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with something that is not its configuration."""


def provider_config() -> dict:
    """The provider's endpoints and issuer: its discovery document, with any endpoint set in the settings winning.
    Raises ProviderUnavailable when the document cannot be read."""
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session_endpoint": settings.OIDC_OP_END_SESSION_ENDPOINT,
    }
    config = cache.get(DISCOVERY_CACHE_KEY)
    if config is None:
        try:
            response = requests.get(settings.OIDC_DISCOVERY_URL, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            config = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(str(error)) from error
        if not isinstance(config, dict) or not config.get("issuer"):
            raise ProviderUnavailable("The discovery document names no issuer.")
        if settings.OIDC_ISSUER and config["issuer"].rstrip("/") != settings.OIDC_ISSUER:
            # A discovery document must name the issuer it was fetched for (OpenID Connect Discovery §4.3).
            raise ProviderUnavailable(f"The discovery document names another issuer: {config['issuer']}")
        cache.set(DISCOVERY_CACHE_KEY, config, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    merged = {**config, **{name: value for name, value in explicit.items() if value}}
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not merged.get(needed):
            raise ProviderUnavailable(f"The provider's configuration has no {needed}.")
    return merged


def asserts_mfa(claims: dict) -> bool:
    """Whether the ID token says the person passed more than one factor (amr or acr, as configured)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR):
        return True
    return bool(settings.OIDC_MFA_ACR) and claims.get("acr") in settings.OIDC_MFA_ACR


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class ProviderBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the authorization code flow; answers None to every other sign-in."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoints here; this backend is built for every sign-in of any kind, so they are
        # read (from discovery) only when a callback is being authenticated.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    # Signing in only: ModelBackend and ObjectGrantBackend answer every permission question, once.
    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        config = provider_config()
        self.issuer = config["issuer"].rstrip("/")
        self.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = config.get("userinfo_endpoint") or ""
        self.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
        return super().authenticate(request, **kwargs)

    def get_payload_data(self, token, key):
        # The library's own check reads the signature only (and would accept alg "none" when configured to):
        # here the algorithm is pinned and the issuer, audience, expiry, issue time and subject are required.
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is not signed with the expected algorithm.")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=settings.OIDC_CLOCK_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("The provider sent no ID token.")
        try:
            return super().verify_token(token, **kwargs)
        except (jwt.InvalidTokenError, KeyError) as error:  # a header without kid, a JWKS without keys
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT or not access_token:
            return {}
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):  # OpenID Connect Core §5.3.2
            raise SuspiciousOperation("The userinfo answer is about someone else.")
        return info

    def get_or_create_user(self, access_token, id_token, payload):
        # The ID token is signed and was checked: its claims win over the userinfo answer's.
        claims = {**self.get_userinfo(access_token, id_token, payload), **payload}
        self.request.oidc_claims = payload
        mapping = settings.OIDC_GROUP_ROLES
        assertion = provisioning.Assertion(
            source=ExternalIdentity.Source.OIDC,
            issuer=self.issuer,
            subject=str(claims.get("sub") or ""),
            email=str(claims.get("email") or ""),
            email_verified=_truthy(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)),
            full_name=str(claims.get(settings.OIDC_CLAIM_NAME) or ""),
            iin=str(claims.get(settings.OIDC_CLAIM_IIN) or "") if settings.OIDC_CLAIM_IIN else "",
            sis_id=str(claims.get(settings.OIDC_CLAIM_SIS_ID) or "") if settings.OIDC_CLAIM_SIS_ID else "",
            roles=provisioning.roles_from_groups(claims.get(settings.OIDC_CLAIM_GROUPS), mapping),
            managed_roles=provisioning.roles_from_groups(list(mapping), mapping),
        )
        try:
            return provisioning.sign_in(assertion)
        except provisioning.NoAccount as refusal:
            logger.info("OIDC sign-in of subject %s refused: %s", assertion.subject, refusal.reason)
            self.request.signin_refusal = refusal.reason
            return None


# --- Views ---------------------------------------------------------------------------------------------------


def signin_failed(request, reason: str, status: int):
    """The page that says why signing in through the provider did not work, and that the sign-in page remains."""
    return render(
        request,
        "accounts/signin_failed.html",
        {"reason": reason, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID  # read again: the settings may change (tests)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_config()["authorization_endpoint"]
        except ProviderUnavailable as error:
            logger.warning("OIDC provider unavailable: %s", error)
            return signin_failed(request, "unavailable", 503)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code and the state; anything wrong ends on a clear page."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("OIDC sign-in refused: %s", error)
            return signin_failed(request, "invalid", 400)
        except (ProviderUnavailable, requests.RequestException) as error:
            logger.warning("OIDC provider unavailable: %s", error)
            return signin_failed(request, "unavailable", 503)

    def login_failure(self):
        reason = getattr(self.request, "signin_refusal", None)
        if reason:
            return signin_failed(self.request, "no_account", 403)
        if getattr(self, "user", None) is not None and not self.user.is_active:
            return signin_failed(self.request, "disabled", 403)
        if self.request.GET.get("error"):
            return signin_failed(self.request, "cancelled", 400)
        return signin_failed(self.request, "invalid", 400)

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        session[SIGNIN_SOURCE_SESSION_KEY] = "oidc"
        claims = getattr(self.request, "oidc_claims", {}) or {}
        session[PROVIDER_MFA_SESSION_KEY] = asserts_mfa(claims)
        return response


def end_session_url(request) -> str | None:
    """Where to send the browser so the provider ends its session too, or None (not signed in through it, or it
    offers no end_session_endpoint, or it cannot be reached now: then only our session ends)."""
    if request.session.get(SIGNIN_SOURCE_SESSION_KEY) != "oidc" or not settings.OIDC_ENABLED:
        return None
    try:
        endpoint = provider_config().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
    }
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if urlsplit(endpoint).query else "?"
    return f"{endpoint}{separator}{urlencode(params)}"


class LogoutView(auth_views.LogoutView):
    """Ends our session and, for a session that came through the provider, the provider's (RP-initiated)."""

    def post(self, request, *args, **kwargs):
        provider_url = end_session_url(request) if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if provider_url:
            return HttpResponseRedirect(provider_url)
        return response
