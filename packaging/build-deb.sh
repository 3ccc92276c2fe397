#!/usr/bin/env bash
# Builds dist/tierwatch_VERSION_ARCH.deb with dpkg-deb alone: a release
# binary with the Swift standard library linked in (it needs only the
# system's ncurses, libcurl and C/C++ runtimes), the themes, a man page per
# command generated from the command definitions (so they never drift from
# --help), bash/zsh/fish completions, the systemd units (serve, the kiosk
# wall) with their /etc/default/tierwatch, and the docs.
#   bash packaging/build-deb.sh     (5-6 minutes from a clean tree, 1 warm)
# Install the result with: apt-get install ./dist/tierwatch_VERSION_ARCH.deb
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/tierwatch/Main.swift)
[ -n "$version" ] || { echo "build-deb: no version in Sources/tierwatch/Main.swift" >&2; exit 2; }

# Build dependencies first: a missing one is named before minutes of building.
missing=()
command -v dpkg-deb >/dev/null || missing+=(dpkg)
command -v strip >/dev/null || missing+=(binutils)
command -v gzip >/dev/null || missing+=(gzip)
[ -e /usr/include/ncursesw/curses.h ] || missing+=(libncurses-dev)
# The static Foundation links against libcurl (hooks that POST use URLSession).
[ -e /usr/include/curl/curl.h ] || compgen -G "/usr/include/*/curl/curl.h" >/dev/null || missing+=(libcurl4-openssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-deb: missing build dependencies: ${missing[*]}" >&2
  echo "build-deb: apt-get install -y ${missing[*]}   (or: bash .ci/deps)" >&2
  exit 2
fi
command -v swift >/dev/null || { echo "build-deb: no swift on PATH: install a Swift 6 toolchain (swift.org) first" >&2; exit 2; }
arch=$(dpkg --print-architecture)

logs=$(mktemp -d "${TMPDIR:-/tmp}/tierwatch-deb.XXXXXX")
# On failure: the compiler's and linker's errors first, then the log's end.
failed() {
  echo "build-deb: $1 failed; the lines that matter:" >&2
  grep -E "error:|cannot find|undefined reference|fatal" "$2" | sort -u | head -20 >&2 || true
  echo "build-deb: ... the end of $2:" >&2
  tail -15 "$2" >&2
  exit 1
}

echo "build-deb: static release build (log: $logs/build.log)"
swift build -c release --static-swift-stdlib --product tierwatch --scratch-path .build-static >"$logs/build.log" 2>&1 \
  || failed "the static release build" "$logs/build.log"
# The man pages are read from the command definitions of a built binary; a
# debug build serves (the same definitions) and is what `swift test` already
# built, where the plugin's default would build the whole package again in
# release mode.
echo "build-deb: man pages from the command definitions (a debug build; log: $logs/man.log)"
swift package plugin generate-manual --configuration debug --multi-page >"$logs/man.log" 2>&1 \
  || failed "generating the man pages" "$logs/man.log"
bin=.build-static/release/tierwatch
man=.build/plugins/GenerateManual/outputs/tierwatch

work=$(mktemp -d)
root="$work/tierwatch_${version}_${arch}"
install -D -m 0755 "$bin" "$root/usr/bin/tierwatch"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/tierwatch"
install -d -m 0755 "$root/usr/share/tierwatch/Themes"
install -m 0644 Themes/*.yaml "$root/usr/share/tierwatch/Themes/"
# Prometheus alerting rules for serve's metrics, and serve's API description.
install -m 0644 packaging/tierwatch.rules.yml "$root/usr/share/tierwatch/tierwatch.rules.yml"
install -m 0644 docs/openapi.json "$root/usr/share/tierwatch/openapi.json"
install -d -m 0755 "$root/usr/share/man/man1"
# A subcommand's page is tierwatch.ack(1): its NAME says so (what whatis and
# apropos index), while its SYNOPSIS keeps what one types, "tierwatch ack".
for page in "$man"/*.1; do
  name=$(basename "$page" .1)
  sed -e "0,/^\.Nm \".*\"\$/s//.Nm $name/" -e "s/^\.Nm\$/.Nm \"${name//./ }\"/" "$page" \
    | gzip -9n > "$root/usr/share/man/man1/$name.1.gz"
done
chmod 0644 "$root"/usr/share/man/man1/*.gz
# Completion files are sourced, not run: no #! line.
"$root/usr/bin/tierwatch" --generate-completion-script bash | sed '1{/^#!/d}' | install -D -m 0644 /dev/stdin "$root/usr/share/bash-completion/completions/tierwatch"
"$root/usr/bin/tierwatch" --generate-completion-script zsh | install -D -m 0644 /dev/stdin "$root/usr/share/zsh/vendor-completions/_tierwatch"
"$root/usr/bin/tierwatch" --generate-completion-script fish | install -D -m 0644 /dev/stdin "$root/usr/share/fish/vendor_completions.d/tierwatch.fish"
install -D -m 0644 packaging/tierwatch-wall@.service "$root/usr/lib/systemd/system/tierwatch-wall@.service"
install -D -m 0644 packaging/tierwatch-serve.service "$root/usr/lib/systemd/system/tierwatch-serve.service"
install -D -m 0644 packaging/tierwatch.sysusers "$root/usr/lib/sysusers.d/tierwatch.conf"
install -D -m 0644 packaging/default "$root/etc/default/tierwatch"
# Yams vendors libYAML: explained in the override file and the README.
install -D -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/tierwatch"
install -d -m 0755 "$root/usr/share/doc/tierwatch"
gzip -9n -c README.md > "$root/usr/share/doc/tierwatch/README.md.gz"
# The documents the README links to (compressed, as Debian wants docs over 4 KiB).
install -d -m 0755 "$root/usr/share/doc/tierwatch/docs"
for doc in guide commands policy oncall serve operations store-format; do
  gzip -9n -c "docs/$doc.md" > "$root/usr/share/doc/tierwatch/docs/$doc.md.gz"
  chmod 0644 "$root/usr/share/doc/tierwatch/docs/$doc.md.gz"
done
install -m 0644 SECURITY.md "$root/usr/share/doc/tierwatch/SECURITY.md"
install -m 0644 docs/runbook.md "$root/usr/share/doc/tierwatch/runbook.md"
install -m 0644 packaging/copyright "$root/usr/share/doc/tierwatch/copyright"
install -m 0644 NOTICE "$root/usr/share/doc/tierwatch/NOTICE"
printf 'tierwatch (%s) unstable; urgency=medium\n\n  * Built from the tierwatch repository.\n\n -- tierwatch maintainers <noc@example.org>  %s\n' \
  "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n > "$root/usr/share/doc/tierwatch/changelog.gz"
chmod 0644 "$root/usr/share/doc/tierwatch/changelog.gz"

install -d -m 0755 "$root/DEBIAN"
# The service's system user, made where systemd can make it (kept on removal,
# as Debian does with system users).
cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ] && command -v systemd-sysusers >/dev/null 2>&1; then
  systemd-sysusers tierwatch.conf || true
fi
POSTINST
chmod 0755 "$root/DEBIAN/postinst"
echo /etc/default/tierwatch > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: tierwatch
Version: $version
Architecture: $arch
Maintainer: tierwatch maintainers <noc@example.org>
Installed-Size: $size
Depends: libc6, libgcc-s1, libstdc++6, libncursesw6, libtinfo6, libcurl4, tzdata
Recommends: bash-completion
Suggests: apprise
Section: admin
Priority: optional
Homepage: https://example.org/tierwatch
Description: formal incident escalation dashboard for NOCs, in the terminal
 tierwatch runs a formal incident escalation: every open incident's
 escalation tiers, a live countdown to each stage and who to call at each
 tier, for operators at their desks (a dashboard), a read-only viewer and a
 NOC wall display. Several operators and hosts share one store on disk.
 Every action is also a command, so scripts can run the whole escalation.
CONTROL
mkdir -p dist
dpkg-deb --build --root-owner-group "$root" dist/ >/dev/null
rm -rf "$work" "$logs"
deb="dist/tierwatch_${version}_${arch}.deb"
echo "build-deb: $deb ($(du -h "$deb" | cut -f1); binary $(du -h "$bin" | cut -f1) before strip)"
echo "build-deb: install it with: apt-get install ./$deb"
