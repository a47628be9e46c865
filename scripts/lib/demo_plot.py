# SPDX-License-Identifier: BSD-3-Clause
"""scripts/demo's picture of the flood: what synwall saw and what the
legitimate clients got, second by second.

demo_plot.py SERIES LEGIT T0_MS OUT_PNG TITLE

SERIES: one line per second of the flood phase, "seconds syn_per_s
synack_per_s" (synwall's syn_rx and synack_tx, differenced). LEGIT: the
legitimate clients' fetches, demo_legit_loop's lines ("fam path ok|fail
curl_rc http_code connect first_byte total bytes start_ms"). T0_MS: the
flood's start, in the clock of start_ms. Two panels sharing the time
axis: SYNs in and SYN-ACKs out per second; each legitimate connect's
time (curl's time_connect) at the moment it began, IPv4 and IPv6, a
failed fetch marked at the top. Debian's python3-matplotlib (Agg).
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    series, legit, t0, out, title = sys.argv[1:6]
    t0 = float(t0)
    t, syn, synack = [], [], []
    with open(series) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                t.append(float(p[0]))
                syn.append(float(p[1]))
                synack.append(float(p[2]))
    fetches = {"v4": ([], []), "v6": ([], [])}
    failed = []
    with open(legit) as f:
        for line in f:
            p = line.split()
            if len(p) < 10:
                continue
            at = (float(p[9]) - t0) / 1000
            if p[2] != "ok":
                failed.append(at)
            elif p[0] in fetches:
                fetches[p[0]][0].append(at)
                fetches[p[0]][1].append(float(p[5]) * 1000)
    if not t:
        print("demo_plot: no samples in %s" % series)
        return 1
    fig, (top, bot) = plt.subplots(2, 1, sharex=True, figsize=(9, 5.6),
                                   dpi=110,
                                   gridspec_kw={"height_ratios": [3, 2]})
    top.plot(t, [v / 1e3 for v in syn], "-o", ms=3, color="#7f8c8d",
             label="spoofed SYNs in (syn_rx)")
    top.plot(t, [v / 1e3 for v in synack], "--", color="#c0392b",
             label="cookie SYN-ACKs out (synack_tx)")
    top.set_ylabel("thousand per second")
    top.set_ylim(bottom=0)
    top.legend(loc="upper right", fontsize=8)
    top.grid(alpha=0.3)
    top.set_title(title, fontsize=10)
    for fam, color in (("v4", "#2471a3"), ("v6", "#27ae60")):
        xs, ys = fetches[fam]
        if xs:
            bot.scatter(xs, ys, s=10, color=color,
                        label="legit connect, IP%s (%d)" % (fam, len(xs)))
    if failed:
        top_y = max([1.0] + fetches["v4"][1] + fetches["v6"][1])
        bot.scatter(failed, [top_y] * len(failed), marker="x",
                    color="black", label="failed fetch (%d)" % len(failed))
    bot.set_yscale("log")
    bot.set_ylabel("connect time, ms")
    bot.set_xlabel("seconds since the flood started")
    bot.legend(loc="upper right", fontsize=8)
    bot.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(out)
    print("demo_plot: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
