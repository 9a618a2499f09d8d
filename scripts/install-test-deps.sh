#!/usr/bin/env bash
# Installs the real services the tests run against (Debian packages), if they are missing:
# Mosquitto (external-broker mode), InfluxDB 1.6, PostgreSQL (street hub), Chromium (browser tests),
# libfaketime.
# The tests start their own instances on loopback with temp dirs; nothing here starts a service.
set -euo pipefail

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
# The street hub's tests initdb their own cluster (test/helpers/postgres.ts); Debian keeps the
# server binaries in /usr/lib/postgresql/<major>/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Steps the system clock of one child process (test/harness/steady-date.test.ts).
compgen -G '/usr/lib/*/faketime/libfaketime.so.1' >/dev/null || need+=(libfaketime)
# CJK glyphs, so screenshots of the zh-CN pages are legible.
[ -d /usr/share/fonts/truetype/wqy ] || need+=(fonts-wqy-microhei)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing test services: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
