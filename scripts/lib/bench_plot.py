# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench's chart: in-process cycles per packet, from its JSON.

bench_plot.py BENCH_JSON OUT_PNG

One bar pair per figure (synwall and the reference it is measured
against), each the median of the rounds with the min..max as an error
bar, on a log scale (a SYN costs hundreds of cycles, a whole connection
thousands). The title names the CPU, DPDK and the number of rounds.
Debian's python3-matplotlib, no display needed (Agg).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def med_err(v):
    s = sorted(v)
    m = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] +
                                           s[len(s) // 2]) / 2
    return m, [[m - s[0]], [s[-1] - m]]


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src) as f:
        d = json.load(f)
    rows = [r for r in d.get("in_process", []) if r.get("cycles")]
    if not rows:
        print("bench_plot: no in-process figures in %s" % src)
        return 1
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=110)
    w = 0.38
    ref_labeled = False
    for i, r in enumerate(rows):
        m, e = med_err(r["cycles"])
        ax.bar(i - w / 2, m, w, yerr=e, capsize=3, color="#c0392b",
               label="synwall" if i == 0 else None)
        ax.text(i - w / 2, m * 1.05, "%.0f" % m, ha="center", fontsize=7)
        if r.get("ref_cycles"):
            rm, re_ = med_err(r["ref_cycles"])
            ax.bar(i + w / 2, rm, w, yerr=re_, capsize=3, color="#7f8c8d",
                   label=None if ref_labeled else "reference")
            ref_labeled = True
            ax.text(i + w / 2, rm * 1.05, "%.0f\n%s" % (rm, r["reference"]),
                    ha="center", fontsize=6)
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([r["name"] for r in rows], rotation=25, ha="right",
                       fontsize=7)
    ax.set_ylabel("TSC cycles per packet (per connection: whole conn.)")
    ax.set_title("synwall in process, one worker: median of %s rounds, "
                 "min..max bars\n%s, DPDK %s" % (d.get("runs"), d.get("cpu"),
                                                  d.get("dpdk")), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print("bench_plot: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
