#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's CSV files into results.md and PNG plots.

report.py DIR   reads DIR/packets.csv, DIR/commit.csv, DIR/environment.txt
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

D = sys.argv[1]
FAMS = {"4": "IPv4", "6": "IPv6"}
MODES = {"single": "one prefix length", "multi": "many prefix lengths"}
VARIANTS = [
    ("V2-netfence", "netfence"),
    ("V2-netfence-port", "netfence, udp port rules"),
    ("V3-nft-set", "nftables interval set"),
    ("V3-nft-concat", "nftables addr . port set"),
    ("V4-iptables", "iptables, one rule per entry"),
    ("V5-ipset", "iptables + ipset hash:net"),
]

pk = defaultdict(list)
for r in csv.DictReader(open(os.path.join(D, "packets.csv"))):
    key = (r["variant"], r["family"], r["mode"], int(r["size"]), r["case"])
    pk[key].append(float(r["ns_per_packet"]))
med = {k: statistics.median(v) for k, v in pk.items()}
spread = {k: (max(v) - min(v)) / statistics.median(v) for k, v in pk.items()}
cm = [r for r in csv.DictReader(open(os.path.join(D, "commit.csv")))]
env = open(os.path.join(D, "environment.txt")).read().strip()
sizes = sorted({k[3] for k in med if k[3] > 0})


def base(name, fam):
    return med.get((name, fam, "-", 0, "hit"))


def added(v, fam, mode, n, case):
    x = med.get((v, fam, mode, n, case))
    return None if x is None else x - base("V0-none", fam)


def f0(x):
    return "-" if x is None else "%.0f" % x


lines = ["# netfence benchmark results", "", "```", env, "```", ""]
lines += [
    "Per-packet cost is in guest instructions (QEMU TCG, `-icount shift=0`:",
    "one guest nanosecond is one instruction). Traffic: pktgen into a veth's",
    "receive path, forwarded to a dummy device (accepted packets) or dropped",
    "at FORWARD; IPv4 from 8 random sources, IPv6 from one fixed source",
    "(pktgen draws random sources for IPv4 only). Medians of the rounds;",
    "\"added\" is the median minus V0's. Conntrack is not loaded.",
    "The entry that matches sits in the middle of the sorted allowlist",
    "(and of the iptables chain). iptables (legacy, filter table at",
    "priority 0) has one `-s PREFIX -j ACCEPT` rule per entry, i.e. checks",
    "the source only; every other variant checks destination then source",
    "as netfence does on FORWARD.", ""]

lines += ["## Baselines", "", "| variant | family | instructions/packet | added over V0 | spread of rounds |",
          "|---|---|---:|---:|---:|"]
for v in ("V0-none", "V1-released", "V6-emptyhook", "V0-none-end"):
    for fam in ("4", "6"):
        k = (v, fam, "-", 0, "hit")
        if k in med:
            lines.append("| %s | %s | %.0f | %+.0f | %.3f%% |" % (
                v, FAMS[fam], med[k], med[k] - base("V0-none", fam), spread[k] * 100))
lines.append("")

for fam in ("4", "6"):
    for mode in ("single", "multi"):
        lines += ["## %s, %s: added instructions per packet (hit / miss)" % (FAMS[fam], MODES[mode]), "",
                  "| variant | " + " | ".join("%d" % n for n in sizes) + " |",
                  "|---|" + "---:|" * len(sizes)]
        for v, label in VARIANTS:
            cells = []
            for n in sizes:
                h, m = added(v, fam, mode, n, "hit"), added(v, fam, mode, n, "miss")
                cells.append("-" if h is None else "%s / %s" % (f0(h), f0(m)))
            lines.append("| %s | %s |" % (label, " | ".join(cells)))
        lines.append("")

lines += ["## Commit time and kernel memory", "",
          "Guest time of the whole command (file parsing included). Memory: the module's",
          "own count (`status -j` policy_memory) and /proc/meminfo deltas (MemFree, Slab,",
          "VmallocUsed, Percpu) around the load, after dropping caches.", "",
          "| tool | family | mode | rules | step | ms | policy_memory B/rule | MemFree B/rule | Slab+Vmalloc+Percpu B/rule |",
          "|---|---|---|---:|---|---:|---:|---:|---:|"]
for r in cm:
    n = int(r["size"])
    pm = int(r["policy_memory"])
    mf = int(r["memfree_kb"]) * 1024 / n
    kern = (int(r["slab_kb"]) + int(r["vmalloc_kb"]) + int(r["percpu_kb"])) * 1024 / n
    memcols = ("%.1f" % (pm / n) if pm else "-", "%.0f" % mf, "%.0f" % kern)
    if r["step"] == "restore":
        memcols = ("", "", "")
    lines.append("| %s | %s | %s | %d | %s | %s | %s | %s | %s |" % (
        r["tool"], FAMS[r["family"]], r["mode"], n, r["step"], r["guest_ms"], *memcols))
lines.append("")


# Goals.
def g(v, fam="4", mode="single", n=1000, case="hit"):
    return added(v, fam, mode, n, case)


goals = ["## Goals", ""]
v0, v1 = base("V0-none", "4"), base("V1-released", "4")
if v0 and v1:
    goals.append("- released within 1%% of V0: IPv4 %+.3f%%, IPv6 %+.3f%%" % (
        (v1 - v0) / v0 * 100, (base("V1-released", "6") - base("V0-none", "6")) / base("V0-none", "6") * 100))
for fam in ("4", "6"):
    for mode in ("single", "multi"):
        a, b = g("V2-netfence", fam, mode), g("V3-nft-set", fam, mode)
        if a is not None and b:
            goals.append("- %s %s, 1k hits: netfence +%.0f vs nftables +%.0f = %.2fx (goal <= 0.5x)" % (
                FAMS[fam], MODES[mode], a, b, a / b))
big, small = max(sizes), min(sizes)
for fam in ("4", "6"):
    for mode in ("single", "multi"):
        for v, label in VARIANTS:
            for case in ("hit", "miss"):
                a = med.get((v, fam, mode, big, case))
                b = med.get((v, fam, mode, small, case))
                if a is None or b is None:
                    continue
                ab, bb = a - base("V0-none", fam), b - base("V0-none", fam)
                if v.startswith("V2") or case == "hit":
                    goals.append("- %s %s %s %s: %d vs %d entries: added %.0f vs %.0f = %.2fx"
                                 " (total %.3fx) (goal for netfence <= 2x)" % (
                                     FAMS[fam], MODES[mode], label, case, big, small, ab, bb,
                                     ab / bb if bb else float("nan"), a / b))
e4 = base("V6-emptyhook", "4") - base("V0-none", "4")
e6 = base("V6-emptyhook", "6") - base("V0-none", "6")
for fam, e in (("4", e4), ("6", e6)):
    for mode in ("single", "multi"):
        for n in sizes:
            for case in ("hit", "miss"):
                a = g("V2-netfence", fam, mode, n, case)
                if a is not None and n in (small, 1000, big):
                    goals.append("- %s %s %d %s: netfence +%.0f vs empty hook +%.0f = %.2fx (goal <= 1.5x)"
                                 % (FAMS[fam], MODES[mode], n, case, a, e, a / e))
for r in cm:
    if r["tool"] == "nf" and r["step"] == "isolate" and int(r["size"]) == big:
        goals.append("- commit of %d rules (%s %s, isolate -f): %s ms (goal < 1000 ms)" % (
            big, FAMS[r["family"]], r["mode"], r["guest_ms"]))
    if r["tool"] == "nf" and r["step"] == "restore" and int(r["size"]) == big:
        goals.append("- commit of %d rules (%s %s, restore while isolated): %s ms" % (
            big, FAMS[r["family"]], r["mode"], r["guest_ms"]))
    if r["tool"] == "nft" and int(r["size"]) == big:
        goals.append("- nft -f of the same %d-entry set (%s %s): %s ms" % (
            big, FAMS[r["family"]], r["mode"], r["guest_ms"]))
for r in cm:
    if r["tool"] in ("nf", "nft") and r["step"] in ("isolate", "load") and int(r["size"]) == big:
        n = int(r["size"])
        goals.append("- memory per rule, %s %s %s: policy_memory %s B, MemFree delta %.0f B (goal <= 64 B per IPv4 rule)" % (
            r["tool"], FAMS[r["family"]], r["mode"],
            "%.1f" % (int(r["policy_memory"]) / n) if int(r["policy_memory"]) else "-",
            int(r["memfree_kb"]) * 1024 / n))
lines += goals + [""]

# Plots.
styles = {"hit": "-", "miss": "--"}
fig, axes = plt.subplots(2, 2, figsize=(13, 10), sharex=True)
for i, fam in enumerate(("4", "6")):
    for j, mode in enumerate(("single", "multi")):
        ax = axes[i][j]
        for idx, (v, label) in enumerate(VARIANTS):
            for case in ("hit", "miss"):
                xs = [n for n in sizes if (v, fam, mode, n, case) in med]
                if not xs:
                    continue
                ys = [added(v, fam, mode, n, case) for n in xs]
                ax.plot(xs, ys, styles[case], marker="o", color="C%d" % idx,
                        label="%s (%s)" % (label, case))
        e = e4 if fam == "4" else e6
        ax.axhline(e, color="k", lw=0.8, ls=":", label="empty hook (V6)")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1000)
        ax.set_title("%s, %s" % (FAMS[fam], MODES[mode]))
        ax.set_xlabel("allowlist entries")
        ax.set_ylabel("added guest instructions per packet")
        ax.grid(True, which="both", alpha=0.3)
axes[0][0].legend(fontsize=7, loc="upper left")
fig.tight_layout()
fig.savefig(os.path.join(D, "per-packet.png"), dpi=90)
lines += ["## Plots", "", "![per-packet cost](per-packet.png)", "", "![commit time](commit.png)", ""]

fig, ax = plt.subplots(1, 2, figsize=(13, 5))
for idx, (tool, step, label) in enumerate((("nf", "isolate", "netfence isolate -f"),
                                           ("nf", "restore", "netfence restore"),
                                           ("nft", "load", "nft -f (interval set)"))):
    for fam, ls in (("4", "-"), ("6", "--")):
        rows = sorted((int(r["size"]), int(r["guest_ms"])) for r in cm
                      if r["tool"] == tool and r["step"] == step and r["family"] == fam
                      and r["mode"] == "single")
        if rows:
            ax[0].plot(*zip(*rows), ls, marker="o", color="C%d" % idx, label="%s %s" % (label, FAMS[fam]))
    for fam, ls in (("4", "-"), ("6", "--")):
        if step != "restore":
            rows = sorted((int(r["size"]), int(r["memfree_kb"]) * 1024 / int(r["size"])) for r in cm
                          if r["tool"] == tool and r["step"] == step and r["family"] == fam
                          and r["mode"] == "single")
            if rows:
                ax[1].plot(*zip(*rows), ls, marker="o", color="C%d" % idx, label="%s %s" % (label, FAMS[fam]))
ax[0].set_xscale("log"); ax[0].set_yscale("log")
ax[0].set_xlabel("rules"); ax[0].set_ylabel("guest ms"); ax[0].set_title("commit time (one prefix length)")
ax[1].set_xscale("log"); ax[1].set_xlabel("rules"); ax[1].set_ylabel("bytes per rule (MemFree delta)")
ax[1].axhline(64, color="k", lw=0.8, ls=":")
ax[1].set_title("kernel memory per rule (one prefix length)")
for a in ax:
    a.grid(True, which="both", alpha=0.3)
    a.legend(fontsize=8)
fig.tight_layout()
fig.savefig(os.path.join(D, "commit.png"), dpi=90)

open(os.path.join(D, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(goals))
