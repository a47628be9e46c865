# SPDX-License-Identifier: BSD-3-Clause
"""reload_tel_refused's test (tests/e2e/e2e_lb.sh): was the reload refused?

reload_refused.py JSON

JSON is synwall's reply to /synwall/reload (the bare object is accepted
too). Exit 0 when it says {"ok": 0, "error": "<a reason>"}, 1 otherwise,
including when JSON does not parse. Prints nothing.
"""
import json, sys
try:
    j = json.loads(sys.argv[1])
except ValueError:
    sys.exit(1)
r = j.get("/synwall/reload", j) if isinstance(j, dict) else {}
sys.exit(0 if isinstance(r, dict) and r.get("ok") == 0 and r.get("error") else 1)
