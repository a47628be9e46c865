# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/log.sh: logging and timing, for common.sh (which sources
# it; not meant to be sourced alone). sw_log, sw_warn, sw_die, sw_skip,
# sw_log_tail, sw_now_ms.

SW_T0=${EPOCHREALTIME//[!0-9]/}	# sw_log's times count from here (us)

# ---------------------------------------------------------------- logging

# Log lines go to the script's original stderr (a copy kept in SW_LOGFD, so
# that a trap running inside a function whose stderr is redirected still
# logs where the user sees it); stdout holds only test results.
exec {SW_LOGFD}>&2
sw_log()
{
	local now=${EPOCHREALTIME//[!0-9]/}
	local ms=$(((now - SW_T0) / 1000))
	printf '[%s %3d.%01ds] %s\n' "${SW_NAME:-synwall}" $((ms / 1000)) \
		$((ms % 1000 / 100)) "$*" >&"$SW_LOGFD"
}

sw_warn()
{
	sw_log "warning: $*"
}

sw_die()
{
	sw_log "error: $*"
	exit 1
}

# Exit with meson's "skipped" status, saying why.
sw_skip()
{
	sw_log "SKIP: $*"
	echo "1..0 # SKIP $*"
	exit 77
}

# sw_log_tail LOG [N]: show the last N lines of a log as diagnostics.
sw_log_tail()
{
	[[ -f $1 ]] || return 0
	sw_log "last lines of $1:"
	tail -n "${2:-15}" "$1" | sed 's/^/#   /' >&"$SW_LOGFD"
}

# ------------------------------------------------------------------ timing

# sw_now_ms: milliseconds since the epoch (no subprocess).
sw_now_ms()
{
	local us=${EPOCHREALTIME//[!0-9]/}
	echo $((us / 1000))
}
