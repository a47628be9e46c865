#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_exporter.py: synwall-exporter (app/synwall-exporter) without synwall.

The exporter's parsing of telemetry replies recorded from real synwall
instances (tests/unit/data/exporter/*.json, made by record.sh there:
inline mode with two workers after a flood, lb mode with backends over
three /synwall/backends pages) into Prometheus metrics: names, types,
labels and values, every number of every reply accounted for. Then the
telemetry client against a fake DPDK telemetry socket serving those
replies (SOCK_SEQPACKET, as DPDK's): a scrape equals the parsed
recording, an absent, silent, closing or garbling instance gives
synwall_up 0 within the timeout and never an exception, `--once` and
`--record` work. Last, promtool (when installed) checks
config/prometheus/ and runs the alert rules' unit tests, and every
synwall_ metric the rules use is one the exporter makes.

Run by meson (`meson test -C build test_exporter`) or directly; exits 77
(skipped) when Debian's python3-prometheus-client is missing.
"""

import copy
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXPORTER = os.path.join(ROOT, "app", "synwall-exporter", "synwall-exporter")
DATA = os.path.join(ROOT, "tests", "unit", "data", "exporter")
PROM_DIR = os.path.join(ROOT, "config", "prometheus")

try:
    from prometheus_client import CollectorRegistry
    from prometheus_client.exposition import generate_latest
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("1..0 # SKIP python3-prometheus-client is not installed")
    sys.exit(77)


def load_exporter():
    loader = importlib.machinery.SourceFileLoader("synwall_exporter",
                                                  EXPORTER)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


exp = load_exporter()


def recording(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def scrape_text(collector):
    reg = CollectorRegistry()
    reg.register(collector)
    return generate_latest(reg).decode()


class _Static:
    """A collector over fixed fetch() results: {prefix: data}."""

    def __init__(self, data):
        self.data = data

    def describe(self):
        return []

    def collect(self):
        fams = exp.Families()
        for prefix, d in self.data.items():
            exp.add_instance(fams, prefix, d)
        return iter(fams)


def families(data_by_prefix):
    text = scrape_text(_Static(data_by_prefix))
    return {f.name: f for f in text_string_to_metric_families(text)}, text


def samples(fams, name, /, **labels):
    base = name[:-6] if name.endswith("_total") else name
    f = fams.get(base)
    if f is None:
        return []
    return [s for s in f.samples if s.name == name and
            all(s.labels.get(k) == v for k, v in labels.items())]


def value(fams, name, /, **labels):
    got = samples(fams, name, **labels)
    if len(got) != 1:
        raise AssertionError("%s%s: %d samples" % (name, labels, len(got)))
    return got[0].value


class ParseInline(unittest.TestCase):
    """/synwall/stats,W of two workers, /synwall/config, /synwall/ports."""

    @classmethod
    def setUpClass(cls):
        cls.rec = recording("inline-2workers.json")
        cls.fams, cls.text = families({"sw1": cls.rec})
        cls.stats = {int(k.split(",")[1]): v
                     for k, v in cls.rec["replies"].items()
                     if k.startswith("/synwall/stats,")}

    def test_recording_is_what_it_says(self):
        self.assertEqual(sorted(self.stats), [0, 1])
        self.assertEqual(self.stats[0]["workers"], 2)
        self.assertGreater(self.stats[0]["syncookie"]["syn_rx"], 0)
        for name, size in self.rec["sizes"].items():
            self.assertLess(size, 16384, name)

    def test_every_stats_number_is_one_sample(self):
        """Each numeric leaf of each worker's reply (but "workers") is
        exactly one sample, with that value, worker and prefix labels."""
        all_samples = [s for f in self.fams.values() for s in f.samples]
        for w, st in self.stats.items():
            for key, val in st.items():
                if key == "workers":
                    continue
                leaves = val.items() if isinstance(val, dict) \
                    else [(None, val)]
                for sub, v in leaves:
                    name, labels = self.expected(key, sub)
                    got = [s for s in all_samples if s.name == name and
                           s.labels.get("worker") == str(w) and
                           all(s.labels.get(k) == x
                               for k, x in labels.items())]
                    self.assertEqual(len(got), 1, (name, labels, w))
                    self.assertEqual(got[0].value, float(v), (name, w))
                    self.assertEqual(got[0].labels["prefix"], "sw1")

    @staticmethod
    def expected(key, sub):
        if key in ("outside", "inside"):
            return "synwall_port_%s_total" % sub, {"side": key}
        if key == "drop":
            return "synwall_drops_total", {"reason": sub}
        if key == "flow_table":
            fam, what = sub.split("_")
            return "synwall_flow_table_%s" % what, {"family": fam}
        if (key, sub) in (("flow", "active"), ("flow", "holding"),
                          ("lb", "snat_active"), ("lb", "snat_ports")):
            return "synwall_%s_%s" % (key, sub), {}
        if sub is None:
            return "synwall_%s_total" % key, {}
        return "synwall_%s_%s_total" % (key, sub), {}

    def test_types_follow_the_conventions(self):
        for name, f in self.fams.items():
            self.assertTrue(name.startswith("synwall_"), name)
            self.assertRegex(name, r"^[a-z_][a-z0-9_]*$")
            for s in f.samples:
                if f.type == "counter":
                    self.assertTrue(s.name.endswith("_total"), s.name)
                else:
                    self.assertFalse(s.name.endswith("_total"), s.name)
        for gauge in ("synwall_flow_active", "synwall_flow_holding",
                      "synwall_flow_table_entries",
                      "synwall_flow_table_capacity", "synwall_workers",
                      "synwall_port_link_up",
                      "synwall_info", "synwall_telemetry_reply_bytes"):
            self.assertEqual(self.fams[gauge].type, "gauge", gauge)
        for counter in ("synwall_syncookie_syn_rx",
                        "synwall_syncookie_cookie_ok", "synwall_drops",
                        "synwall_port_rx_pkts", "synwall_flow_created",
                        "synwall_busy_cycles", "synwall_protected_pkts"):
            self.assertEqual(self.fams[counter].type, "counter", counter)
        self.assertIn("# TYPE synwall_syncookie_syn_rx_total counter",
                      self.text)

    def test_labels(self):
        sides = {s.labels["side"] for s in samples(
            self.fams, "synwall_port_rx_pkts_total")}
        self.assertEqual(sides, {"outside", "inside"})
        reasons = {s.labels["reason"] for s in samples(
            self.fams, "synwall_drops_total", worker="0")}
        self.assertEqual(reasons, set(self.stats[0]["drop"]))
        self.assertIn("cookie_bad", reasons)
        workers = {s.labels["worker"] for s in samples(
            self.fams, "synwall_syncookie_syn_rx_total")}
        self.assertEqual(workers, {"0", "1"})
        for f in self.fams.values():
            for s in f.samples:
                self.assertEqual(s.labels.get("prefix"), "sw1", s)

    def test_instance_metrics(self):
        self.assertEqual(value(self.fams, "synwall_workers"), 2)
        self.assertEqual(value(self.fams, "synwall_info", mode="inline",
                               version="DPDK 22.11.11"), 1)
        self.assertEqual(value(self.fams, "synwall_port_link_up",
                               side="outside"), 1)
        self.assertEqual(value(self.fams, "synwall_port_info", side="inside",
                               name="net_af_packet1",
                               driver="net_af_packet"), 1)
        self.assertEqual(value(self.fams, "synwall_flow_table_capacity",
                               worker="1", family="ipv4"), 1000000)
        self.assertEqual(value(self.fams, "synwall_flow_table_capacity",
                               worker="0", family="ipv6"), 250000)
        self.assertEqual(value(self.fams, "synwall_telemetry_reply_bytes",
                               command="/synwall/stats"),
                         self.rec["sizes"]["/synwall/stats"])

    def test_sums_over_workers_are_the_totals(self):
        syn = sum(s.value for s in samples(
            self.fams, "synwall_syncookie_syn_rx_total"))
        self.assertEqual(syn, sum(st["syncookie"]["syn_rx"]
                                  for st in self.stats.values()))

    def test_older_synwall_without_flow_table(self):
        """Capacity then comes from /synwall/config's [worker], per worker."""
        rec = copy.deepcopy(self.rec)
        for k, v in rec["replies"].items():
            if k.startswith("/synwall/stats,"):
                del v["flow_table"]
        fams, _ = families({"sw1": rec})
        self.assertEqual(samples(fams, "synwall_flow_table_entries"), [])
        self.assertEqual(value(fams, "synwall_flow_table_capacity",
                               worker="1", family="ipv4"), 1000000)
        self.assertEqual(value(fams, "synwall_flow_table_capacity",
                               worker="0", family="ipv6"), 250000)


class ParseLb(unittest.TestCase):
    """lb mode: /synwall/backends over three pages, lb counters."""

    @classmethod
    def setUpClass(cls):
        cls.rec = recording("lb-pages.json")
        cls.fams, _ = families({"lb1": cls.rec})
        cls.backends = {}
        for k, page in cls.rec["replies"].items():
            if k.startswith("/synwall/backends"):
                for name, b in page.items():
                    if isinstance(b, dict):
                        cls.backends[name] = b

    def test_recording_has_pages(self):
        pages = [k for k in self.rec["replies"]
                 if k.startswith("/synwall/backends")]
        self.assertEqual(len(pages), 3)
        self.assertEqual(len(self.backends), 126)
        self.assertLess(self.rec["sizes"]["/synwall/backends"], 16384)

    def test_one_series_per_backend_with_service_and_backend(self):
        ups = samples(self.fams, "synwall_backend_up")
        self.assertEqual(len(ups), len(self.backends))
        keys = {(s.labels["service"], s.labels["backend"]) for s in ups}
        self.assertEqual(len(keys), len(self.backends))
        services = {s.labels["service"] for s in ups}
        self.assertEqual(services, {"web", "api"})
        self.assertEqual(sum(1 for s in ups if s.labels["service"] == "api"),
                         40)

    def test_backend_label(self):
        self.assertEqual(value(self.fams, "synwall_backend_weight",
                               service="web", backend="198.51.100.13"), 3)
        self.assertEqual(value(self.fams, "synwall_backend_up",
                               service="web", backend="2001:db8:100::12"), 1)
        self.assertEqual(len(samples(self.fams, "synwall_backend_up",
                                     service="api",
                                     backend="198.51.100.160:8443")), 1)
        self.assertEqual(len(samples(self.fams, "synwall_backend_up",
                                     service="api",
                                     backend="[2001:db8:100::200]:8443")), 1)

    def test_backend_values_and_types(self):
        b = self.backends["web_198_51_100_13_0"]
        lab = {"service": "web", "backend": "198.51.100.13"}
        self.assertGreater(b["created"], 0)
        self.assertEqual(value(self.fams, "synwall_backend_created_total",
                               **lab), b["created"])
        self.assertEqual(value(self.fams, "synwall_backend_to_bytes_total",
                               **lab), b["to_bytes"])
        self.assertEqual(value(self.fams, "synwall_backend_active", **lab),
                         b["active"])
        for g in ("up", "in_config", "weight", "active", "state_seconds"):
            self.assertEqual(self.fams["synwall_backend_" + g].type, "gauge")
        for c in ("created", "established", "checks_ok", "checks_fail",
                  "transitions", "rst", "syn_timeout", "from_pkts"):
            self.assertEqual(self.fams["synwall_backend_" + c].type,
                             "counter")
        # "next", service/addr/port are not metrics.
        for n in ("synwall_backend_next", "synwall_backend_port",
                  "synwall_backend_service", "synwall_backend_addr"):
            self.assertNotIn(n, self.fams)

    def test_down_backends(self):
        down = [s for s in samples(self.fams, "synwall_backend_up")
                if s.value == 0]
        self.assertEqual(len(down), 120)  # the ones that do not exist

    def test_lb_counters_and_mode(self):
        self.assertEqual(value(self.fams, "synwall_info", mode="lb",
                               version="DPDK 22.11.11"), 1)
        lb = self.rec["replies"]["/synwall/stats,0"]["lb"]
        self.assertEqual(value(self.fams, "synwall_lb_probe_tx_total",
                               worker="0"), lb["probe_tx"])

    def test_older_synwall_names_backends_by_key(self):
        rec = copy.deepcopy(self.rec)
        for k, page in rec["replies"].items():
            if k.startswith("/synwall/backends"):
                for b in page.values():
                    if isinstance(b, dict):
                        for f in ("service", "addr", "port"):
                            b.pop(f)
        fams, _ = families({"lb1": rec})
        self.assertEqual(value(fams, "synwall_backend_weight", service="",
                               backend="web_198_51_100_13_0"), 3)

    def test_two_instances_share_families(self):
        fams, _ = families({"lb1": self.rec,
                            "sw1": recording("inline-2workers.json")})
        prefixes = {s.labels["prefix"] for s in samples(
            fams, "synwall_syncookie_syn_rx_total")}
        self.assertEqual(prefixes, {"lb1", "sw1"})
        self.assertEqual(len(samples(fams, "synwall_workers")), 2)


# ------------------------------------------------- a fake telemetry socket


class FakeTelemetry:
    """DPDK's telemetry v2 socket as far as the exporter sees it: a hello
    on connect, then one JSON reply per command (null when unknown).
    mode: "ok", "silent" (never answers a command), "close" (closes
    after the hello), "garbage" (answers non-JSON), "null" (every
    command fails)."""

    def __init__(self, rundir, prefix, rec, mode="ok"):
        self.rec, self.mode = rec, mode
        d = os.path.join(rundir, prefix)
        os.makedirs(d, exist_ok=True)
        self.path = os.path.join(d, "dpdk_telemetry.v2")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(self.path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.commands = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.client, args=(c,),
                             daemon=True).start()

    def client(self, c):
        with c:
            c.settimeout(5)
            c.send(json.dumps(self.rec["hello"]).encode())
            if self.mode == "close":
                return
            while not self.stop.is_set():
                try:
                    cmd = c.recv(1024).decode()
                except OSError:
                    return
                if not cmd:
                    return
                self.commands.append(cmd)
                if self.mode == "silent":
                    time.sleep(3)
                    return
                if self.mode == "garbage":
                    c.send(b"{not json")
                    continue
                name = cmd.split(",", 1)[0]
                val = None if self.mode == "null" else \
                    self.rec["replies"].get(cmd)
                # DPDK's JSON is compact.
                c.send(json.dumps({name: val},
                                  separators=(",", ":")).encode())

    def close(self):
        self.stop.set()
        self.sock.close()
        self.thread.join(2)


class Scrape(unittest.TestCase):
    """SynwallCollector and main() against fake telemetry sockets."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="synwall-exporter-test.")
        self.fakes = []

    def tearDown(self):
        for f in self.fakes:
            f.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake(self, prefix, name, mode="ok"):
        f = FakeTelemetry(self.dir, prefix, recording(name), mode)
        self.fakes.append(f)
        return f

    def scrape(self, prefixes, timeout=1.0):
        logs = []
        col = exp.SynwallCollector(prefixes, self.dir, timeout,
                                   log=logs.append)
        t0 = time.monotonic()
        text = scrape_text(col)
        dt = time.monotonic() - t0
        return {f.name: f for f in text_string_to_metric_families(text)}, \
            dt, logs

    def test_scrape_equals_the_recording(self):
        for prefix, name in (("sw1", "inline-2workers.json"),
                             ("lb1", "lb-pages.json")):
            f = self.fake(prefix, name)
            fams, _, logs = self.scrape([prefix])
            want, _ = families({prefix: recording(name)})
            for n, fam in want.items():
                if n == "synwall_telemetry_reply_bytes":
                    continue  # sizes of the fake's JSON, not DPDK's
                got = sorted((tuple(sorted(s.labels.items())), s.value)
                             for s in fams[n].samples)
                exp_ = sorted((tuple(sorted(s.labels.items())), s.value)
                              for s in fam.samples)
                self.assertEqual(got, exp_, n)
            self.assertEqual(value(fams, "synwall_up", prefix=prefix), 1)
            self.assertEqual(logs, ["%s: up" % prefix])
            # One connection a scrape, exactly the recorded commands.
            self.assertEqual(f.connections, 1)
            self.assertEqual(sorted(f.commands),
                             sorted(recording(name)["replies"]))

    def test_absent_instance(self):
        self.fake("sw1", "inline-2workers.json")
        fams, dt, logs = self.scrape(["sw1", "gone"])
        self.assertEqual(value(fams, "synwall_up", prefix="gone"), 0)
        self.assertEqual(value(fams, "synwall_up", prefix="sw1"), 1)
        self.assertEqual(value(fams, "synwall_exporter_errors_total",
                               prefix="gone", error="connect"), 1)
        for f in fams.values():
            for s in f.samples:
                if s.labels.get("prefix") == "gone":
                    self.assertIn(f.name, ("synwall_up",
                                           "synwall_scrape_duration_seconds",
                                           "synwall_exporter_errors"))
        self.assertLess(dt, 1.0)
        self.assertTrue(any(x.startswith("gone: down") for x in logs))

    def test_broken_instances_within_the_timeout(self):
        for prefix, mode in (("silent", "silent"), ("close", "close"),
                             ("garbage", "garbage"), ("null", "null")):
            self.fake(prefix, "inline-2workers.json", mode)
            fams, dt, _ = self.scrape([prefix], timeout=0.5)
            self.assertEqual(value(fams, "synwall_up", prefix=prefix), 0,
                             mode)
            self.assertLess(dt, 1.5, mode)
            self.assertEqual(samples(fams, "synwall_syncookie_syn_rx_total"),
                             [], mode)

    def test_unexpected_shape_is_down_not_half_up(self):
        """A reply that cannot be read leaves the instance out whole."""
        rec = recording("inline-2workers.json")
        rec["replies"]["/synwall/stats,1"]["workers"] = "two"
        f = FakeTelemetry(self.dir, "odd", rec)
        self.fakes.append(f)
        fams, _, logs = self.scrape(["odd"])
        self.assertEqual(value(fams, "synwall_up", prefix="odd"), 0)
        self.assertEqual(value(fams, "synwall_exporter_errors_total",
                               prefix="odd", error="parse"), 1)
        self.assertEqual(samples(fams, "synwall_syncookie_syn_rx_total"), [])
        self.assertTrue(logs[0].startswith("odd: down (parse: "), logs)

    def test_comes_back(self):
        """Down, then up on the same prefix: the same collector sees it."""
        logs = []
        col = exp.SynwallCollector(["sw1"], self.dir, 1.0, log=logs.append)
        fams = {f.name: f for f in
                text_string_to_metric_families(scrape_text(col))}
        self.assertEqual(value(fams, "synwall_up"), 0)
        self.fake("sw1", "inline-2workers.json")
        reg = CollectorRegistry()
        reg.register(col)
        fams = {f.name: f for f in text_string_to_metric_families(
            generate_latest(reg).decode())}
        self.assertEqual(value(fams, "synwall_up"), 1)
        self.assertGreater(len(samples(fams,
                                       "synwall_syncookie_syn_rx_total")), 0)
        self.assertEqual(logs[-1], "sw1: up")

    def test_once_and_record(self):
        self.fake("sw1", "inline-2workers.json")
        run = subprocess.run(
            [sys.executable, EXPORTER, "--runtime-dir", self.dir,
             "-f", "sw1", "--once"], capture_output=True, text=True,
            timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        fams = {f.name: f for f in text_string_to_metric_families(run.stdout)}
        self.assertEqual(value(fams, "synwall_up", prefix="sw1"), 1)
        out = os.path.join(self.dir, "rec.json")
        run = subprocess.run(
            [sys.executable, EXPORTER, "--runtime-dir", self.dir,
             "-f", "sw1", "--record", out], capture_output=True, text=True,
            timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(out) as f:
            rec = json.load(f)
        self.assertEqual(rec["replies"],
                         recording("inline-2workers.json")["replies"])
        run = subprocess.run(
            [sys.executable, EXPORTER, "--runtime-dir", self.dir,
             "-f", "sw1,gone", "--once"], capture_output=True, text=True,
            timeout=30)
        self.assertEqual(run.returncode, 1)  # one instance down
        self.assertIn('synwall_up{prefix="gone"} 0.0', run.stdout)

    def test_bad_arguments(self):
        for args in (["--listen", "nonsense"], ["-f", "../x"],
                     ["--timeout", "0"]):
            run = subprocess.run([sys.executable, EXPORTER] + args,
                                 capture_output=True, text=True, timeout=30)
            self.assertNotEqual(run.returncode, 0, args)


# ---------------------------------------------------------- the rules


class Rules(unittest.TestCase):
    """config/prometheus/: valid, the alerts do what they say, and they
    use only metrics the exporter makes."""

    def promtool(self, *args):
        tool = shutil.which("promtool")
        if tool is None:
            self.skipTest("promtool not installed (Debian's prometheus)")
        return subprocess.run([tool] + list(args), capture_output=True,
                              text=True, timeout=120, cwd=PROM_DIR)

    def test_check_config(self):
        run = self.promtool("check", "config", "prometheus.yml")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_check_rules(self):
        run = self.promtool("check", "rules", "synwall.rules.yml")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_rules_unit_tests(self):
        run = self.promtool("test", "rules",
                            os.path.join(DATA, "rules_test.yml"))
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_rules_use_exported_metrics(self):
        with open(os.path.join(PROM_DIR, "synwall.rules.yml")) as f:
            text = f.read()
        used = set(re.findall(r"\b(synwall_[a-z0-9_]+)", text))
        fams, _ = families({"lb1": recording("lb-pages.json"),
                            "sw1": recording("inline-2workers.json")})
        made = set()
        for f in fams.values():
            made |= {s.name for s in f.samples}
        # synwall_up is the collector's own, not the recordings'.
        made.add("synwall_up")
        # Names in recording rules (prefix:synwall_...:rate1m) are made
        # by the rules themselves.
        recorded = set(re.findall(r"record:\s*\S*?:(synwall_[a-z0-9_]+):",
                                  text))
        for name in sorted(used - recorded):
            self.assertIn(name, made, "the rules use %s" % name)


class Docs(unittest.TestCase):
    """docs/monitoring.md's Telegraf configurations parse, and ask for
    commands synwall has, in the form inputs.dpdk accepts."""

    def test_telegraf_toml(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("no tomllib (Python < 3.11)")
        with open(os.path.join(ROOT, "docs", "monitoring.md")) as f:
            blocks = re.findall(r"```toml\n(.*?)```", f.read(), re.S)
        self.assertGreaterEqual(len(blocks), 2)
        known = ("/synwall/stats", "/synwall/config", "/synwall/ports",
                 "/synwall/backends")
        commands = 0
        for b in blocks:
            conf = tomllib.loads(b)
            for dpdk in conf.get("inputs", {}).get("dpdk", []):
                self.assertTrue(dpdk["socket_path"].endswith(
                    "/dpdk_telemetry.v2"))
                for cmd in dpdk.get("additional_commands", []):
                    commands += 1
                    name = cmd.split(",", 1)[0]
                    self.assertIn(name, known, cmd)
                    self.assertLess(len(name), 56, cmd)  # DPDK's limit
        self.assertGreater(commands, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
