#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages needed to build and test libcounters, when missing.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libboost-dev libfmt-dev libcli11-dev catch2 nlohmann-json3-dev libbenchmark-dev
  libedit-dev libsystemd-dev zlib1g-dev systemd systemd-journal-remote mandoc procps util-linux
  clang-14 libclang-rt-14-dev clang-tidy-14
  postfix swaks pflogsumm mtail
  libsnmp-dev snmpd snmp
  socat dovecot-imapd dovecot-pop3d python3
  # OpenLDAP's server: the real LDAP server of msprobe's LDAP probe test (private instances)
  slapd
  # prometheus (and its promtool): the exposition lint, the rule unit tests, the real-Prometheus
  # test of counters-exporter, which also needs curl and ss (iproute2)
  prometheus curl iproute2
  # node_exporter: its textfile collector is what bench/scrape_vs_node_exporter.sh compares
  # counters-exporter's scrape with
  prometheus-node-exporter
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix (the real MTA of counters-ingest's tests, demo and benchmark) installs without its
# configuration prompt, and unconfigured: the tests start private instances of their own.
if [[ " ${missing[*]} " == *" postfix "* ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
fi
# slapd installs unconfigured (no directory of its own, nothing started): the test writes
# the configuration of each private instance it starts.
if [[ " ${missing[*]} " == *" slapd "* ]]; then
  echo "slapd slapd/no_configuration boolean true" | "${sudo[@]}" debconf-set-selections
fi
# Dovecot: the real IMAP and POP3 servers of msprobe's tests, which start private instances
# of their own on 127.0.0.1. Where a service manager runs, the package also starts the
# system's Dovecot (ports 143 and 110); the tests do not use it.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
