#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# check_config.sh SYNWALL TEST_CONFIG: --check-config refuses every
# config the real start refuses, with the same one line. The cases are
# the unit test's table of bad configs (test_config --write-bad), plus
# ports that the config names wrongly. Each runs twice, once with
# --check-config and once as a real start, on two net_null ports with
# --no-huge; both must exit non-zero and print the same error, which
# must contain the case's words. A start that would run is cut by
# timeout and fails the case. Then a good config passes both ways.
set -u
synwall=$1 test_config=$2
dir=$(mktemp -d /tmp/sw-check-config.XXXXXX)
# The EAL's runtime directory of this run's prefix goes too.
trap 'rm -rf "$dir" "/var/run/dpdk/swcc$$" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/swcc$$"' EXIT
eal=(-l 0,1 --no-huge -m 256 --no-pci --no-shconf --no-telemetry
	--file-prefix "swcc$$" --vdev net_null0 --vdev net_null1)
passed=0 failed=0

# error_line OUT: synwall's own error line in a run's output.
error_line()
{
	grep -E '^synwall: (config error: |(outside|inside): )' "$1" | head -1
}

# case_refused NAME CONF WANT: both runs refuse CONF alike, naming WANT.
case_refused()
{
	local name=$1 conf=$2 want=$3 rc_check rc_start e_check e_start
	timeout 30 "$synwall" "${eal[@]}" -- -c "$conf" --check-config \
		>"$dir/check.out" 2>&1
	rc_check=$?
	timeout 30 "$synwall" "${eal[@]}" -- -c "$conf" >"$dir/start.out" 2>&1
	rc_start=$?
	e_check=$(error_line "$dir/check.out")
	e_start=$(error_line "$dir/start.out")
	if ((rc_check != 0 && rc_check != 124 && rc_start != 0 &&
			rc_start != 124)) && [[ -n $e_check &&
			$e_check == "$e_start" && $e_check == *"$want"* ]]; then
		passed=$((passed + 1))
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok - $name: --check-config exit $rc_check \"$e_check\"; start exit $rc_start \"$e_start\"; want \"$want\""
	sed 's/^/#   /' "$conf"
}

"$test_config" --write-bad "$dir" || { echo "test_config --write-bad failed"; exit 1; }
for conf in "$dir"/*.conf; do
	case_refused "$(basename "$conf")" "$conf" "$(cat "${conf%.conf}.want")"
done

svc=$'[service:web]\nprefix = 192.0.2.0/24\nports = 80\n'
printf '[ports]\noutside = net_nope\n%s' "$svc" >"$dir/port_name.conf"
case_refused "a port named that does not exist" "$dir/port_name.conf" \
	"config error: [ports] outside = net_nope: no such port (2 ports available: 0=net_null0 1=net_null1)"
printf '[ports]\ninside = 7\n%s' "$svc" >"$dir/port_id.conf"
case_refused "a port id that does not exist" "$dir/port_id.conf" \
	"config error: [ports] inside = 7: no such port"
printf '[ports]\noutside = net_null1\ninside = 1\n%s' "$svc" >"$dir/same.conf"
case_refused "one port twice, by name and id" "$dir/same.conf" \
	"config error: [ports] inside = 1: same port as outside"

# A good config: --check-config says OK and exits 0.
printf '[ports]\noutside = net_null0\ninside = net_null1\n%s' "$svc" >"$dir/good.conf"
if timeout 30 "$synwall" "${eal[@]}" -- -c "$dir/good.conf" --check-config \
		>"$dir/good.out" 2>&1 && grep -q "config OK" "$dir/good.out"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "not ok - a good config passes --check-config"
	tail -3 "$dir/good.out"
fi
echo "check_config: $passed passed, $failed failed"
((failed == 0))
