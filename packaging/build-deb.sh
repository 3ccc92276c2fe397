#!/usr/bin/env bash
# Builds dist/tierwatch_VERSION_ARCH.deb with dpkg-deb alone: a release
# binary with the Swift standard library linked in (it needs only the
# system's ncurses and C/C++ runtimes), the themes, a man page per command
# generated from the command definitions (so they never drift from --help),
# bash/zsh/fish completions, the systemd units (serve, the kiosk wall), and the docs.
#   bash packaging/build-deb.sh        (about 5 minutes from a clean tree)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/tierwatch/Main.swift)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb: no version in Sources/tierwatch/Main.swift" >&2; exit 2; }

echo "build-deb: static release build"
swift build -c release --static-swift-stdlib --product tierwatch --scratch-path .build-static >/tmp/tierwatch-deb-build.log 2>&1 \
  || { tail -30 /tmp/tierwatch-deb-build.log; exit 1; }
echo "build-deb: man pages from the command definitions"
swift package plugin generate-manual --multi-page >/tmp/tierwatch-deb-man.log 2>&1 \
  || { tail -30 /tmp/tierwatch-deb-man.log; exit 1; }
bin=.build-static/release/tierwatch
man=.build/plugins/GenerateManual/outputs/tierwatch

work=$(mktemp -d)
root="$work/tierwatch_${version}_${arch}"
install -D -m 0755 "$bin" "$root/usr/bin/tierwatch"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/tierwatch"
install -d -m 0755 "$root/usr/share/tierwatch/Themes"
install -m 0644 Themes/*.yaml "$root/usr/share/tierwatch/Themes/"
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
install -d -m 0755 "$root/usr/share/doc/tierwatch"
gzip -9n -c README.md > "$root/usr/share/doc/tierwatch/README.md.gz"
install -m 0644 SECURITY.md "$root/usr/share/doc/tierwatch/SECURITY.md"
install -m 0644 packaging/copyright "$root/usr/share/doc/tierwatch/copyright"
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
if [ "$1" = configure ] && [ -x /usr/bin/systemd-sysusers ]; then
  systemd-sysusers tierwatch.conf || true
fi
POSTINST
chmod 0755 "$root/DEBIAN/postinst"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: tierwatch
Version: $version
Architecture: $arch
Maintainer: tierwatch maintainers <noc@example.org>
Installed-Size: $size
Depends: libc6, libgcc-s1, libstdc++6, libncursesw6, libtinfo6, libcurl4, tzdata
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
rm -rf "$work"
deb="dist/tierwatch_${version}_${arch}.deb"
echo "build-deb: $deb ($(du -h "$deb" | cut -f1); binary $(du -h "$bin" | cut -f1) before strip)"
