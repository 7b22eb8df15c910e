# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# A throwaway Postfix instance on loopback, for end-to-end milter tests. Source this file.
# Everything lives under one directory DIR that the caller owns (mktemp -d):
#   DIR/etc     main.cf and master.cf, written from scratch (the system's /etc/postfix is
#               only read, for postfix-files and postfix-script, and never changed)
#   DIR/queue   the queue; DIR/data the data directory
#   DIR/mail    the Maildir (new/, cur/, tmp/) every recipient in example.net is delivered to
#   DIR/maillog Postfix's log (written by postlogd, so no syslog is needed)
#   DIR/swaks-N.log  the transcript of the Nth message sent
# Needs root, the `postfix` and `swaks` packages, and DIR and its parents searchable by the
# `nobody` user (the Maildir is written as nobody); postfix_start makes DIR itself 0755.
# POSTFIX_EXTRA_MAIN_CF, if set when postfix_start runs, is appended to main.cf as it is
# (newline-separated `name = value` lines); a later line overrides an earlier one, so a caller
# such as a benchmark can change any default here without a harness of its own.

# The user id the virtual delivery agent writes the Maildir as: nobody's.
_postfix_uid() { id -u nobody 2>/dev/null || echo 65534; }

# The group id the virtual delivery agent writes the Maildir as: nogroup's.
_postfix_gid() {
  local gid
  gid=$(getent group nogroup | cut -d: -f3) || true
  echo "${gid:-65534}"
}

# Prints the last lines of the instance's log (and of the start command's output) to
# stderr, so a failure explains itself.
_postfix_explain() {
  local dir=$1 f
  for f in "$dir/postfix-start.log" "$dir/maillog"; do
    if [[ -s $f ]]; then
      echo "--- last lines of $f:" >&2
      tail -n 25 "$f" >&2
    fi
  done
}

# postfix_port_listening PORT: whether some TCP socket listens on PORT (any address). Reads
# /proc/net/tcp* rather than connecting, so that no smtpd session (and no milter connect
# event) is made just to find out.
postfix_port_listening() {
  local hex
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v port=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }'
}

# postfix_free_port: prints a random TCP port in 20000-39999 that nothing listens on.
postfix_free_port() {
  local i port
  for ((i = 0; i < 50; i++)); do
    port=$((20000 + RANDOM % 20000))
    if ! postfix_port_listening "$port"; then
      echo "$port"
      return 0
    fi
  done
  echo "postfix_free_port: no free port found" >&2
  return 1
}

# Writes DIR/etc/main.cf: local delivery of example.net to the Maildir, nothing else leaves
# the instance, no DNS at all, XCLIENT allowed from loopback, and the milter if one is given;
# then POSTFIX_EXTRA_MAIN_CF, if any.
_postfix_main_cf() {
  local dir=$1 milter=$2
  cat <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
myhostname = mx.example.org
mydomain = example.org
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
local_recipient_maps =
# Leave the message as sent: no header dropped (the default drops Return-Path: before the
# milters see it) and no address in a header rewritten.
message_drop_headers =
local_header_rewrite_clients =

# No DNS: smtpd never looks up the client's name, and mail for anywhere but example.net
# (bounces included) goes to the error transport instead of an SMTP client.
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
local_transport = error:5.1.1 no local delivery in this test instance
default_transport = error:5.4.4 no outbound mail from this test instance
relay_transport = \$default_transport

virtual_mailbox_domains = example.net
virtual_mailbox_base = $dir
virtual_mailbox_maps = static:mail/
virtual_uid_maps = static:$(_postfix_uid)
virtual_gid_maps = static:$(_postfix_gid)

smtpd_banner = \$myhostname ESMTP
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_tls_security_level = none

smtpd_milters = $milter
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 10s
milter_command_timeout = 20s
milter_content_timeout = 30s
EOF
  if [[ -n ${POSTFIX_EXTRA_MAIN_CF-} ]]; then
    printf '\n# From POSTFIX_EXTRA_MAIN_CF.\n%s\n' "$POSTFIX_EXTRA_MAIN_CF"
  fi
}

# Writes DIR/etc/master.cf: smtpd on 127.0.0.1:PORT only, the internal services a delivery
# needs, and postlogd for maillog_file. Nothing is chrooted, so no files need copying in.
_postfix_master_cf() {
  local port=$1
  cat <<EOF
# service          type      private unpriv chroot wakeup maxproc command
127.0.0.1:$port    inet       n       -      n      -      -      smtpd
pickup             unix       n       -      n      60     1      pickup
cleanup            unix       n       -      n      -      0      cleanup
qmgr               unix       n       -      n      300    1      qmgr
rewrite            unix       -       -      n      -      -      trivial-rewrite
bounce             unix       -       -      n      -      0      bounce
defer              unix       -       -      n      -      0      bounce
trace              unix       -       -      n      -      0      bounce
verify             unix       -       -      n      -      1      verify
flush              unix       n       -      n      1000?  0      flush
proxymap           unix       -       -      n      -      -      proxymap
showq              unix       n       -      n      -      -      showq
error              unix       -       -      n      -      -      error
retry              unix       -       -      n      -      -      error
discard            unix       -       -      n      -      -      discard
virtual            unix       -       n      n      -      -      virtual
anvil              unix       -       -      n      -      1      anvil
scache             unix       -       -      n      -      1      scache
postlog            unix-dgram n       -      n      -      1      postlogd
EOF
}

# postfix_start DIR PORT MILTER: writes a complete instance under DIR (absolute), starts it
# and waits (up to 15 s) until smtpd listens on 127.0.0.1:PORT. MILTER is a smtpd_milters
# value ("unix:/path/sock", "inet:127.0.0.1:8893") or empty for none.
postfix_start() {
  local dir=$1 port=$2 milter=${3-} start
  if [[ $dir != /* ]]; then
    echo "postfix_start: DIR must be an absolute path: $dir" >&2
    return 1
  fi
  if postfix_port_listening "$port"; then
    echo "postfix_start: port $port is already in use" >&2
    return 1
  fi
  chmod 0755 "$dir"
  mkdir -p "$dir/etc" "$dir/queue" "$dir/mail"/{new,cur,tmp}
  install -d -o postfix -m 0700 "$dir/data"
  chown -R "$(_postfix_uid):$(_postfix_gid)" "$dir/mail"
  _postfix_main_cf "$dir" "$milter" >"$dir/etc/main.cf"
  _postfix_master_cf "$port" >"$dir/etc/master.cf"
  : >"$dir/maillog"
  # `postfix -c` sets MAIL_CONFIG for everything it runs; as root it needs no
  # alternate_config_directories entry in /etc/postfix/main.cf. Its start-up check creates
  # the queue's subdirectories with the right owners.
  if ! postfix -c "$dir/etc" start >"$dir/postfix-start.log" 2>&1; then
    echo "postfix_start: postfix -c $dir/etc start failed" >&2
    _postfix_explain "$dir"
    return 1
  fi
  start=$SECONDS
  while ((SECONDS - start < 15)); do
    if postfix_port_listening "$port"; then
      return 0
    fi
    sleep 0.1
  done
  echo "postfix_start: nothing listens on 127.0.0.1:$port after 15 s" >&2
  _postfix_explain "$dir"
  return 1
}

# The instance's processes: the master and every daemon work in its queue directory, so
# this finds them all without trusting a pid file that may be stale.
_postfix_pids() {
  local queue
  queue=$(realpath -m "$1/queue")
  find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$queue" 2>/dev/null | cut -d/ -f3
}

# postfix_stop DIR: stops the instance under DIR (`postfix stop`, then signals to whatever
# is left) and waits until none of its processes remain, so DIR can be removed. Does nothing
# if it is not running and never fails, so it is safe to call twice and from an EXIT trap.
postfix_stop() {
  local dir=$1 pids master='' p start=$SECONDS termed=0
  [[ -f $dir/etc/main.cf ]] || return 0
  mapfile -t pids < <(_postfix_pids "$dir")
  ((${#pids[@]})) || return 0
  for p in "${pids[@]}"; do
    if [[ $(cat "/proc/$p/comm" 2>/dev/null) == master ]]; then
      master=$p
    fi
  done
  postfix -c "$dir/etc" stop >>"$dir/postfix-stop.log" 2>&1 || true
  while :; do
    mapfile -t pids < <(_postfix_pids "$dir")
    ((${#pids[@]})) || break
    if ((SECONDS - start >= 10)); then
      kill -KILL "${pids[@]}" 2>/dev/null || true
      break
    elif ((SECONDS - start >= 3 && !termed)); then
      kill -TERM "${pids[@]}" 2>/dev/null || true
      termed=1
    fi
    sleep 0.1
  done
  # The master was reparented to init, which may take a moment to reap it; give it a few
  # seconds so that no defunct master outlives the test.
  while [[ -n $master && -e /proc/$master ]] && ((SECONDS - start < 15)); do
    sleep 0.1
  done
  return 0
}

# postfix_send DIR PORT IP HELO MAIL_FROM RCPT FILE: sends FILE (a complete message, LF or
# CRLF lines) to 127.0.0.1:PORT with swaks. Its XCLIENT, sent after the first EHLO and before
# MAIL FROM, makes Postfix and its milters see client address IP, HELO name HELO and no
# client hostname (Postfix: "unknown"; milters: "[IP]"). Milters first see a short session
# from 127.0.0.1 (connect, EHLO HELO, quit) that XCLIENT ends. MAIL_FROM may be "<>".
# Postfix gets FILE's bytes unchanged but for CRLF line ends: swaks's header and token
# rewriting is off (--no-data-fixup), so the dot-stuffing is done here.
# The transcript goes to DIR/swaks-N.log (N counts up); returns swaks's exit status
# (0 accepted; 23 MAIL, 24 RCPT, 25 DATA, 26 the message, 33 XCLIENT refused; 124 timed out).
# Under set -e, call it as `postfix_send ... || rc=$?` when a refusal is expected.
postfix_send() {
  local dir=$1 port=$2 ip=$3 helo=$4 from=$5 rcpt=$6 file=$7 n=1 rc=0
  while [[ -e $dir/swaks-$n.log ]]; do
    n=$((n + 1))
  done
  # The DATA payload as it goes on the wire, less the final CRLF swaks adds after the dot.
  perl -0777 -pe 's/\r?\n/\r\n/g; $_ .= "\r\n" if length && !/\r\n\z/; s/^\./../mg; $_ .= "."' \
    "$file" >"$dir/swaks-$n.data"
  timeout 150 swaks --server 127.0.0.1 --port "$port" --timeout 120 \
    --ehlo "$helo" --xclient-addr "$ip" --xclient-helo "$helo" --xclient-name '[UNAVAILABLE]' \
    --from "$from" --to "$rcpt" --no-data-fixup --data "@$dir/swaks-$n.data" \
    --suppress-data </dev/null >"$dir/swaks-$n.log" 2>&1 || rc=$?
  return "$rc"
}

# postfix_last_reply DIR [N]: prints the server's final reply to the message (N-th send,
# default the latest): the reply to the end of DATA, or, when the session never got that
# far, the first refusal (a reply swaks marks with "<**"). One line per reply line, e.g.
# "550 5.7.1 rejected by policy". Fails if there is none.
postfix_last_reply() {
  local dir=$1 n=${2-}
  if [[ -z $n ]]; then
    n=1
    while [[ -e $dir/swaks-$((n + 1)).log ]]; do
      n=$((n + 1))
    done
  fi
  [[ -f $dir/swaks-$n.log ]] || return 1
  awk '
    function emit() { sub(/^ *<(\*\*|-) +/, ""); print; found = 1 }
    done { next }
    /^ *<(\*\*|-) +354[ -]/ { indata = 1; next }
    indata && /^ *<(\*\*|-) / { emit(); if ($0 ~ /^[0-9][0-9][0-9] /) done = 1; next }
    !indata && /^ *<\*\* / { emit(); if ($0 ~ /^[0-9][0-9][0-9] /) done = 1; next }
    END { exit !found }
  ' "$dir/swaks-$n.log"
}

# postfix_delivered DIR: the delivered message files (full paths), oldest delivery first.
postfix_delivered() {
  local dir=$1
  find "$dir/mail/new" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-
}

# postfix_wait_delivered DIR COUNT: waits up to 30 s until at least COUNT messages are in
# the Maildir; on time-out says how many arrived and shows the log.
postfix_wait_delivered() {
  local dir=$1 want=$2 have=0 start=$SECONDS
  while ((SECONDS - start < 30)); do
    have=$(find "$dir/mail/new" -type f | wc -l)
    if ((have >= want)); then
      return 0
    fi
    sleep 0.1
  done
  echo "postfix_wait_delivered: $have of $want messages delivered after 30 s" >&2
  _postfix_explain "$dir"
  return 1
}
