"""The Python peer of the learn-oauth end-to-end benchmark: authlib's OAuth2Session
(on requests) against the learn-oauth mock in another process. scripts/bench-peers.sh
runs it in a venv under target/ with authlib and requests from PyPI.

    authlib_peer.py rate <token-url> <seconds>  # 200 warm-up tokens, then for <seconds>
    authlib_peer.py fetch <token-url> <n>       # exactly <n> tokens
    authlib_peer.py warm <token-url> <n>        # <n> warm token checks, one thread

One token: ``session.fetch_token(url, grant_type="client_credentials")`` on one session
(one kept-alive connection). A warm hit: what the session's request path runs before it
signs each request, ``OAuth2Auth.ensure_active_token()`` (the token's expiry check; the
session is built with ``token_endpoint`` and ``grant_type="client_credentials"``, so an
expired token would be fetched again), then reading the access token out.

rate and fetch print "tokens<TAB>seconds<TAB>tokens_per_s", warm prints
"calls<TAB>ns_per_call", as e2e_client does. No token is ever printed.
"""

import os
import sys
import time

# The mock is plain HTTP on 127.0.0.1; authlib refuses http:// token URLs without this.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from authlib.integrations.requests_client import OAuth2Session  # noqa: E402

# The benchmark tenant: the same values as src/fixture.rs (TENANT_ID, CLIENT_SECRET,
# SCOPES). A benchmark value, not a credential.
TENANT_ID = "eu-west-2_AbcdEfghI"
CLIENT_SECRET = "b3nchmark-s3cret-not-a-credential"
SCOPES = "api/read api/write"


def fail(message):
    print(f"authlib_peer: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 4:
        fail("usage: authlib_peer.py rate|fetch|warm <token-url> <seconds|n>")
    mode, url, amount = sys.argv[1], sys.argv[2], float(sys.argv[3])
    # HTTP Basic, as ours sends; redirects off, the timeout ours sets.
    session = OAuth2Session(
        TENANT_ID,
        CLIENT_SECRET,
        scope=SCOPES,
        token_endpoint_auth_method="client_secret_basic",
        token_endpoint=url,
        grant_type="client_credentials",
    )
    session.max_redirects = 0

    def one():
        token = session.fetch_token(url, grant_type="client_credentials", timeout=30)
        return len(token["access_token"])

    sink = 0
    if mode in ("rate", "fetch"):
        for _ in range(200 if mode == "rate" else 0):
            sink += one()
        tokens = 0
        began = time.perf_counter()
        if mode == "fetch":
            for _ in range(int(amount)):
                sink += one()
                tokens += 1
        else:
            while time.perf_counter() - began < amount:
                sink += one()
                tokens += 1
        secs = time.perf_counter() - began
        print(f"{tokens}\t{secs:.3f}\t{tokens / secs:.0f}")
    elif mode == "warm":
        n = max(1, int(amount))
        first = one()
        auth = session.token_auth
        before = session.token["access_token"]
        began = time.perf_counter_ns()
        for _ in range(n):
            auth.ensure_active_token()
            sink += len(auth.token["access_token"])
        elapsed = time.perf_counter_ns() - began
        if session.token["access_token"] != before or first <= 0:
            fail("the warm hits fetched a new token")
        print(f"{n}\t{elapsed / n:.1f}")
    else:
        fail(f"unknown mode {mode!r}: rate, fetch or warm")
    if sink < 0:
        print(sink)


if __name__ == "__main__":
    main()
