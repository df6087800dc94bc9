#!/usr/bin/env python3
"""Split the KTAP a KUnit module printed to the kernel log into one file per
suite, each a complete KTAP document that kunit.py can parse.

Used when the kernel has no KUnit debugfs results (CONFIG_KUNIT_DEBUGFS off).
In 6.1 a module's suites are printed as indented subtests followed by a
top-level "ok N - suite" line, without a top-level header.

usage: kunit-split.py KERNEL_LOG OUTDIR
"""
import os
import re
import sys

ts = re.compile(r'^\[\s*\d+\.\d+\]\s?')
top = re.compile(r'^(not )?ok \d+ (?:- )?(\S+)')

log, outdir = sys.argv[1], sys.argv[2]
block = []
n = 0
with open(log, errors='replace') as f:
    for raw in f:
        line = ts.sub('', raw.rstrip('\r\n'))
        if line in ('    KTAP version 1', '    TAP version 14') or \
                (line.startswith('    # Subtest:') and not block):
            block = [line]
            continue
        if not block:
            continue
        m = top.match(line)
        if m:
            name = m.group(2)
            res = ('not ok' if m.group(1) else 'ok') + ' 1 - ' + name
            with open(os.path.join(outdir, name + '.ktap'), 'w') as out:
                out.write('KTAP version 1\n1..1\n' + '\n'.join(block) + '\n' + res + '\n')
            n += 1
            block = []
        else:
            block.append(line)
print(n)
