# SPDX-License-Identifier: BSD-3-Clause
"""scripts/test's last line: every test of the given builds, tallied.

meson_tally.py BUILD_DIR...

Reads BUILD_DIR/meson-logs/testlog.json of each build (a build with no
log is left out) and prints "N passed, N failed, N skipped" (OK and
EXPECTEDFAIL pass, SKIP is skipped, any other result fails). Exit 1 when
a test failed, else 0.
"""
import json, os, sys
passed = failed = skipped = 0
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        continue
    for line in open(log):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
