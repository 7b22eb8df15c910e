#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Messages per second through a real Postfix on loopback, in one run, for three setups
# measured in turn within each round (so that a drift in the machine's load hits all three):
#   none      Postfix without a milter (the baseline)
#   hallmark  hallmark-milter: SPF, DKIM, ARC and DMARC in one process
#   odkim     Debian's opendkim (verify mode) then opendmarc (SPF by itself), chained
# Every setup sees the same message (examples/demo/signed.eml: SPF, DKIM and DMARC pass) and
# resolves through nsd serving bench/milter/bench.zone, the only name server in resolv.conf.
# The whole run happens in a private mount and network namespace (unshare -mn): the DNS, the
# ports and a tmpfs for the queues exist only in there, and vanish with the process.
# A milter's cost per message is 1/rate(setup) - 1/rate(none); the target is
# cost(hallmark) <= cost(odkim) / 2. See README.md next to this file.
# Usage: postfix_milter_bench.sh [PATH/TO/hallmark-milter] [PATH/TO/hallmark]
# Environment: ROUNDS (3), MESSAGES per timed run (2000), SESSIONS in parallel (20),
# WARMUP messages per setup before the first round (200), BENCH_MAIN_CF (main.cf lines for
# every instance), HALLMARK_KEEP=1 (copy the logs and configurations out before cleaning up).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
milter_bin=$(realpath "${1:-$root/build/tools/hallmark-milter/hallmark-milter}")
cli=$(realpath "${2:-$root/build/tools/hallmark/hallmark}")
rounds=${ROUNDS:-3}
messages=${MESSAGES:-2000}
sessions=${SESSIONS:-20}
warmup=${WARMUP:-200}
corpus=$root/examples/demo/signed.eml
zone=$here/bench.zone

die() {
  echo "FAIL: $*" >&2
  exit 1
}
for count in "$rounds" "$messages" "$sessions" "$warmup"; do
  [[ $count =~ ^[1-9][0-9]*$ ]] || die "ROUNDS, MESSAGES, SESSIONS and WARMUP must be positive"
done

# ---------------------------------------------------------------- outside the namespace

# Installs opendkim and opendmarc if they are missing. Debian's packages enable and (where
# invoke-rc.d lets them) start system services; those are stopped again, since the benchmark
# runs instances of its own and a stray one would compete for the CPU.
install_reference_milters() {
  local missing=() pkg
  command -v opendkim >/dev/null || missing+=(opendkim)
  command -v opendmarc >/dev/null || missing+=(opendmarc)
  ((${#missing[@]})) || return 0
  echo "installing ${missing[*]}" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" >&2; then
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "${missing[@]}" >&2
  fi
  for pkg in "${missing[@]}"; do
    if [[ -d /run/systemd/system ]]; then
      systemctl stop "$pkg.service" >&2 || true
    else
      service "$pkg" stop >&2 || true
    fi
  done
}

if [[ -z ${HALLMARK_BENCH_IN_NAMESPACE-} ]]; then
  [[ $(id -u) -eq 0 ]] || die "run as root (Postfix's master, unshare and port 53 need it)"
  for tool in postfix smtp-source nsd unshare ip mount; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  [[ -x $milter_bin ]] || die "no hallmark-milter at $milter_bin (build it first)"
  [[ -x $cli ]] || die "no hallmark CLI at $cli (build it first)"
  install_reference_milters
  # A fresh mount and network namespace: loopback only, and mounts (resolv.conf, the tmpfs)
  # that nobody outside sees. Without --fork, unshare execs the script itself in them.
  export HALLMARK_BENCH_IN_NAMESPACE=1
  exec unshare --mount --net --propagation private "$0" "$milter_bin" "$cli"
fi

# ---------------------------------------------------------------- inside the namespace

# shellcheck source-path=SCRIPTDIR source=../../tests/milter/postfix_lib.sh
source "$root/tests/milter/postfix_lib.sh"

work=$(mktemp -d /tmp/hallmark-milter-bench.XXXXXX)
nsd_pid=""
hallmark_pid=""
opendkim_pid=""
opendmarc_pid=""
setups=(none hallmark odkim)

# descendants PID...: the processes and all their descendants, one pid a line.
descendants() {
  local pid
  for pid in "$@"; do
    echo "$pid"
    # shellcheck disable=SC2046 # one argument per child pid
    descendants $(pgrep -P "$pid")
  done
}

# stop_all PID...: stops processes started here and everything they forked, all at once,
# and waits (up to 10 s) until they are all gone. The milters take seconds to wind down
# after SIGTERM, so one at a time would add up; nsd's children outlive a signal to the
# first process by a moment, and an orphan stays a zombie until init gets round to it.
stop_all() {
  local pids=() pid i alive
  for pid in "$@"; do
    mapfile -t -O "${#pids[@]}" pids < <(descendants "$pid")
  done
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "$@"; do
    wait "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < 100; i++)); do
    alive=0
    for pid in "${pids[@]}"; do
      [[ -e /proc/$pid ]] && alive=1
    done
    ((alive)) || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Stops whatever was started and removes the work directory (and the tmpfs mounted on it).
# Safe to run at any point of the start-up.
cleanup() {
  local setup pid started=() stoppers=()
  # Everything side by side: each stop mostly waits for processes to go.
  for setup in "${setups[@]}"; do
    postfix_stop "$work/postfix-$setup" &
    stoppers+=($!)
  done
  for pid in "$opendmarc_pid" "$opendkim_pid" "$hallmark_pid" "$nsd_pid"; do
    if [[ -n $pid ]]; then
      started+=("$pid")
    fi
  done
  stop_all "${started[@]}"
  wait "${stoppers[@]}" || true
  if [[ -n ${HALLMARK_KEEP-} ]]; then  # HALLMARK_KEEP=1: copy the logs out before they go
    mkdir -p "$work.kept"
    cp -r "$work"/*.log "$work"/*.conf "$work"/postfix-* "$work.kept"/ 2>/dev/null || true
    echo "logs kept in $work.kept" >&2
  fi
  umount "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Interrupted, still clean up: exit through the EXIT trap.
trap 'exit 130' INT TERM

ip link set lo up
# The queues on tmpfs: Postfix fsyncs every queue file, and a disk's flush time, which has
# nothing to do with milters, would otherwise dominate and blur the differences.
mount -t tmpfs -o mode=0755 hallmark-bench "$work"

# wait_for PORT NAME PID LOG: waits up to 10 s until NAME (process PID) listens on PORT.
wait_for() {
  local port=$1 name=$2 pid=$3 log=$4 i
  for ((i = 0; i < 100; i++)); do
    if postfix_port_listening "$port"; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "--- $log:" >&2
  tail -n 20 "$log" >&2 || true
  die "$name does not listen on port $port"
}

# ---- DNS: nsd on 127.0.0.1:53, the only name server in the namespace's resolv.conf.
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf
# Everything in the work directory, nothing under /var/lib/nsd or /run/nsd; no privilege
# drop (the nsd user could not read the work directory). Debian builds nsd with response
# rate limiting, which at 200 queries a second from 127.0.0.0/24 would drop answers: off.
cat >"$work/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1
  port: 53
  do-ip6: no
  username: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/nsd.zonelist"
  xfrdfile: "$work/nsd.xfrd"
  xfrdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  verbosity: 0
  server-count: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "."
  zonefile: "$zone"
EOF
nsd -d -c "$work/nsd.conf" >"$work/nsd.out" 2>&1 &
nsd_pid=$!
wait_for 53 nsd "$nsd_pid" "$work/nsd.log"
# The zone through the same system resolver path the milters use, not just an open port.
dmarc=$("$cli" dns _dmarc.example.com TXT 2>&1) || true
[[ $dmarc == *'"v=DMARC1; p=reject"'* ]] || die "nsd does not serve bench.zone: $dmarc"

# ---- hallmark-milter: the shipped defaults (HELO checked too, one log line a message), but
# checking loopback clients as well.
hallmark_port=$(postfix_free_port)
cat >"$work/hallmark-milter.conf" <<EOF
socket = inet:$hallmark_port@127.0.0.1
authserv_id = mx.example.org
skip_networks = none
log = stderr
EOF
"$milter_bin" -c "$work/hallmark-milter.conf" 2>"$work/hallmark-milter.log" &
hallmark_pid=$!
wait_for "$hallmark_port" hallmark-milter "$hallmark_pid" "$work/hallmark-milter.log"

# ---- opendkim, verifying only. It signs mail from InternalHosts, 127.0.0.1 by default, so
# that list names a documentation address nothing connects from. No TrustAnchorFile (Debian's
# default configuration has one): DNSSEC validation of a zone with no chain of trust would
# make every key "bogus", not "unprotected". Nameservers: Debian's opendkim resolves with
# libunbound, which ignores /etc/resolv.conf and recurses from the root servers (unreachable
# here) unless told where to forward; 127.0.0.1 is what resolv.conf says.
opendkim_port=$(postfix_free_port)
echo 192.0.2.254 >"$work/opendkim-internal"
cat >"$work/opendkim.conf" <<EOF
Mode v
Socket inet:$opendkim_port@127.0.0.1
InternalHosts $work/opendkim-internal
AuthservID mx.example.org
Syslog no
Nameservers 127.0.0.1
PidFile $work/opendkim.pid
EOF
opendkim -f -x "$work/opendkim.conf" 2>"$work/opendkim.log" &
opendkim_pid=$!
wait_for "$opendkim_port" opendkim "$opendkim_pid" "$work/opendkim.log"

# ---- opendmarc: DMARC from opendkim's results (same authserv-id) and its own SPF check.
# IgnoreHosts defaults to 127.0.0.1, the benchmark's client: an empty list instead.
opendmarc_port=$(postfix_free_port)
: >"$work/opendmarc-ignore"
psl=/usr/share/publicsuffix/public_suffix_list.dat
cat >"$work/opendmarc.conf" <<EOF
Socket inet:$opendmarc_port@127.0.0.1
AuthservID mx.example.org
TrustedAuthservIDs mx.example.org
IgnoreHosts $work/opendmarc-ignore
SPFSelfValidate true
SPFIgnoreResults true
RejectFailures false
Syslog false
PidFile $work/opendmarc.pid
EOF
# Debian's own configuration names the public suffix list; use it as a real setup would.
if [[ -r $psl ]]; then
  echo "PublicSuffixList $psl" >>"$work/opendmarc.conf"
fi
opendmarc -f -c "$work/opendmarc.conf" 2>"$work/opendmarc.log" &
opendmarc_pid=$!
wait_for "$opendmarc_port" opendmarc "$opendmarc_pid" "$work/opendmarc.log"

# ---- Postfix: one instance per setup, all started up front so that a round only switches
# the port smtp-source talks to. Mail to bob@example.net (the timed load) is discarded after
# the milters have had it; any other example.net recipient (the checks below) still goes to
# the instance's Maildir. No input flow control: it would pause smtpd whenever the queue
# manager lags, pacing the load instead of measuring it. BENCH_MAIN_CF, if set, comes last,
# for experiments (e.g. "milter_protocol = 2": no SMFIP_NR_* replies skipped).
POSTFIX_EXTRA_MAIN_CF="transport_maps = inline:{bob@example.net=discard:benchmark}
in_flow_delay = 0"
if [[ -n ${BENCH_MAIN_CF-} ]]; then
  POSTFIX_EXTRA_MAIN_CF+=$'\n'$BENCH_MAIN_CF
fi
export POSTFIX_EXTRA_MAIN_CF
declare -A port milters
milters[none]=""
milters[hallmark]="inet:127.0.0.1:$hallmark_port"
milters[odkim]="inet:127.0.0.1:$opendkim_port, inet:127.0.0.1:$opendmarc_port"
for setup in "${setups[@]}"; do
  mkdir "$work/postfix-$setup"
  port[$setup]=$(postfix_free_port)
  postfix_start "$work/postfix-$setup" "${port[$setup]}" "${milters[$setup]}"
done

# send SETUP COUNT RECIPIENT: COUNT copies of the corpus to SETUP's Postfix in SESSIONS
# parallel SMTP sessions (fewer if COUNT is smaller), as alice@example.com from a client
# saying HELO mail.example.com. smtp-source exits once the last message was accepted, and
# fails on any other reply (a milter's tempfail included), which stops the benchmark.
send() {
  local setup=$1 count=$2 rcpt=$3
  smtp-source -4 -s "$((count < sessions ? count : sessions))" -m "$count" \
    -M mail.example.com -f alice@example.com -t "$rcpt" -F "$corpus" \
    "127.0.0.1:${port[$setup]}"
}

# drain SETUP: waits (up to 60 s) until SETUP's queue is empty, so that its deliveries do
# not run into the next setup's timing; a deferred message means something is broken.
drain() {
  local dir=$work/postfix-$1 i left
  for ((i = 0; i < 600; i++)); do
    left=$(find "$dir/queue/maildrop" "$dir/queue/incoming" "$dir/queue/active" \
      "$dir/queue/deferred" -type f 2>/dev/null | wc -l)
    ((left == 0)) && return 0
    sleep 0.1
  done
  _postfix_explain "$dir"
  die "$1: $left messages still queued after 60 s"
}

# fields FILE NAME: every NAME field of FILE's header, unfolded, one a line.
fields() {
  awk -v name="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
    /^\r?$/ { exit }
    /^[ \t]/ { if (on) { sub(/^[ \t]+/, " "); value = value $0 }; next }
    { if (on) print value; on = tolower($0) ~ "^" name ":"; value = $0 }
    END { if (on) print value }' "$1" | tr -d '\r'
}

# expect RESULTS TEXT...: fails unless one of RESULTS's lines contains every TEXT.
expect() {
  local results=$1 line text ok
  shift
  while IFS= read -r line; do
    ok=1
    for text in "$@"; do
      [[ $line == *"$text"* ]] || ok=0
    done
    ((ok)) && return 0
  done <<<"$results"
  return 1
}

# check SETUP: three messages through SETUP's Postfix into its Maildir, each of which must
# still carry a DKIM signature that verifies (smtp-source sent the corpus intact, Postfix did
# not change it) and the results the setup is there to add. A setup whose milter does not
# produce them fails here rather than be timed doing nothing.
check() {
  local setup=$1 dir=$work/postfix-$1 file results line
  send "$setup" 3 check@example.net >/dev/null
  postfix_wait_delivered "$dir" 3
  while IFS= read -r file; do
    "$cli" dkim-verify "$file" | grep -q '^pass' ||
      die "$setup: the delivered signature does not verify ($file)"
    results=$(fields "$file" Authentication-Results)
    case $setup in
      none)
        [[ -z $results ]] || die "none: Authentication-Results without a milter: $results"
        ;;
      hallmark)
        expect "$results" "mx.example.org;" "spf=pass" "dkim=pass" "dmarc=pass" ||
          die "hallmark: want spf, dkim and dmarc pass from hallmark-milter, got: $results"
        ;;
      odkim)
        expect "$results" "mx.example.org;" "dkim=pass" "header.d=example.com" ||
          die "odkim: want dkim=pass from opendkim, got: $results"
        expect "$results" "mx.example.org;" "dmarc=pass" "header.from=example.com" ||
          die "odkim: want dmarc=pass from opendmarc, got: $results"
        if [[ $results == *"spf="* ]]; then
          expect "$results" "spf=pass" || die "odkim: opendmarc's SPF did not pass: $results"
        fi
        ;;
    esac
    if [[ -n $results ]]; then
      while IFS= read -r line; do echo "  $setup: $line"; done <<<"$results"
    fi
  done < <(postfix_delivered "$dir")
}

# cpu_ticks PID...: user plus system CPU time of the processes and their descendants (all
# threads), in clock ticks: nsd, for one, answers in a grandchild of the process started
# here. Field 2 of /proc/PID/stat is the command name in parentheses, which may contain
# blanks; the times are fields 14 and 15, i.e. the 12th and 13th after it.
cpu_ticks() {
  local pid total=0 stat f
  while read -r pid; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    read -ra f <<<"$stat"
    total=$((total + f[11] + f[12]))
  done < <(descendants "$@")
  echo "$total"
}

# per_message TICKS: CPU clock ticks spread over one timed run, in microseconds per message.
per_message() {
  awk -v t="$1" -v hz="$hz" -v n="$messages" 'BEGIN { printf "%.0f\n", t / hz / n * 1e6 }'
}

# median VALUE...: the middle value (the mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row LABEL NONE HALLMARK ODKIM: one line of the table, rates in and costs worked out.
row() {
  awk -v r="$1" -v a="$2" -v b="$3" -v c="$4" 'BEGIN {
    cb = (1 / b - 1 / a) * 1e6; cc = (1 / c - 1 / a) * 1e6
    printf "%-7s %10.1f %10.1f %12.1f %10.0f %12.0f %7.2f\n", r, a, b, c, cb, cc, cb / cc
  }'
}

hz=$(getconf CLK_TCK)
declare -A milter_pids=(
  [none]=""
  [hallmark]="$hallmark_pid"
  [odkim]="$opendkim_pid $opendmarc_pid"
)

# What ran where, so that figures from different days can be told apart.
echo "== $(date -u '+%F %T') UTC, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   Postfix $(postconf -d -h mail_version)," \
  "hallmark-milter $("$milter_bin" --version | awk 'NR == 1 { print $NF }')," \
  "opendkim $(opendkim -V | awk 'NR == 1 { print $NF }')," \
  "opendmarc $(opendmarc -V | awk 'NR == 1 { print $NF }');" \
  "corpus $(wc -c <"$corpus") bytes"

echo "== checks: what each setup adds to the corpus (examples/demo/signed.eml)"
for setup in "${setups[@]}"; do
  check "$setup"
done

# An untimed burst per setup: DNS caches (the milters' own; nsd has none to warm), smtpd
# processes and the milters' threads all warm before the first timed run.
echo "== warm-up: $warmup messages per setup"
for setup in "${setups[@]}"; do
  send "$setup" "$warmup" bob@example.net
  drain "$setup"
done

# The timed runs. Each setup's rate is MESSAGES over the time smtp-source took to have them
# all accepted; the queue is drained after each run so no setup pays for another's
# deliveries. Alongside, the CPU time the milters and nsd used during the run.
echo "== $rounds rounds of $messages messages in $sessions sessions, setups in turn"
echo "   msg/s per setup; cost = 1/rate(setup) - 1/rate(none) in us per message"
printf '%-7s %10s %10s %12s %10s %12s %7s\n' round none hallmark odkim+odmarc \
  "cost hm" "cost od+od" ratio
declare -A rates cpu dns
for ((round = 1; round <= rounds; round++)); do
  declare -A rate=()
  for setup in "${setups[@]}"; do
    # shellcheck disable=SC2086 # the pid list splits into its pids on purpose
    milter_before=$(cpu_ticks ${milter_pids[$setup]})
    dns_before=$(cpu_ticks "$nsd_pid")
    start=$(date +%s.%N)
    send "$setup" "$messages" bob@example.net
    end=$(date +%s.%N)
    # shellcheck disable=SC2086
    milter_after=$(cpu_ticks ${milter_pids[$setup]})
    dns_after=$(cpu_ticks "$nsd_pid")
    rate[$setup]=$(awk -v n="$messages" -v s="$start" -v e="$end" \
      'BEGIN { printf "%.1f\n", n / (e - s) }')
    rates[$setup]+="${rate[$setup]} "
    cpu[$setup]+="$(per_message $((milter_after - milter_before))) "
    dns[$setup]+="$(per_message $((dns_after - dns_before))) "
    drain "$setup"
  done
  row "$round" "${rate[none]}" "${rate[hallmark]}" "${rate[odkim]}"
done

# hallmark-milter logs a line per message: every one, timed runs included, must show the
# passes the checks saw, or a DNS time-out under load sent some down another path.
logged=$(grep -c ' action=' "$work/hallmark-milter.log" || true)
passed=$(grep -c ' spf=pass dkim=pass(example.com) arc=none dmarc=pass(' \
  "$work/hallmark-milter.log" || true)
((logged == 3 + warmup + rounds * messages && passed == logged)) ||
  die "hallmark-milter logged $logged messages, $passed with SPF, DKIM and DMARC passing;" \
    "want $((3 + warmup + rounds * messages)), all passing"

# shellcheck disable=SC2086 # each list splits into its rounds' values on purpose
{
  none=$(median ${rates[none]})
  hallmark=$(median ${rates[hallmark]})
  odkim=$(median ${rates[odkim]})
  row median "$none" "$hallmark" "$odkim"
  echo
  echo "CPU time per message during the timed runs, median over rounds (us; one clock tick"
  echo "over a run is $(per_message 1) us per message):"
  printf '  %-22s milter %6s   nsd %5s\n' none - "$(median ${dns[none]})"
  printf '  %-22s milter %6s   nsd %5s\n' hallmark-milter "$(median ${cpu[hallmark]})" \
    "$(median ${dns[hallmark]})"
  printf '  %-22s milter %6s   nsd %5s\n' "opendkim + opendmarc" "$(median ${cpu[odkim]})" \
    "$(median ${dns[odkim]})"
}
echo
awk -v a="$none" -v b="$hallmark" -v c="$odkim" 'BEGIN {
  cb = (1 / b - 1 / a) * 1e6; cc = (1 / c - 1 / a) * 1e6
  print "cost over no milter, from the median rates (us per message):"
  printf "  hallmark-milter        %8.0f\n", cb
  printf "  opendkim + opendmarc   %8.0f\n", cc
  printf "ratio cost(hallmark) / cost(opendkim+opendmarc) = %.2f (target <= 0.50: %s)\n",
    cb / cc, (cb / cc <= 0.5) ? "met" : "NOT met"
}'
