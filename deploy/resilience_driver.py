"""Orders while PostgreSQL stops and starts again (deploy/resilience-check.sh)."""
import json, subprocess, sys, threading, time, urllib.error, urllib.request

API, DB = sys.argv[1:3]
failures, passed = [], []

def call(method, path, body=None, token=None, headers=None, timeout=15):
    req = urllib.request.Request(API + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")
    except Exception as e:  # a hang (timeout) or a dropped connection
        return 0, str(e)

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    (passed if ok else failures).append(name)

def user(kind):
    email = f"{kind.lower()}-{time.time_ns()}@resilience.test"
    assert call("POST", "/api/users", {"name": "r", "email": email, "password": "test1234", "type": kind})[0] == 201
    return call("POST", "/api/auth/login", {"email": email, "password": "test1234"})[1]["accessToken"]

seller, buyer = user("SELLER"), user("BUYER")
call("POST", "/api/stores", {"name": "r", "address": "a", "phoneNumber": "010-1234-5678", "content": "content"}, seller)
product = call("POST", "/api/products", {"name": "r", "price": 1000, "categoryName": "top",
                                          "stocks": [{"sizeId": 3, "quantity": 100000}]}, seller)[1]["id"]

results = []  # (key, status, order id, seconds)
stop = threading.Event()

def load():
    i = 0
    while not stop.is_set():
        key = f"resilience-{i}"
        started = time.time()
        status, body = call("POST", "/api/orders", {"name": "r", "phone": "010", "address": "x",
                                                   "orderItems": [{"productId": product, "sizeId": 3, "quantity": 1}]},
                            buyer, {"Idempotency-Key": key})
        results.append((key, status, body.get("id") if isinstance(body, dict) else None, time.time() - started))
        i += 1
        time.sleep(0.02)

worker = threading.Thread(target=load)
worker.start()
time.sleep(1.5)
subprocess.run(["deploy/local-pg.sh", "stop", "test"], check=True, capture_output=True)
down_at = time.time()
time.sleep(3)
health = call("GET", "/api/health", timeout=5)
check("the health check says unavailable while the database is down", health[0] == 503, f"{health[0]}")
subprocess.run(["deploy/local-pg.sh", "start", "test"], check=True, capture_output=True)
up_at = time.time()
recovered = None
while time.time() - up_at < 15:
    if results and results[-1][1] == 201:
        recovered = time.time() - up_at
        break
    time.sleep(0.1)
time.sleep(1)
stop.set()
worker.join()

statuses = {}
for _, status, _, _ in results:
    statuses[status] = statuses.get(status, 0) + 1
slowest = max(r[3] for r in results)
check("every request is answered, none hangs", 0 not in statuses and slowest < 10, f"statuses {statuses}, slowest {slowest:.1f} s")
check("while down the server answers 503, never a 500", 500 not in statuses and statuses.get(503, 0) > 0, f"{statuses.get(503, 0)} x 503")
check("it recovers by itself within seconds", recovered is not None, f"answering 201 again {recovered:.1f} s after the restart command returned" if recovered else "")

# Retry every non-201 with its key: each key must end as exactly one order.
for key, status, _, _ in list(results):
    if status != 201:
        for _ in range(20):
            s, body = call("POST", "/api/orders", {"name": "r", "phone": "010", "address": "x",
                                                  "orderItems": [{"productId": product, "sizeId": 3, "quantity": 1}]},
                           buyer, {"Idempotency-Key": key})
            if s == 201:
                break
            time.sleep(0.2)
ok_ids = {r[2] for r in results if r[1] == 201}
count = subprocess.run(["psql", DB, "-Atc", "SELECT count(*), count(DISTINCT id) FROM orders"], capture_output=True, text=True).stdout.strip()
stored, distinct = (int(x) for x in count.split("|"))
existing = subprocess.run(["psql", DB, "-Atc", "SELECT id FROM orders"], capture_output=True, text=True).stdout.split()
check("no committed order is lost", ok_ids.issubset(set(existing)), f"{len(ok_ids)} answered 201")
check("no order is duplicated: one per key", stored == len(results), f"{stored} orders for {len(results)} keys")
print(f"resilience: {len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
