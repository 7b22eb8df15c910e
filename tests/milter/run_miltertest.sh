#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one miltertest script against hallmark-milter with a throwaway configuration: the demo's
# DNS (zone fixture), receiver and local policy, plus the `key = value` lines given after the
# script. Usage: run_miltertest.sh MILTER SCRIPT.lua [KEY=VALUE]...
# Exits 77 (skipped) when miltertest is not installed and HALLMARK_REQUIRE_MILTER is unset.
set -euo pipefail
milter=${1:?usage: run_miltertest.sh MILTER SCRIPT.lua [KEY=VALUE]...}
script=${2:?usage: run_miltertest.sh MILTER SCRIPT.lua [KEY=VALUE]...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
demo=$(cd "$here/../../examples/demo" && pwd)

if ! command -v miltertest >/dev/null; then
  if [[ -n ${HALLMARK_REQUIRE_MILTER:-} ]]; then
    echo "miltertest is not installed (apt-get install miltertest)" >&2
    exit 1
  fi
  echo "SKIP: miltertest is not installed (apt-get install miltertest; scripts/setup does)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Copies, which reload.lua rewrites before it sends SIGHUP.
cp "$demo/allow-dmarc" "$demo/allow-spf-dkim" "$demo/trusted-arc" "$work/"
{
  echo "socket = unix:$work/milter.sock"
  echo "authserv_id = mx.example.org"
  echo "zone = $demo/demo.zone $here/flaky.zone"
  echo "allow_dmarc = $work/allow-dmarc"
  echo "allow_spf_dkim = $work/allow-spf-dkim"
  echo "trusted_arc_sealers = $work/trusted-arc"
  echo "score_header = X-Hallmark-Score"
  echo "log = stderr"
  for setting in "$@"; do
    echo "${setting%%=*} = ${setting#*=}"
  done
} > "$work/milter.conf"

timeout 120 miltertest -D milter="$milter" -D config="$work/milter.conf" \
  -D socket="$work/milter.sock" -D demo="$demo" -D here="$here" -D work="$work" \
  -D lib="$here/milter_lib.lua" -s "$script"
