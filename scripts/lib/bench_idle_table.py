# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench-idle's table: idle CPU and low-rate latency per setting.

bench_idle_table.py TSV PMD SECONDS RATE [JSON]

TSV: one line per setting (poll, adaptive:US), tab-separated: setting,
idle CPU %, paced_connects.py's JSON for bare connects, the same with a
request per connection. Prints the table, the added p50 against poll,
and writes JSON when asked.
"""
import json
import sys


def fmt(v, spec="%.3f"):
    return "-" if v is None else spec % v


def main():
    tsv, pmd, secs, rate = sys.argv[1:5]
    out = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
    rows = []
    with open(tsv) as f:
        for line in f:
            setting, cpu, conn, req = line.rstrip("\n").split("\t")
            rows.append({"setting": setting, "idle_cpu_pct": float(cpu),
                         "connect": json.loads(conn or "{}"),
                         "request": json.loads(req or "{}")})
    poll = next((r for r in rows if r["setting"] == "poll"), None)
    print("\nIdle modes on veth (%s), one worker; idle CPU over %s s, then "
          "%s connects/s for %s s (paced_connects.py)" %
          (pmd, secs, rate, secs))
    print("%-22s %9s %20s %10s %20s %10s %7s" % (
        "[worker] idle", "idle CPU", "connect p50/p99 ms", "added p50",
        "request p50/p99 ms", "added p50", "failed"))
    for r in rows:
        c, q = r["connect"], r["request"]
        for k, d in (("connect", c), ("request", q)):
            base = poll[k].get("p50_ms") if poll else None
            r[k + "_added_p50_ms"] = (
                None if base is None or d.get("p50_ms") is None
                else d["p50_ms"] - base)
        failed = sum(d.get("timeouts", 0) + d.get("errors", 0)
                     for d in (c, q))
        if not c or not q:
            failed = "no data"
        r["failed"] = failed
        label = r["setting"].replace("adaptive:", "adaptive, max ") + \
            ("" if r["setting"] == "poll" else " us")
        print("%-22s %8.1f%% %20s %10s %20s %10s %7s" % (
            label, r["idle_cpu_pct"],
            "%s / %s" % (fmt(c.get("p50_ms")), fmt(c.get("p99_ms"))),
            fmt(r["connect_added_p50_ms"], "%+.3f"),
            "%s / %s" % (fmt(q.get("p50_ms")), fmt(q.get("p99_ms"))),
            fmt(r["request_added_p50_ms"], "%+.3f"), failed))
    print("Rate and cycles at full load: scripts/bench, rows "
          "\"idle = poll\" (synwall-bench --idle poll) against the default.")
    if out:
        with open(out, "w") as f:
            json.dump({"pmd": pmd, "seconds": int(secs),
                       "connects_per_s": int(rate), "results": rows}, f,
                      indent=1)


if __name__ == "__main__":
    main()
