# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# scripts/lib/prereq.sh: root and packages, for common.sh (which sources
# it; not meant to be sourced alone). sw_need_root, sw_install_deps,
# sw_require_cmds.

# ------------------------------------------------------- root and packages

# sw_need_root [--sudo ARG...]: a test skips (77) when not root; with --sudo
# (the demo) the script re-runs itself, with ARGs, through sudo if it exists.
sw_need_root()
{
	[[ $EUID -eq 0 ]] && return 0
	if [[ ${1:-} == --sudo ]] && command -v sudo >/dev/null 2>&1; then
		sw_log "not root: re-running through sudo"
		exec sudo -- "$0" "${@:2}"
	fi
	if [[ ${1:-} == --sudo ]]; then
		sw_die "must run as root (network namespaces, hugepages); sudo not found"
	fi
	sw_skip "must run as root (network namespaces, veth, hugepages)"
}

# sw_install_deps PKG...: apt-get install the Debian packages that are not
# installed yet; apt-get update only when something is missing. Returns
# non-zero (after logging apt's output tail) when an install fails.
sw_install_deps()
{
	local missing=() p log policy=0
	for p in "$@"; do
		if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != \
			'install ok installed' ]]; then
			missing+=("$p")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	command -v apt-get >/dev/null 2>&1 ||
		{ sw_warn "missing ${missing[*]} and no apt-get"; return 1; }
	sw_log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp /tmp/synwall-apt.XXXXXX)
	# Test peers (nginx, prometheus) are run by the tests themselves,
	# in namespaces: their packages must not start system daemons
	# listening in the root namespace. Debian's policy-rc.d says no to
	# every start during this install, where none is in place already.
	if [[ ! -e /usr/sbin/policy-rc.d ]] &&
		printf '#!/bin/sh\n# synwall: no daemon starts while test packages install\nexit 101\n' \
			>/usr/sbin/policy-rc.d 2>/dev/null; then
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	# The lock timeout covers a concurrent apt run (another test, the lead).
	if timeout 900 apt-get -q -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 &&
		timeout 900 apt-get -q -y -o DPkg::Lock::Timeout=300 \
			--no-install-recommends install "${missing[@]}" >>"$log" 2>&1; then
		((policy)) && rm -f /usr/sbin/policy-rc.d
		rm -f "$log"
		return 0
	fi
	((policy)) && rm -f /usr/sbin/policy-rc.d
	sw_warn "apt-get install ${missing[*]} failed:"
	tail -n 5 "$log" >&"$SW_LOGFD"
	rm -f "$log"
	return 1
}

# sw_require_cmds CMD...: skip (77) when a command is still missing.
sw_require_cmds()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || sw_skip "required command '$c' not found"
	done
}
