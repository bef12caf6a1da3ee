"""A small but real OpenID provider for the tests, run in its own process: `python oidc_provider.py`.

It prints its port on the first line of stdout, then serves on 127.0.0.1:
- /.well-known/openid-configuration (discovery), /jwks (its RSA public key), /authorize (answers at once for the
  person the test chose, checking client_id, redirect_uri and that a PKCE S256 challenge, state and nonce came),
  /token (code once only, PKCE verifier checked, client secret checked, an RS256-signed ID token), /userinfo,
  /logout (the end_session_endpoint: remembers the call and goes back to post_logout_redirect_uri);
- /_test/next (POST JSON {"claims": {...}, "forge": "..."}): whom the next sign-in is for, and what to get wrong in
  its ID token (wrong_key, wrong_audience, expired, nonce:<value>); /_test/log: what it saw.

Only the standard library, PyJWT and cryptography (both dependencies of mozilla-django-oidc).
"""

import base64
import contextlib
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "inclusion-centre"
CLIENT_SECRET = "test-client-secret"
KID = "test-key-1"

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # signs forged tokens

state = {"next": {"claims": {}, "forge": ""}, "codes": {}, "tokens": {}, "log": []}
lock = threading.Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk() -> dict:
    numbers = KEY.public_key().public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    return {
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": KID,
        "n": b64url(numbers.n.to_bytes(size, "big")),
        "e": b64url(numbers.e.to_bytes(3, "big")),
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url):
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with lock:
            state["log"].append({"path": url.path, "query": query})
        if url.path == "/.well-known/openid-configuration":
            return self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "userinfo_endpoint": f"{self.issuer}/userinfo",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "end_session_endpoint": f"{self.issuer}/logout",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )
        if url.path == "/jwks":
            return self._json({"keys": [public_jwk()]})
        if url.path == "/authorize":
            return self._authorize(query)
        if url.path == "/userinfo":
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            with lock:
                claims = state["tokens"].get(token)
            if claims is None:
                return self._json({"error": "invalid_token"}, 401)
            return self._json(claims)
        if url.path == "/logout":
            return self._redirect(query.get("post_logout_redirect_uri") or f"{self.issuer}/logged-out")
        if url.path == "/_test/log":
            with lock:
                return self._json(state["log"])
        return self._json({"error": "not_found"}, 404)

    def _authorize(self, query):
        problems = [
            name
            for name, ok in {
                "client_id": query.get("client_id") == CLIENT_ID,
                "response_type": query.get("response_type") == "code",
                "redirect_uri": bool(query.get("redirect_uri")),
                "state": bool(query.get("state")),
                "nonce": bool(query.get("nonce")),
                "code_challenge": bool(query.get("code_challenge")),
                "code_challenge_method": query.get("code_challenge_method") == "S256",
                "scope": "openid" in (query.get("scope") or "").split(),
            }.items()
            if not ok
        ]
        if problems:
            return self._json({"error": "invalid_request", "problems": problems}, 400)
        code = secrets.token_urlsafe(24)
        with lock:
            chosen = dict(state["next"])
            state["codes"][code] = {
                "claims": chosen["claims"],
                "forge": chosen["forge"],
                "nonce": query["nonce"],
                "challenge": query["code_challenge"],
                "redirect_uri": query["redirect_uri"],
            }
        return self._redirect(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path == "/_test/next":
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                state["next"] = {"claims": body.get("claims", {}), "forge": body.get("forge", "")}
                state["log"].clear()
            return self._json({"ok": True})
        if url.path == "/token":
            return self._token(self._form())
        return self._json({"error": "not_found"}, 404)

    def _token(self, form):
        with lock:
            state["log"].append({"path": "/token", "form": {k: v for k, v in form.items() if k != "client_secret"}})
            grant = state["codes"].pop(form.get("code", ""), None)  # a code works once
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._json({"error": "invalid_client"}, 401)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode("ascii")).digest()) != grant["challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        now = int(time.time())
        forge = grant["forge"]
        claims = {
            "iss": self.issuer,
            "aud": "someone-else" if forge == "wrong_audience" else CLIENT_ID,
            "iat": now - 7200 if forge == "expired" else now,
            "exp": now - 3600 if forge == "expired" else now + 300,
            "nonce": forge.removeprefix("nonce:") if forge.startswith("nonce:") else grant["nonce"],
            **grant["claims"],
        }
        key = OTHER_KEY if forge == "wrong_key" else KEY
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
        access_token = secrets.token_urlsafe(24)
        userinfo = {k: v for k, v in grant["claims"].items() if k not in ("amr", "acr")}
        with lock:
            state["tokens"][access_token] = userinfo
        return self._json(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_port, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
