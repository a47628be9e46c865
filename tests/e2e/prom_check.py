#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""prom_check.py: e2e_prometheus.sh's helpers, each a subcommand.

Reads synwall's telemetry with its own few lines of socket code (not the
exporter's: the exporter is what is being checked) and Prometheus'
HTTP API (urllib). Prints "key value" lines for the shell; exit status 0
unless said otherwise.

  sample PREFIX OUT SECONDS INTERVAL
      /synwall/stats every INTERVAL s for SECONDS s (one connection):
      lines "EPOCH syn_rx cookie_ok" to OUT, flushed as they come.
  window SAMPLES T W
      From a sample file: syn_rx's rate over [T-W, T] (values at both
      ends interpolated between samples): "ref_rate R". Exit 1 when the
      samples do not cover the window.
  rate URL PREFIX SAMPLES T W
      PromQL's sum(rate(synwall_syncookie_syn_rx_total{prefix=PREFIX}[Ws]))
      at T ("prom_rate R"), and the same rate computed from synwall's
      own counter (the samples, interpolated) at the very timestamps of
      the scrapes Prometheus used, with Prometheus' extrapolation
      ("ref_rate R"): like with like, whatever scrape was late or missed.
      Exit 1 when something is missing.
  at SAMPLES T
      cookie_ok and syn_rx at epoch T, interpolated: "ref_ok N",
      "ref_syn N". Exit 1 when T is not covered.
  query URL PROMQL [TIME]
      An instant query; one line per result: "LABELS VALUE" (labels as
      k=v,k=v sorted; "-" for none), or "scalar VALUE". Exit 1 on an
      API error.
  targets URL
      "JOB HEALTH LAST_ERROR" per active target.
  rules URL
      "GROUP RULE TYPE HEALTH [STATE]" per rule.
  alerts URL
      "ALERTNAME STATE LABELS" per active alert.
  exposition URL PREFIX_UP PREFIX_DOWN
      Reads the exporter's /metrics (prometheus_client's parser), checks
      the naming, types and labels it promises (docs/monitoring.md);
      prints "bad ..." lines for what is wrong and "ok N" (families);
      exit 1 on any bad line.
  pages PREFIX
      Walks /synwall/backends (and ,SERVICE), /synwall/config (and
      ,SECTION), /synwall/stats, /synwall/ports: prints "reply CMD
      BYTES ENTRIES", "backends N", "service NAME N", "config_backends
      NAME N", "bad ..." for a reply over telemetry's limits or a
      backend listed twice; exit 1 on any bad line.
"""

import bisect
import json
import os
import re
import socket
import sys
import time
import urllib.parse
import urllib.request

RUNDIR = "/var/run/dpdk"
TEL_MAX = 16384           # DPDK 22.11's MAX_OUTPUT_LEN
TEL_DICT_MAX = 256        # RTE_TEL_MAX_DICT_ENTRIES


# ------------------------------------------------------------- telemetry

class Tel:
    def __init__(self, prefix, timeout=2.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(timeout)
        self.s.connect(os.path.join(RUNDIR, prefix, "dpdk_telemetry.v2"))
        self.s.recv(4096)  # the hello

    def raw(self, cmd):
        self.s.send(cmd.encode())
        data = self.s.recv(1 << 20)
        return json.loads(data.decode()), len(data)

    def get(self, cmd):
        reply, n = self.raw(cmd)
        return reply.get(cmd.split(",", 1)[0]), n


def sample(prefix, out, seconds, interval):
    end = time.time() + float(seconds)
    tel = None
    with open(out, "w") as f:
        while time.time() < end:
            try:
                if tel is None:
                    # Patient: on 2 busy CPUs the telemetry thread can
                    # take a while; a reconnect would only add to it.
                    tel = Tel(prefix, 3.0)
                t0 = time.time()
                st, _ = tel.get("/synwall/stats")
                t1 = time.time()
                sc = st["syncookie"]
                f.write("%.4f %d %d\n" % ((t0 + t1) / 2, sc["syn_rx"],
                                          sc["cookie_ok"]))
                f.flush()
            except (OSError, ValueError, KeyError, TypeError):
                tel = None  # synwall restarting: try again
            time.sleep(float(interval))
    return 0


def _load(path):
    rows = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 3:
                rows.append((float(p[0]), int(p[1]), int(p[2])))
    return rows


def _interp(rows, t, col):
    ts = [r[0] for r in rows]
    i = bisect.bisect_left(ts, t)
    if i == 0 or i >= len(rows):
        if i < len(rows) and ts[i] == t:
            return float(rows[i][col])
        return None
    (t0, *a), (t1, *b) = rows[i - 1], rows[i]
    if t1 - t0 > 4.0:
        return None  # a hole (synwall stopped): no value to trust
    v0, v1 = a[col - 1], b[col - 1]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def window(path, t, w):
    rows = _load(path)
    t, w = float(t), float(w)
    a, b = _interp(rows, t - w, 1), _interp(rows, t, 1)
    if a is None or b is None:
        print("# samples do not cover [%.1f, %.1f] (%d samples, %s..%s)" % (
            t - w, t, len(rows), rows[0][0] if rows else "-",
            rows[-1][0] if rows else "-"))
        return 1
    print("ref_rate %.1f" % ((b - a) / w))
    return 0


def _extrapolated_rate(points, start, end, rng):
    """Prometheus 2.x's rate() of one counter series (promql/functions.go,
    extrapolatedRate) over points [(t, v)] in [start, end]."""
    if len(points) < 2:
        return None
    result = points[-1][1] - points[0][1]
    last = 0.0
    for _, v in points:
        if v < last:
            result += last
        last = v
    to_start = points[0][0] - start
    to_end = end - points[-1][0]
    sampled = points[-1][0] - points[0][0]
    avg = sampled / (len(points) - 1)
    if result > 0 and points[0][1] >= 0:
        to_start = min(to_start, sampled * (points[0][1] / result))
    threshold = avg * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else avg / 2
    interval += to_end if to_end < threshold else avg / 2
    return result * (interval / sampled) / rng


def rate(url, prefix, path, t, w):
    t, w = float(t), float(w)
    sel = 'synwall_syncookie_syn_rx_total{prefix="%s"}' % prefix
    try:
        got = _api(url, "query", query="sum(rate(%s[%ds]))" % (sel, w),
                   time=t)["result"]
        raw = _api(url, "query", query="%s[%ds]" % (sel, w), time=t)["result"]
    except (OSError, ValueError) as e:
        print("# query: %s" % e)
        return 1
    if not got or not raw:
        print("# no result (%d, %d series)" % (len(got), len(raw)))
        return 1
    print("prom_rate %.1f" % float(got[0]["value"][1]))
    # The scrapes' timestamps (every worker's series has them all).
    stamps = sorted({float(ts) for r in raw for ts, _ in r["values"]})
    rows = _load(path)
    ref = [(ts, _interp(rows, ts, 1)) for ts in stamps]
    if any(v is None for _, v in ref):
        print("# samples do not cover the scrapes %.1f..%.1f" % (
            stamps[0], stamps[-1]))
        return 1
    print("scrapes %d %.1f..%.1f" % (len(stamps), stamps[0] - t,
                                      stamps[-1] - t))
    r = _extrapolated_rate(ref, t - w, t, w)
    if r is None:
        print("# fewer than 2 scrapes in the window")
        return 1
    print("ref_rate %.1f" % r)
    return 0


def at(path, t):
    rows = _load(path)
    ok, syn = _interp(rows, float(t), 2), _interp(rows, float(t), 1)
    if ok is None:
        print("# samples do not cover %s" % t)
        return 1
    print("ref_ok %.1f" % ok)
    print("ref_syn %.1f" % syn)
    return 0


# ------------------------------------------------------------ Prometheus

def _api(url, path, **params):
    q = urllib.parse.urlencode(params)
    with urllib.request.urlopen("%s/api/v1/%s%s" % (
            url, path, "?" + q if q else ""), timeout=10) as r:
        j = json.load(r)
    if j.get("status") != "success":
        raise ValueError(j.get("error", "error"))
    return j["data"]


def _labels(m):
    return ",".join("%s=%s" % kv for kv in sorted(m.items())) or "-"


def query(url, expr, t=None):
    params = {"query": expr}
    if t is not None:
        params["time"] = t
    try:
        d = _api(url, "query", **params)
    except (OSError, ValueError) as e:
        print("# query %s: %s" % (expr, e))
        return 1
    if d["resultType"] == "scalar":
        print("scalar", d["result"][1])
    elif d["resultType"] == "vector":
        for r in d["result"]:
            print(_labels(r["metric"]), r["value"][1])
    return 0


def targets(url):
    for t in _api(url, "targets")["activeTargets"]:
        print(t["labels"].get("job", "-"), t["health"],
              (t.get("lastError") or "-").replace(" ", "_"))
    return 0


def rules(url):
    for g in _api(url, "rules")["groups"]:
        for r in g["rules"]:
            print(g["name"], r["name"], r["type"], r.get("health", "-"),
                  r.get("state", ""))
    return 0


def alerts(url):
    for a in _api(url, "alerts")["alerts"]:
        print(a["labels"].get("alertname"), a["state"], _labels(a["labels"]))
    return 0


def exposition(url, up, down):
    from prometheus_client.parser import text_string_to_metric_families
    with urllib.request.urlopen(url, timeout=10) as r:
        ctype = r.headers.get("Content-Type", "")
        text = r.read().decode()
    bad = []
    if not ctype.startswith("text/plain"):
        bad.append("content type %s" % ctype)
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    syn = [f for n, f in fams.items() if n.startswith("synwall_")]

    def samples(name, **want):
        f = fams.get(name[:-6] if name.endswith("_total") else name)
        if f is None:
            return []
        return [s for s in f.samples if s.name == name and
                all(s.labels.get(k) == v for k, v in want.items())]

    for f in syn:
        for s in f.samples:
            if "prefix" not in s.labels:
                bad.append("%s without prefix" % s.name)
            if f.type == "counter" and not s.name.endswith("_total"):
                bad.append("counter %s not _total" % s.name)
            if f.type == "gauge" and s.name.endswith("_total"):
                bad.append("gauge %s named _total" % s.name)
            if not re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$", s.name):
                bad.append("name %s" % s.name)
    upv = samples("synwall_up", prefix=up)
    if [s.value for s in upv] != [1.0]:
        bad.append("synwall_up{prefix=%s} %s, expected 1" % (up, upv))
    dn = samples("synwall_up", prefix=down)
    if [s.value for s in dn] != [0.0]:
        bad.append("synwall_up{prefix=%s} %s, expected 0" % (down, dn))
    others = [s.name for f in syn for s in f.samples
              if s.labels.get("prefix") == down and s.name not in (
                  "synwall_up", "synwall_scrape_duration_seconds",
                  "synwall_exporter_errors_total")]
    if others:
        bad.append("series of the absent instance: %s" % others[:3])
    for name, kind in (("synwall_syncookie_syn_rx", "counter"),
                       ("synwall_syncookie_cookie_ok", "counter"),
                       ("synwall_port_rx_pkts", "counter"),
                       ("synwall_drops", "counter"),
                       ("synwall_flow_active", "gauge"),
                       ("synwall_flow_table_entries", "gauge"),
                       ("synwall_flow_table_capacity", "gauge"),
                       ("synwall_up", "gauge")):
        f = fams.get(name)
        if f is None or f.type != kind:
            bad.append("%s: %s, expected a %s" % (
                name, f.type if f else "missing", kind))
    workers = {s.labels.get("worker")
               for s in samples("synwall_syncookie_syn_rx_total", prefix=up)}
    nw = samples("synwall_workers", prefix=up)
    want_w = {str(i) for i in range(int(nw[0].value))} if nw else None
    if not nw or workers != want_w:
        bad.append("worker labels %s, synwall_workers %s" % (
            sorted(w or "-" for w in workers), nw))
    sides = {s.labels.get("side")
             for s in samples("synwall_port_rx_pkts_total", prefix=up)}
    if sides != {"outside", "inside"}:
        bad.append("side labels %s" % sorted(x or "-" for x in sides))
    reasons = {s.labels.get("reason")
               for s in samples("synwall_drops_total", prefix=up)}
    for r in ("cookie_bad", "unprotected", "tx_full", "l2_trunc"):
        if r not in reasons:
            bad.append("no drop reason %s (%d reasons)" % (r, len(reasons)))
    fam_cap = {s.labels.get("family")
               for s in samples("synwall_flow_table_capacity", prefix=up)}
    if fam_cap != {"ipv4", "ipv6"}:
        bad.append("flow table families %s" % sorted(
            x or "-" for x in fam_cap))
    for line in bad:
        print("bad", line)
    print("ok", len(syn))
    return 1 if bad else 0


# -------------------------------------------------- telemetry's limits

def pages(prefix):
    tel = Tel(prefix)
    bad = []

    def reply(cmd):
        val, n = tel.get(cmd)
        entries = len(val) if isinstance(val, dict) else 0
        print("reply", cmd, n, entries)
        # DPDK leaves out silently what does not fit: a reply this close
        # to the limit may have lost something (synwall keeps 256 free).
        if n > TEL_MAX - 200:
            bad.append("%s: %d bytes, at telemetry's limit" % (cmd, n))
        if entries >= TEL_DICT_MAX:
            bad.append("%s: %d entries" % (cmd, entries))
        if isinstance(val, dict):
            for sub in val.values():
                if isinstance(sub, dict) and len(sub) >= TEL_DICT_MAX:
                    bad.append("%s: a dict of %d entries" % (cmd, len(sub)))
        return val

    def walk(svc):
        seen, cmd = {}, "/synwall/backends" + ("," + svc if svc else "")
        for _ in range(200):
            page = reply(cmd)
            if not isinstance(page, dict):
                bad.append("%s: %r" % (cmd, page))
                break
            for k, v in page.items():
                if not isinstance(v, dict):
                    continue
                key = (v.get("service"), v.get("addr"), v.get("port"))
                if None in key:
                    bad.append("%s: %s lacks service/addr/port" % (cmd, k))
                if key in seen:
                    bad.append("%s: %s listed twice" % (cmd, k))
                seen[key] = v
            nxt = page.get("next")
            if nxt is None:
                break
            cmd = "/synwall/backends,%s,%d" % (svc or "*", nxt)
        return seen

    for cmd in ("/synwall/stats", "/synwall/stats,0", "/synwall/ports"):
        reply(cmd)
    everyone = walk("")
    print("backends", len(everyone))
    services = sorted({k[0] for k in everyone})
    for svc in services:
        mine = walk(svc)
        others = [k for k in mine if k[0] != svc]
        if others:
            bad.append("/synwall/backends,%s lists %s" % (svc, others[:2]))
        print("service", svc, len(mine))
    unknown, _ = tel.get("/synwall/backends,no_such_service")
    if unknown is not None:
        bad.append("/synwall/backends,no_such_service: %r" % (unknown,))
    full = reply("/synwall/config")
    print("config_truncated", int(isinstance(full, dict) and
                                  full.get("truncated") == 1))
    for svc in services:
        sect = reply("/synwall/config,service_" + svc)
        keys = sect.get("service_" + svc, {}) if isinstance(sect, dict) \
            else {}
        text = ", ".join(v for k, v in sorted(
            keys.items(), key=lambda kv: _part(kv[0]))
            if re.match(r"^backends(_\d+)?$", k))
        n = len([a for a in text.split(",") if a.strip()])
        print("config_backends", svc, n)
    for line in bad:
        print("bad", line)
    return 1 if bad else 0


def _part(key):
    m = re.match(r"^(.*?)(?:_(\d+))?$", key)
    return (m.group(1), int(m.group(2) or 1))


def main(argv):
    cmds = {"sample": sample, "window": window, "rate": rate, "at": at,
            "query": query,
            "targets": targets, "rules": rules, "alerts": alerts,
            "exposition": exposition, "pages": pages}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
