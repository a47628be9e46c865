# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/checks.sh: bounded waits and TAP test results, for
# common.sh (which sources it; not meant to be sourced alone).
# sw_wait_for, sw_is_eq, sw_at_least, sw_in_range, sw_check,
# sw_check_skip, sw_diag, sw_checks_done.

SW_PASS=0		# sw_check tallies
SW_FAIL=0
SW_SKIPPED=0
SW_DIAG_LOGS=()		# logs whose tails sw_checks_done shows after a failure

# ----------------------------------------------------------------- waiting

# sw_wait_for CMD TIMEOUT [INTERVAL]: evaluate CMD (a shell string) until it
# succeeds or TIMEOUT seconds (may be fractional) have passed. Returns 0 on
# success, 1 on timeout.
sw_wait_for()
{
	local cmd=$1 timeout=$2 interval=${3:-0.2}
	local start=${EPOCHREALTIME//[!0-9]/} limit
	limit=$(awk -v t="$timeout" 'BEGIN { printf "%d", t * 1000000 }')
	while :; do
		eval "$cmd" >/dev/null 2>&1 && return 0
		((${EPOCHREALTIME//[!0-9]/} - start >= limit)) && return 1
		sleep "$interval"
	done
}

# ------------------------------------------------------------ test results

# sw_is_eq DESC GOT WANT / sw_at_least DESC GOT MIN / sw_in_range DESC
# GOT LO HI: checks for sw_check that say, when they fail, what was got.
# sw_is_eq compares numbers as numbers, anything else as text.
sw_is_eq()
{
	if [[ $2 =~ ^-?[0-9]+$ && $3 =~ ^-?[0-9]+$ ]]; then
		(($2 == $3)) && return 0
	else
		[[ $2 == "$3" ]] && return 0
	fi
	sw_diag "$1: $2, expected $3"
	return 1
}

sw_at_least()
{
	(($2 >= $3)) && return 0
	sw_diag "$1: $2, expected at least $3"
	return 1
}

sw_in_range()
{
	(($2 >= $3 && $2 <= $4)) && return 0
	sw_diag "$1: $2, expected $3..$4"
	return 1
}

# sw_check NAME CMD [ARG...]: run CMD, print "ok - NAME" or "not ok - NAME".
sw_check()
{
	local name=$1
	shift
	if "$@"; then
		SW_PASS=$((SW_PASS + 1))
		echo "ok - $name"
	else
		SW_FAIL=$((SW_FAIL + 1))
		echo "not ok - $name"
	fi
}

# sw_check_skip NAME REASON: a check that cannot apply here.
sw_check_skip()
{
	SW_SKIPPED=$((SW_SKIPPED + 1))
	echo "ok - $1 # SKIP $2"
}

# sw_diag MSG: a diagnostic line that TAP readers show with the results.
sw_diag()
{
	echo "# $*"
}

# sw_checks_done: print the tally (after the tails of $SW_DIAG_LOGS when a
# check failed); returns 0 only when all checks passed.
sw_checks_done()
{
	local f
	if ((SW_FAIL > 0)); then
		for f in "${SW_DIAG_LOGS[@]}"; do
			sw_log_tail "$f" 20
		done
	fi
	echo "$SW_PASS passed, $SW_FAIL failed, $SW_SKIPPED skipped"
	((SW_FAIL == 0 && SW_PASS > 0))
}
