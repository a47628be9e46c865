#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# install.sh BUILD_DIR: what `meson install` gives an operator, staged in a
# temp DESTDIR. Every file an operator needs is where the docs say:
# the programs in bin/, the systemd units, the example configs and the
# docs. The installed synwall validates the installed example configs
# (--check-config, two net_null ports, --no-huge); the units name the
# installed binaries and pass systemd-analyze verify (when systemd is
# there) with the install's paths; the installed exporter runs.
set -u
build=$1
dir=$(mktemp -d /tmp/sw-install.XXXXXX)
trap 'rm -rf "$dir" "/var/run/dpdk/swin$$" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/swin$$"' EXIT
passed=0 failed=0

check()
{
	local what=$1
	shift
	if "$@" >"$dir/out" 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL: $what"
		sed 's/^/    /' "$dir/out" | head -20
		failed=$((failed + 1))
	fi
}

if ! meson install -C "$build" --no-rebuild --destdir "$dir/root" \
		>"$dir/install.log" 2>&1; then
	echo "FAIL: meson install"
	tail -20 "$dir/install.log"
	exit 1
fi
# The prefix and the unit directory this build installs to.
{ read -r prefix; read -r unitdir; } < <(meson introspect "$build" \
	--buildoptions | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"])
print(o["systemdunitdir"] or o["prefix"] + "/lib/systemd/system")')
root=$dir/root
doc=$root$prefix/share/doc/synwall

for f in "$prefix/bin/synwall" "$prefix/bin/synwall-bench" \
		"$prefix/bin/synwall-exporter"; do
	check "$f installed, executable" test -x "$root$f"
done
for f in "$unitdir/synwall@.service" "$unitdir/synwall-exporter.service" \
		"$prefix/share/doc/synwall/README.md" \
		"$prefix/share/doc/synwall/deploy.md" \
		"$prefix/share/doc/synwall/monitoring.md" \
		"$prefix/share/doc/synwall/examples/synwall.conf.example" \
		"$prefix/share/doc/synwall/examples/lb.conf.example" \
		"$prefix/share/doc/synwall/examples/synwall.env.example" \
		"$prefix/share/doc/synwall/examples/prometheus/prometheus.yml" \
		"$prefix/share/doc/synwall/examples/prometheus/synwall.rules.yml"; do
	check "$f installed" test -s "$root$f"
done

# The installed binary accepts the installed examples as they are.
eal=(-l '0,1' --no-huge -m 256 --no-pci --no-shconf --no-telemetry
	--file-prefix "swin$$" --vdev net_null0 --vdev net_null1)
for ex in synwall.conf.example lb.conf.example; do
	check "installed synwall --check-config $ex" timeout 60 \
		"$root$prefix/bin/synwall" "${eal[@]}" -- -c "$doc/examples/$ex" \
		--check-config
done

# The units run the installed programs, with --check-config first.
unit=$root$unitdir/synwall@.service
check "synwall@.service ExecStartPre is --check-config of $prefix/bin/synwall" \
	grep -qx "ExecStartPre=$prefix/bin/synwall .* --check-config" "$unit"
check "synwall@.service ExecStart is $prefix/bin/synwall" \
	grep -q "^ExecStart=$prefix/bin/synwall " "$unit"
check "synwall@.service restarts on failure" grep -qx 'Restart=on-failure' "$unit"
check "synwall-exporter.service runs $prefix/bin/synwall-exporter" \
	grep -q "^ExecStart=$prefix/bin/synwall-exporter" \
	"$root$unitdir/synwall-exporter.service"

# systemd's own check, on copies whose paths point into the staging root
# (verify looks for the binaries; an instance name for the template).
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$dir/units" "$root$prefix/etc/synwall"
	cp "$doc/examples/synwall.conf.example" "$root$prefix/etc/synwall/t1.conf"
	echo 'SYNWALL_EAL="-l 0,1"' >"$root$prefix/etc/synwall/t1.env"
	sed "s|$prefix/|$root$prefix/|g" "$unit" >"$dir/units/synwall@t1.service"
	sed "s|$prefix/|$root$prefix/|g" "$root$unitdir/synwall-exporter.service" \
		>"$dir/units/synwall-exporter.service"
	for u in synwall@t1.service synwall-exporter.service; do
		check "systemd-analyze verify $u" systemd-analyze verify \
			"$dir/units/$u"
	done
fi

if /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	check "installed synwall-exporter --help" "$root$prefix/bin/synwall-exporter" --help
fi

echo "install: $passed passed, $failed failed"
((failed == 0))
