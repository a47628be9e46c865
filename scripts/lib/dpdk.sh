# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/dpdk.sh: hugepages, EAL options and telemetry of any DPDK
# process, for common.sh (which sources it; not meant to be sourced
# alone). sw_hugepages_reserve, sw_hugepages_restore, sw_dpdk_prefix,
# sw_telemetry, sw_dpdk_eal_mem, sw_dpdk_wait_ready.

SW_HP_SYSFS=${SW_HP_SYSFS:-/sys/kernel/mm/hugepages/hugepages-2048kB}
SW_DPDK_RUNDIR=/var/run/dpdk
SW_HP_ADDED=0		# 2 MiB pages this run added to nr_hugepages
SW_HUGE_DIR=""		# private hugetlbfs mount, when sw_hugepages_reserve made one
SW_HUGEPAGES_MSG=""	# what sw_hugepages_reserve did

# --------------------------------------------------------------- hugepages

# sw_hugepages_reserve N: add N 2 MiB hugepages to the pool and mount a
# private hugetlbfs for them ($SW_HUGE_DIR). Adds rather than sets, so a
# concurrent user's pages are left alone; cleanup gives back exactly what was
# added. Logs what happened and leaves it in $SW_HUGEPAGES_MSG; returns 0
# only when all N pages were reserved. Call it directly, not in $(...).
sw_hugepages_reserve()
{
	local want=$1 before after
	if ! sw__hugepages_add "$want"; then
		sw_log "hugepages: $SW_HUGEPAGES_MSG"
		return 1
	fi
	before=$SW__HP_BEFORE after=$SW__HP_AFTER
	if [[ -z $SW_HUGE_DIR ]]; then
		SW_HUGE_DIR=$SW_TMP/hugepages
		mkdir -p "$SW_HUGE_DIR"
		if ! mount -t hugetlbfs -o pagesize=2M nodev "$SW_HUGE_DIR" 2>/dev/null; then
			SW_HUGEPAGES_MSG="reserved $want 2 MiB hugepages but cannot mount hugetlbfs"
			sw_log "hugepages: $SW_HUGEPAGES_MSG"
			rmdir "$SW_HUGE_DIR" 2>/dev/null || true
			SW_HUGE_DIR=""
			sw_hugepages_restore
			return 1
		fi
		sw_defer sw__hugepages_umount "$SW_HUGE_DIR"
	fi
	SW_HUGEPAGES_MSG="reserved $want 2 MiB hugepages (pool $before -> $after), hugetlbfs at $SW_HUGE_DIR"
	sw_log "hugepages: $SW_HUGEPAGES_MSG"
}

# sw__hugepages_add N: grow nr_hugepages by N; sets SW_HUGEPAGES_MSG on failure.
sw__hugepages_add()
{
	local want=$1 before after
	if [[ ! -w $SW_HP_SYSFS/nr_hugepages ]]; then
		SW_HUGEPAGES_MSG="no writable $SW_HP_SYSFS/nr_hugepages (no 2 MiB hugepage support)"
		return 1
	fi
	before=$(<"$SW_HP_SYSFS/nr_hugepages")
	((SW_HP_ADDED > 0)) || sw_defer sw_hugepages_restore
	echo $((before + want)) >"$SW_HP_SYSFS/nr_hugepages" 2>/dev/null || true
	after=$(<"$SW_HP_SYSFS/nr_hugepages")
	((after > before)) && SW_HP_ADDED=$((SW_HP_ADDED + after - before))
	echo "$SW_HP_ADDED" >"$SW_TMP/.hugepages_added"
	if ((after - before < want)); then
		SW_HUGEPAGES_MSG="asked the kernel for $want more 2 MiB hugepages, got $((after - before))"
		sw_hugepages_restore
		return 1
	fi
	SW__HP_BEFORE=$before SW__HP_AFTER=$after
}

# sw_hugepages_restore: give back the pages this run added (idempotent).
sw_hugepages_restore()
{
	local cur new
	((SW_HP_ADDED > 0)) || return 0
	cur=$(<"$SW_HP_SYSFS/nr_hugepages")
	new=$((cur - SW_HP_ADDED))
	((new < 0)) && new=0
	echo "$new" >"$SW_HP_SYSFS/nr_hugepages" 2>/dev/null ||
		sw_warn "could not set nr_hugepages back to $new"
	SW_HP_ADDED=0
	rm -f "$SW_TMP/.hugepages_added"
}

sw__hugepages_umount()
{
	umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null ||
		sw_warn "could not unmount $1"
	rmdir "$1" 2>/dev/null || true
}

# -------------------------------------------------------------------- DPDK

# sw_dpdk_prefix VAR WHAT: a --file-prefix unique to this run, in VAR; its
# runtime dir (/var/run/dpdk/PREFIX, telemetry socket) is removed at cleanup.
sw_dpdk_prefix()
{
	local p
	p=$(sw_run_id_name "$2")
	sw_defer rm -rf -- "$SW_DPDK_RUNDIR/$p"
	printf -v "$1" '%s' "$p"
}

# sw_telemetry PREFIX CMD: one telemetry command through the stock
# dpdk-telemetry.py; prints the JSON reply (one line), fails when none.
sw_telemetry()
{
	local out
	out=$(echo "$2" | timeout 5 dpdk-telemetry.py -f "$1" 2>/dev/null) || return 1
	[[ $out == '{'* ]] || return 1
	# DPDK answers null for a command not registered (yet: the EAL
	# serves telemetry before the application registers its own) or
	# one that failed: not an answer.
	[[ $out =~ ^\{\"[^\"]*\":\ ?null\}$ ]] && return 1
	printf '%s\n' "$out"
}

# sw_dpdk_eal_mem: EAL memory options; hugepages when sw_hugepages_reserve
# worked, else --no-huge. --in-memory keeps no files behind and still
# shares memory by fd (what vhost-user needs).
sw_dpdk_eal_mem()
{
	if [[ -n $SW_HUGE_DIR ]]; then
		printf '%s\n' --in-memory --huge-dir "$SW_HUGE_DIR"
	else
		printf '%s\n' --no-huge -m 256
	fi
}

# sw_dpdk_wait_ready PID PREFIX CMD LOG TIMEOUT: wait until the DPDK process
# answers telemetry CMD; fail early (with its log tail) if it exits.
sw_dpdk_wait_ready()
{
	local pid=$1 prefix=$2 cmd=$3 log=$4 timeout=$5
	if sw_wait_for "! sw_alive $pid || sw_telemetry $prefix $cmd" "$timeout" 0.3 &&
		sw_alive "$pid"; then
		return 0
	fi
	if sw_alive "$pid"; then
		sw_warn "PID $pid did not answer telemetry '$cmd' within ${timeout}s"
	else
		sw_warn "PID $pid exited during start-up"
	fi
	sw_log_tail "$log"
	return 1
}
