# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/run.sh: the run id, the cleanup stack and its traps, and
# processes started and stopped by PID, for common.sh (which sources it;
# not meant to be sourced alone). sw_init, sw_defer, sw_cleanup,
# sw_run_id_name, sw_cpu_ticks, sw_alive, sw_spawn, sw_stop_pid.

SW_CLEANUP=()		# cleanup stack: shell-quoted commands, run LIFO
SW_CLEANING=0
SW_SPAWNED_PID=""	# PID of the last sw_spawn

# ------------------------------------------------------ run id and cleanup

# sw_init NAME: unique run id, private temp dir ($SW_TMP), cleanup trap.
sw_init()
{
	SW_NAME=${1:-synwall}
	# PID + 4 hex digits: unique, and says whose it is (sw__reap_stale).
	SW_RUN_ID="$$$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')"
	sw__reap_stale
	trap 'sw__on_exit' EXIT
	trap 'sw__on_signal INT 130' INT
	trap 'sw__on_signal TERM 143' TERM
	trap 'sw__on_signal HUP 129' HUP
	SW_TMP=$(mktemp -d "/tmp/synwall-$SW_NAME.XXXXXX")
	sw_defer rm -rf -- "$SW_TMP"
	sw_defer sw__keep_logs
	# Spawned processes read this FIFO (opened read-write, so never EOF):
	# tools such as testpmd exit as soon as stdin closes.
	mkfifo "$SW_TMP/.stdin"
	echo "$SW_RUN_ID" >"$SW_TMP/.owner"
	sw_log "run id $SW_RUN_ID, temp dir $SW_TMP"
}

# sw_defer CMD [ARG...]: push a command on the cleanup stack.
sw_defer()
{
	SW_CLEANUP+=("$(printf '%q ' "$@")")
}

# sw_cleanup: run the cleanup stack, newest first, ignoring failures.
sw_cleanup()
{
	local i
	((SW_CLEANING)) && return 0
	SW_CLEANING=1
	trap '' INT TERM HUP
	for ((i = ${#SW_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${SW_CLEANUP[i]}" || true
	done
	SW_CLEANUP=()
	SW_CLEANING=0
}

# sw__reap_stale: undo what an earlier run left behind when it was killed
# with no chance to clean up (SIGKILL, e.g. a test runner's hard timeout).
# Only our own leftovers: run dirs holding an .owner run id, and namespaces
# named sw<PID><4 hex>-{client,synwall,server} (inline topology),
# -{router,nodeN} (cluster topology) or
# -{lan,bN} (lb topology), whose PID is gone. Processes
# still running in such a namespace are left alone (with a warning).
sw__reap_stale()
{
	local d id pid ns n
	for d in /tmp/synwall-*.??????; do
		[[ -f $d/.owner ]] || continue
		id=$(<"$d/.owner")
		[[ $id =~ ^([0-9]+)[0-9a-f]{4}$ ]] || continue
		pid=${BASH_REMATCH[1]}
		[[ -e /proc/$pid ]] && continue
		sw_log "reaping leftovers of dead run $id ($d)"
		if mountpoint -q "$d/hugepages" 2>/dev/null; then
			umount "$d/hugepages" 2>/dev/null || umount -l "$d/hugepages" || true
		fi
		if [[ -f $d/.hugepages_added ]]; then
			n=$(<"$d/.hugepages_added")
			SW_HP_ADDED=$n SW_TMP=$d sw_hugepages_restore
		fi
		rm -rf -- "$d" "$SW_DPDK_RUNDIR/sw$id-"* 2>/dev/null || true
	done
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		# The inline topology's names and the lb one's (scripts/topo_lb.sh).
		[[ $ns =~ ^sw([0-9]+)[0-9a-f]{4}-(client|synwall|server|lan|router|node[0-9]|b[0-9])$ ]] || continue
		pid=${BASH_REMATCH[1]}
		[[ -e /proc/$pid ]] && continue
		if [[ -n $(ip netns pids "$ns" 2>/dev/null) ]]; then
			sw_warn "stale netns $ns still has processes: left alone"
			continue
		fi
		sw_log "removing stale netns $ns"
		ip netns del "$ns" 2>/dev/null || true
	done
}

# With SW_KEEP_LOGS=DIR in the environment, the run's logs and configs are
# copied there before the temp dir goes.
sw__keep_logs()
{
	local dest
	[[ -n ${SW_KEEP_LOGS:-} ]] || return 0
	dest=$SW_KEEP_LOGS/$SW_NAME-$SW_RUN_ID
	mkdir -p "$dest"
	find "$SW_TMP" -maxdepth 2 -type f \( -name '*.log' -o -name '*.conf' \) \
		-exec cp --backup=numbered -t "$dest" {} + 2>/dev/null || true
	sw_log "logs kept in $dest"
}

sw__on_signal()
{
	sw_warn "caught SIG$1, cleaning up"
	exit "$2"	# the EXIT trap does the cleanup
}

sw__on_exit()
{
	local rc=$?
	set +e
	sw_cleanup
	exit "$rc"
}

# sw_run_id_name WHAT: a name unique to this run, e.g. for namespaces and
# DPDK file prefixes.
sw_run_id_name()
{
	printf 'sw%s-%s' "$SW_RUN_ID" "$1"
}

# ---------------------------------------------------------------- processes

# sw_cpu_ticks PID: the process's CPU time so far, user + system, in
# clock ticks (getconf CLK_TCK a second).
sw_cpu_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# sw_alive PID: the process exists and is not a zombie.
sw_alive()
{
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ ${st%% *} != Z ]]
}

# sw_spawn LOG CMD [ARG...]: start CMD in the background with stdout and
# stderr to LOG; its PID goes to $SW_SPAWNED_PID and on the cleanup stack.
# A program (not a shell function) also gets SIGTERM from the kernel should
# this script die without cleaning up (setpriv --pdeathsig; kept across the
# exec of `ip netns exec`), so nothing outlives even a SIGKILLed run.
sw_spawn()
{
	local log=$1
	shift
	if [[ $(type -t "$1") == file ]] && command -v setpriv >/dev/null 2>&1; then
		set -- setpriv --pdeathsig TERM -- "$@"
	fi
	"$@" >"$log" 2>&1 <>"$SW_TMP/.stdin" &
	SW_SPAWNED_PID=$!
	sw_defer sw_stop_pid "$SW_SPAWNED_PID" 5
}

# sw_stop_pid PID [TIMEOUT]: SIGTERM, wait up to TIMEOUT s (default 10),
# then SIGKILL. Returns the process's exit status when it is our child,
# 124 when it had to be killed, 0 when it was already gone.
sw_stop_pid()
{
	local pid=$1 timeout=${2:-10} rc=0
	[[ -n $pid ]] || return 0
	if sw_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! sw_wait_for "! sw_alive $pid" "$timeout" 0.1; then
			sw_warn "PID $pid still running ${timeout}s after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sw_wait_for "! sw_alive $pid" 5 0.1 || true
			wait "$pid" 2>/dev/null || true
			return 124
		fi
	fi
	wait "$pid" 2>/dev/null || rc=$?
	# 127: not our child (or already collected): nothing more to learn.
	((rc == 127)) && rc=0
	return "$rc"
}
