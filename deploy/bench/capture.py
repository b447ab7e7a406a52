#!/usr/bin/env python3
"""Turn the SQL one server request ran into a pgbench script (make bench, deploy/bench.sh).

deploy/bench.sh turns on `log_statement = all`, sends one request, turns it off, and hands the
slice of PostgreSQL's log written in between to this script. Every statement the server ran
(BEGIN, each execute with its bound parameters, COMMIT) becomes a line of the pgbench script, with
the parameters written in as literals, so pgbench replays exactly the server's SQL.

To make each pgbench transaction a different request, as in the load run:
  * ids the server generated (UUIDv7 hex) and the request's Idempotency-Key become a fresh
    random number per transaction (`:g1`, `:g2`, ...);
  * `--var NAME PREFIX-N EXPR` replaces the bench id `PREFIX-N` (e.g. bench-product-777) by
    `PREFIX-:NAME` and sets `\\set NAME EXPR` at the top of the script.

`--mode` says how pgbench will send the script, as the server sends the same SQL:
  * `prepared` (`pgbench -M prepared`): each statement is prepared once per client and run
    without a parse, and where PostgreSQL settles on a generic plan, without planning, as the
    server's kept-prepared statements are. The bound values stay literals in the text, so every
    plan is made for them. pgbench turns every `:name` into a parameter, inside literals too, so
    a literal holding a variable becomes a concatenation (`'bench-product-:product'` ->
    `('bench-product-' || :product)`; text, which the server's casts and text columns take),
    and any other colon inside a literal is written `\x3a` in an E'' literal (timestamps,
    JSON), which keeps the literal's type open as before.
  * `simple` (`pgbench -M simple`, the default): every statement is parsed and planned each
    time; variables sit inside string literals, which only simple mode substitutes.
In both, the server's `SET plan_cache_mode` / `RESET plan_cache_mode` around a statement that
needs a plan per run are left out: the server pipelines them with the statement (one round
trip), and pgbench's statements are planned for their literal values anyway.
"""

import argparse
import re
import sys

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] ")
LOG = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)", re.S)
DETAIL = re.compile(r"DETAIL:  parameters: (.*)", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
PLACEHOLDER = re.compile(r"\$(\d+)(?!\d)")
GENERATED = re.compile(
    r"\b(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
)
# Our own switches, which the same log slice holds, and the server's per-run planning switch.
OURS = re.compile(r"^\s*(ALTER SYSTEM|SELECT pg_reload_conf|(SET|RESET) plan_cache_mode)", re.I)


def entries(lines):
    """Log entries: a prefixed line plus its unprefixed continuation lines."""
    current = None
    for line in lines:
        if ENTRY.match(line):
            if current:
                yield current
            current = line
        elif current is not None:
            current += line
    if current:
        yield current


def statements(log_text):
    """(sql, params) in the order the server ran them."""
    found = []
    for entry in entries(log_text.splitlines(keepends=True)):
        body = ENTRY.sub("", entry, count=1)
        m = LOG.search(body)
        if m:
            sql = m.group(1).strip()
            if not OURS.match(sql):
                found.append([sql, {}])
            continue
        d = DETAIL.search(body)
        if d and found:
            found[-1][1] = {int(n): v for n, v in PARAM.findall(d.group(1))}
    return found


def bind(sql, params):
    missing = [n for n in map(int, PLACEHOLDER.findall(sql)) if n not in params]
    if missing:
        raise SystemExit(f"capture: no value logged for ${missing[0]} in: {sql[:200]}")
    return PLACEHOLDER.sub(lambda m: params[int(m.group(1))], sql)


LITERAL = re.compile(r"'(?:[^']|'')*'")
COLON_WORD = re.compile(r":[A-Za-z0-9_]")


def for_prepared_mode(sql, names):
    """Literals rewritten so that pgbench -M prepared finds exactly the variables `names`."""
    if not names:
        var = None
    else:
        alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        var = re.compile(r":(" + alternatives + r")(?![A-Za-z0-9_])")

    def literal(text):
        if COLON_WORD.search(text):
            return "E'" + text.replace("\\", "\\\\").replace(":", "\\x3a") + "'"
        return "'" + text + "'"

    def rewrite(m):
        inner = m.group(0)[1:-1]
        pieces = var.split(inner) if var else [inner]
        if len(pieces) == 1:
            return literal(inner)
        parts = [":" + p if i % 2 else literal(p) for i, p in enumerate(pieces) if i % 2 or p]
        return "(" + " || ".join(parts) + ")"

    return LITERAL.sub(rewrite, sql)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", help="the PostgreSQL log slice")
    ap.add_argument("--out", required=True)
    ap.add_argument("--var", nargs=3, action="append", default=[],
                    metavar=("NAME", "ID", "EXPR"))
    ap.add_argument("--mode", choices=("simple", "prepared"), default="simple",
                    help="the pgbench protocol the script is for")
    ap.add_argument("--set", nargs=2, action="append", default=[], metavar=("NAME", "EXPR"),
                    help="an extra \\set line, e.g. one a --var expression uses")
    opts = ap.parse_args()

    with open(opts.log, encoding="utf-8", errors="replace") as f:
        captured = statements(f.read())
    if not captured:
        raise SystemExit("capture: the log slice holds no statement of the server")
    sql = [" ".join(bind(s, p).split()) for s, p in captured]

    generated = {}
    def fresh(m):
        return ":" + generated.setdefault(m.group(0), f"g{len(generated) + 1}")
    sql = [GENERATED.sub(fresh, s) for s in sql]

    header = [f"\\set {name} {expr}" for name, expr in opts.set]
    for name, ident, expr in opts.var:
        prefix, _, number = ident.rpartition("-")
        if not prefix or not number.isdigit():
            raise SystemExit(f"capture: --var id must look like prefix-N, got {ident}")
        pattern = re.compile(re.escape(ident) + r"(?!\d)")
        sql = [pattern.sub(f"{prefix}-:{name}", s) for s in sql]
        header.append(f"\\set {name} {expr}")
    header += [f"\\set {g} random(1, 9000000000000000000)" for g in generated.values()]
    if opts.mode == "prepared":
        names = [name for name, _, _ in opts.var] + list(generated.values())
        sql = [for_prepared_mode(s, names) for s in sql]

    with open(opts.out, "w", encoding="utf-8") as f:
        f.write("-- Captured from the server by deploy/bench/capture.py; "
                f"run with pgbench -M {opts.mode}.\n")
        for line in header:
            f.write(line + "\n")
        for s in sql:
            f.write(s.rstrip(";") + ";\n")
    print(f"capture: {len(sql)} statements -> {opts.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
