"""Schemathesis auth for deploy/schema-fuzz.sh: a demo account's token, renewed on a 401.

The fuzzer exercises every operation, including logout and account deletion; a single token
taken up front would leave every later operation answering 401 and untested. So a 401 makes
schemathesis fetch a new token (its default `retry_on`), logging in again, and registering the
account again when an earlier case deleted it.
"""

import json
import os
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["CODIIT_FUZZ_BASE"]
WHO = os.environ["CODIIT_FUZZ_WHO"]  # buyer or seller
EMAIL = f"{WHO}@codiit.com"
PASSWORD = "test1234"


def _post(path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        BASE + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


@schemathesis.auth()
class DemoAccount:
    def get(self, case, context):
        status, body = _post("/api/auth/login", {"email": EMAIL, "password": PASSWORD})
        if status != 201 and status != 200:
            _post(
                "/api/users",
                {"name": f"demo {WHO}", "email": EMAIL, "password": PASSWORD, "type": WHO.upper()},
            )
            status, body = _post("/api/auth/login", {"email": EMAIL, "password": PASSWORD})
        if "accessToken" not in body:
            raise RuntimeError(f"cannot log in as {EMAIL}: {status}")
        return body["accessToken"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
