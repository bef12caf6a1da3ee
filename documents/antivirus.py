"""A ClamAV scan of every stored upload, when `CLAMD` names a daemon ("tcp://host:3310" or a unix socket path).

The client speaks clamd's INSTREAM command directly (a few lines over a socket): the Python clamd packages on the
registry are unmaintained. A file is sent in chunks, each prefixed with its length as a 4-byte big-endian number,
ended by a zero length; clamd answers "stream: OK" or "stream: <signature> FOUND".
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd is configured but could not give an answer (down, refused, timed out, said ERROR)."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)
    path = address.removeprefix("unix://")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def scan_stream(fileobj, *, address: str | None = None, timeout: float | None = None) -> ScanResult:
    """Scan the file (read from its current position to the end) with clamd. Raises ScannerUnavailable."""
    address = address or settings.CLAMD
    timeout = settings.CLAMD_TIMEOUT if timeout is None else timeout
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := fileobj.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                answer += received
    except (OSError, ValueError) as exc:  # refused, unreachable, timed out, a malformed address
        raise ScannerUnavailable(str(exc)) from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" OK"):
        return ScanResult(clean=True)
    if text.endswith(" FOUND"):
        return ScanResult(clean=False, signature=text.removeprefix("stream:").removesuffix("FOUND").strip())
    # "INSTREAM size limit exceeded. ERROR", an empty answer: no verdict, so nothing is accepted.
    raise ScannerUnavailable(text or "no answer")
