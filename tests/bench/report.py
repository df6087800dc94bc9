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
    ("V2-netfence", "netfence, stateless"),
    ("V2-netfence-port", "netfence, stateless, udp port rules"),
    ("V2-netfence-stateful", "netfence, stateful"),
    ("V3-nft-ct", "nftables ct state + interval set"),
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
    "(pktgen draws random sources for IPv4 only). Baselines: medians of",
    "interleaved rounds (their spread shows how well icount repeats); the",
    "allowlist sweep: one round, each case in turn. \"added\" is the",
    "figure minus V0's. nf_conntrack is loaded in every run; it tracks",
    "only for the stateful variants (netfence's default mode, and nftables",
    "with `ct state established,related accept` before the set).",
    "Cases: hit (from an allowed source, to a destination no entry covers:",
    "the second lookup, as a reply), miss (from and to addresses no entry",
    "covers), dhit (from an address no entry covers to an allowed",
    "destination: the first lookup). A stateful filter accepts no source",
    "hit (it is the reply of nothing), so the stateful variants have none.",
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
        lines += ["## %s, %s: added instructions per packet (hit / miss / dhit)" % (FAMS[fam], MODES[mode]), "",
                  "| variant | " + " | ".join("%d" % n for n in sizes) + " |",
                  "|---|" + "---:|" * len(sizes)]
        for v, label in VARIANTS:
            cells = []
            for n in sizes:
                c = [added(v, fam, mode, n, case) for case in ("hit", "miss", "dhit")]
                cells.append("-" if c == [None] * 3 else " / ".join(map(f0, c)))
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


def verdict(ok):
    return "met" if ok else "MISSED"


goals = ["## Goals", ""]
big, small = max(sizes), min(sizes)
for fam in ("4", "6"):
    v0, v1 = base("V0-none", fam), base("V1-released", fam)
    if v0 and v1:
        d = (v1 - v0) / v0 * 100
        goals.append("- released (V1) within 1%% of V0, %s: %+.2f%% (%.0f vs %.0f): %s" % (
            FAMS[fam], d, v1, v0, verdict(abs(d) <= 1)))
for fam in ("4", "6"):
    for mode in ("single", "multi"):
        a, b = g("V2-netfence", fam, mode), g("V3-nft-set", fam, mode)
        if a is not None and b:
            goals.append("- 1k-rule hits, %s %s: netfence +%.0f, nftables +%.0f: %.2fx"
                         " (goal <= 0.5x): %s" % (FAMS[fam], MODES[mode], a, b, a / b,
                                                  verdict(a <= 0.5 * b)))
for fam in ("4", "6"):
    for mode in ("single", "multi"):
        a, b = g("V2-netfence-stateful", fam, mode, case="dhit"), g("V3-nft-ct", fam, mode, case="dhit")
        s = g("V2-netfence", fam, mode, case="dhit")
        if a is not None and b and s is not None:
            goals.append("- stateful, 1k rules, allowed destination, %s %s: netfence +%.0f,"
                         " nftables ct state + set +%.0f: %.2fx; stateful mode costs %+.0f over"
                         " stateless (+%.0f)" % (FAMS[fam], MODES[mode], a, b, a / b, a - s, s))
for fam in ("4", "6"):
    for mode in ("single", "multi"):
        parts = []
        for v, label in VARIANTS:
            hi = max([n for n in sizes if (v, fam, mode, n, "hit") in med], default=None)
            if hi is None or (v, fam, mode, small, "hit") not in med or hi == small:
                continue
            for case in (("hit", "miss") if v == "V2-netfence" else ("hit",)):
                a, b = med.get((v, fam, mode, hi, case)), med.get((v, fam, mode, small, case))
                if a is None or b is None:
                    continue
                parts.append("%s %s %.2fx (added %.0f -> %.0f, %s entries)" % (
                    label, case, a / b, b - base("V0-none", fam), a - base("V0-none", fam),
                    "%d vs %d" % (hi, small)))
        if parts:
            goals.append("- %s %s, cost per packet at the largest vs %d entries: %s" % (
                FAMS[fam], MODES[mode], small, "; ".join(parts)))
for fam in ("4", "6"):
    e = base("V6-emptyhook", fam) - base("V0-none", fam)
    for mode in ("single", "multi"):
        parts = []
        for n in sizes:
            for case in ("hit", "miss"):
                a = g("V2-netfence", fam, mode, n, case)
                if a is not None and n in (small, 1000, big):
                    parts.append("%d %s +%.0f = %.1fx" % (n, case, a, a / e))
        if parts:
            goals.append("- netfence vs empty hook (+%.0f), %s %s (goal <= 1.5x): %s" % (
                e, FAMS[fam], MODES[mode], ", ".join(parts)))
for r in cm:
    if r["tool"] == "nf" and int(r["size"]) == big and r["step"] in ("isolate", "restore"):
        goals.append("- commit of %d rules, %s %s, %s: %s ms (goal < 1000 ms): %s" % (
            big, FAMS[r["family"]], r["mode"], "isolate -f" if r["step"] == "isolate"
            else "restore while isolated", r["guest_ms"], verdict(int(r["guest_ms"]) < 1000)))
    if r["tool"] == "nft" and int(r["size"]) == big:
        goals.append("- for comparison, nft -f of the same %d-entry set, %s %s: %s ms" % (
            big, FAMS[r["family"]], r["mode"], r["guest_ms"]))
for r in cm:
    if r["tool"] in ("nf", "nft") and r["step"] in ("isolate", "load") and int(r["size"]) == big:
        n = int(r["size"])
        pm = int(r["policy_memory"])
        mf = int(r["memfree_kb"]) * 1024 / n
        goal = r["tool"] == "nf" and r["family"] == "4"
        goals.append("- memory per rule, %s %s %s, %d rules: %sMemFree delta %.0f B%s" % (
            "netfence" if r["tool"] == "nf" else "nftables", FAMS[r["family"]], r["mode"], n,
            "policy_memory %.1f B, " % (pm / n) if pm else "", mf,
            " (goal <= 64 B): %s" % verdict(pm / n <= 64) if goal else ""))
lines += goals + [""]

# Plots.
styles = {"hit": "-", "miss": "--", "dhit": "-."}
fig, axes = plt.subplots(2, 2, figsize=(13, 10), sharex=True)
for i, fam in enumerate(("4", "6")):
    for j, mode in enumerate(("single", "multi")):
        ax = axes[i][j]
        for idx, (v, label) in enumerate(VARIANTS):
            for case in ("hit", "miss", "dhit"):
                xs = [n for n in sizes if (v, fam, mode, n, case) in med]
                if not xs:
                    continue
                ys = [added(v, fam, mode, n, case) for n in xs]
                ax.plot(xs, ys, styles[case], marker="o", color="C%d" % idx,
                        label="%s (%s)" % (label, case))
        e = base("V6-emptyhook", fam) - base("V0-none", fam)
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
ax[0].set_xscale("log"); ax[0].set_yscale("log")
ax[0].set_xlabel("rules"); ax[0].set_ylabel("guest ms"); ax[0].set_title("commit time (one prefix length)")
# Memory: the module's own count, and MemFree deltas (noisy below ~10k
# rules, where points at or under zero are left out).
for idx, (tool, step, col, label) in enumerate((
        ("nf", "isolate", "policy_memory", "netfence policy_memory"),
        ("nf", "isolate", "memfree_kb", "netfence MemFree delta"),
        ("nft", "load", "memfree_kb", "nft -f MemFree delta"))):
    for fam, ls in (("4", "-"), ("6", "--")):
        rows = []
        for r in cm:
            if r["tool"] == tool and r["step"] == step and r["family"] == fam \
                    and r["mode"] == "single":
                v = int(r[col]) * (1024 if col == "memfree_kb" else 1)
                if v > 0:
                    rows.append((int(r["size"]), v))
        if rows:
            ax[1].plot(*zip(*sorted(rows)), ls, marker="o", color="C%d" % idx,
                       label="%s %s" % (label, FAMS[fam]))
xs = sorted({int(r["size"]) for r in cm})
ax[1].plot(xs, [64 * x for x in xs], color="k", lw=0.8, ls=":", label="64 B per rule")
ax[1].set_xscale("log"); ax[1].set_yscale("log")
ax[1].set_xlabel("rules"); ax[1].set_ylabel("bytes")
ax[1].set_title("kernel memory of a policy (one prefix length)")
for a in ax:
    a.grid(True, which="both", alpha=0.3)
    a.legend(fontsize=8)
fig.tight_layout()
fig.savefig(os.path.join(D, "commit.png"), dpi=90)

open(os.path.join(D, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(goals))
