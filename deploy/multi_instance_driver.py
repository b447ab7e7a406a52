"""Drives the API through nginx for deploy/multi-instance-check.sh (standard library only)."""
import json, os, re, signal, socket, subprocess, sys, time, urllib.error, urllib.request
from urllib.parse import urlparse

NGINX, API_A, API_B, PID_A, DB = sys.argv[1:6]
failures = []
passed = []

def call(base, method, path, body=None, token=None, headers=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def user(kind):
    email = f"{kind.lower()}-{time.time_ns()}@multi.test"
    status, _ = call(NGINX, "POST", "/api/users", {"name": "m", "email": email, "password": "test1234", "type": kind})
    assert status == 201, status
    status, body = call(NGINX, "POST", "/api/auth/login", {"email": email, "password": "test1234"})
    assert status == 201, status
    return body["accessToken"]

def metric(base, pattern):
    with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith("#") and re.search(pattern, line):
            total += float(line.rsplit(" ", 1)[1])
    return total

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    (passed if ok else failures).append(name)

seller, buyer = user("SELLER"), user("BUYER")
call(NGINX, "POST", "/api/stores", {"name": "multi", "address": "a", "phoneNumber": "010-1234-5678", "content": "content"}, seller)
status, product = call(NGINX, "POST", "/api/products", {"name": "multi", "price": 1000, "categoryName": "top",
                                                         "stocks": [{"sizeId": 3, "quantity": 100000}]}, seller)
assert status == 201, status
product = product["id"]

# 1. Requests are balanced over both instances.
grade = r'route="/api/metadata/grade"'
before = (metric(API_A, "http_requests_total.*" + grade), metric(API_B, "http_requests_total.*" + grade))
for _ in range(40):
    call(NGINX, "GET", "/api/metadata/grade")
after = (metric(API_A, "http_requests_total.*" + grade), metric(API_B, "http_requests_total.*" + grade))
served = (after[0] - before[0], after[1] - before[1])
check("requests are balanced across both instances", min(served) >= 10, f"A served {served[0]:.0f}, B {served[1]:.0f}")

# 2. A stream through nginx receives a notification caused on the other instance.
u = urlparse(NGINX)
sock = socket.create_connection((u.hostname, u.port), timeout=5)
sock.sendall(f"GET /api/notifications/sse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {seller}\r\n\r\n".encode())
buf = b""
while b": connected" not in buf:
    buf += sock.recv(4096)
streams = (metric(API_A, "^sse_open_streams"), metric(API_B, "^sse_open_streams"))
other = API_B if streams[0] >= 1 else API_A
status, _ = call(other, "POST", f"/api/products/{product}/inquiries", {"title": "cross", "content": "instance"}, buyer)
sock.settimeout(3)
started = time.time()
try:
    while b"data: " not in buf:
        buf += sock.recv(4096)
    got = True
except socket.timeout:
    got = False
check("an SSE stream through nginx receives a notification caused on the other instance",
      got and status == 201, f"stream on {'A' if other == API_B else 'B'}, {1000 * (time.time() - started):.1f} ms")
sock.close()

# 3. One instance stops mid-traffic: no failed request, no lost or doubled order.
statuses = []
for i in range(120):
    if i == 40:
        os.kill(int(PID_A), signal.SIGTERM)
    status, _ = call(NGINX, "POST", "/api/orders",
                     {"name": "m", "phone": "010", "address": "x",
                      "orderItems": [{"productId": product, "sizeId": 3, "quantity": 1}]},
                     buyer, {"Idempotency-Key": f"multi-{i}"})
    statuses.append(status)
failed = [s for s in statuses if s != 201]
check("stopping one instance mid-traffic fails no request", not failed, f"{len(statuses) - len(failed)} x 201, failed: {failed[:5]}")
count = subprocess.run(["psql", DB, "-Atc", "SELECT count(*) FROM orders"], capture_output=True, text=True).stdout.strip()
check("no order is lost or doubled", count == "120", f"{count} orders in the database")
time.sleep(0.5)
try:
    os.kill(int(PID_A), 0)
    alive = True
except ProcessLookupError:
    alive = False
check("the stopped instance exited", not alive)

print(f"multi-instance: {len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
