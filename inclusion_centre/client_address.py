"""The address a request came from, for the access log, the sign-in lockout (django-axes) and rate limits.

X-Forwarded-For is written by whoever sends the request, and a log that believes it can be made to blame someone
else: it is read only when the request arrives from one of settings.TRUSTED_PROXIES (the reverse proxy of the
deployment), and then only the addresses that proxies appended, from the right, up to the first one that is not a
trusted proxy: the client as the outermost trusted proxy saw it.
"""

import functools
import ipaddress

from django.conf import settings


def _parse_address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@functools.cache
def _networks(configured: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in configured if network.strip())


def _trusted(address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> str | None:
    """The address the request came from.

    X-Forwarded-For is written by whoever sends the request, and a log that believes it can be made to blame
    someone else: it is read only when the request arrives from one of settings.TRUSTED_PROXIES (the reverse
    proxy of the deployment), and then only the addresses that proxies appended, from the right, up to the first
    one that is not a trusted proxy: the client as the outermost trusted proxy saw it.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    address = _parse_address(remote) if remote else None
    if address is None or not _trusted(address):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        forwarded = _parse_address(hop)
        if forwarded is None:
            break  # a malformed hop: trust nothing further left
        if not _trusted(forwarded):
            return str(forwarded)
    return remote
