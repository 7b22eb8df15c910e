#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end: a throwaway Postfix on loopback with hallmark-milter as its smtpd milter (DNS
# from the demo's zone fixture), the demo messages sent with swaks as their SMTP clients would
# (XCLIENT gives Postfix and the milter the client address and HELO), then each delivered
# message's fields checked, the rejected ones' 550 replies, and the delivered DKIM signature
# and ARC chain verified again with the hallmark CLI.
# Usage: postfix_e2e.sh PATH/TO/hallmark-milter PATH/TO/hallmark
# Exits 77 (skipped) without root, postfix or swaks, unless HALLMARK_REQUIRE_POSTFIX is set.
set -euo pipefail
milter=${1:?usage: postfix_e2e.sh HALLMARK_MILTER HALLMARK}
cli=${2:?usage: postfix_e2e.sh HALLMARK_MILTER HALLMARK}
here=$(cd "$(dirname "$0")" && pwd)
demo=$(cd "$here/../../examples/demo" && pwd)

missing=""
[[ $(id -u) -eq 0 ]] || missing="root (Postfix's master runs as root)"
command -v postfix >/dev/null || missing="postfix"
command -v swaks >/dev/null || missing="swaks"
if [[ -n $missing ]]; then
  if [[ -n ${HALLMARK_REQUIRE_POSTFIX:-} ]]; then
    echo "FAIL: the Postfix end-to-end test needs $missing" >&2
    exit 1
  fi
  echo "SKIP: the Postfix end-to-end test needs $missing (scripts/setup installs the packages)"
  exit 77
fi

# shellcheck source-path=SCRIPTDIR source=postfix_lib.sh
source "$here/postfix_lib.sh"

dir=$(mktemp -d /tmp/hallmark-postfix.XXXXXX)
milter_pid=""
cleanup() {
  postfix_stop "$dir"
  if [[ -n $milter_pid ]]; then
    kill -TERM "$milter_pid" 2>/dev/null || true
    wait "$milter_pid" 2>/dev/null || true
  fi
  if [[ -n ${HALLMARK_KEEP:-} ]]; then  # HALLMARK_KEEP=1: keep the instance to look at
    echo "kept $dir" >&2
  else
    rm -rf "$dir"
  fi
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The milter on a loopback TCP port: Postfix's smtpd (user postfix) reaches it without any
# socket file permissions to arrange.
milter_port=$(postfix_free_port)
cat > "$dir/milter.conf" <<CONF
socket = inet:$milter_port@127.0.0.1
authserv_id = mx.example.org
zone = $demo/demo.zone
allow_dmarc = $demo/allow-dmarc
allow_spf_dkim = $demo/allow-spf-dkim
trusted_arc_sealers = $demo/trusted-arc
score_header = X-Hallmark-Score
reject_dmarc = yes
quarantine = header
arc_seal_key = $demo/demo-arc.key
arc_seal_domain = lists.example.net
arc_seal_selector = arc
log = stderr
CONF
"$milter" -c "$dir/milter.conf" 2> "$dir/milter.log" &
milter_pid=$!
for _ in $(seq 100); do
  postfix_port_listening "$milter_port" && break
  sleep 0.1
done
postfix_port_listening "$milter_port" || { cat "$dir/milter.log" >&2; exit 1; }

smtp_port=$(postfix_free_port)
postfix_start "$dir" "$smtp_port" "inet:127.0.0.1:$milter_port"

# A copy of signed.eml carrying results forged in our name, which must not survive.
{
  printf 'Authentication-Results: mx.example.org; dmarc=pass header.from=example.com\n'
  printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=example.com\n'
  cat "$demo/signed.eml"
} > "$dir/forged.eml"

# Signed with simple/simple canonicalization, where every header byte counts, over fields
# written the unusual ways RFC 5322 allows: no space after the colon, runs of blanks, a fold
# with a tab. It passes only if the milter hands the library the fields exactly as sent.
{
  printf 'From:Alice Example <alice@example.com>\n'
  printf 'To: Bob <bob@example.net>,\n\tCarol <carol@example.net>\n'
  printf 'Subject:   Quarterly   figures \n'
  printf 'Date: Tue, 24 Nov 2026 09:30:00 +0000\n'
  printf 'Message-ID: <simple-1@mail.example.com>\n\n'
  printf 'Hello Bob,\n\n  the figures, with   blanks kept.\n'
} > "$dir/unsigned-simple.eml"
"$cli" dkim-sign --key "$demo/demo-dkim.key" --domain example.com --selector demo \
  --canonicalization simple/simple "$dir/unsigned-simple.eml" > "$dir/simple.eml"

# header FILE NAME: the first field called NAME in FILE, unfolded.
header() {
  awk -v name="$2" 'BEGIN { IGNORECASE = 1 }
    /^$/ { exit }
    found && /^[ \t]/ { sub(/^[ \t]+/, " "); value = value $0; next }
    found { exit }
    tolower($0) ~ "^" tolower(name) ":" { found = 1; value = $0 }
    END { if (found) print value }' "$1"
}
expect_field() {  # FILE NAME TEXT...
  local file=$1 name=$2 value
  shift 2
  value=$(header "$file" "$name")
  [[ -n $value ]] || { fail "$(basename "$file"): no $name field"; return; }
  for text in "$@"; do
    [[ $value == *"$text"* ]] || fail "$(basename "$file"): $name lacks '$text': $value"
  done
}

delivered=0
# send MESSAGE IP HELO FROM: sends one message as its client would; prints the delivered file.
deliver() {
  local file=$1 ip=$2 helo=$3 from=$4 rc=0
  postfix_send "$dir" "$smtp_port" "$ip" "$helo" "$from" bob@example.net "$file" || rc=$?
  if ((rc != 0)); then
    fail "$(basename "$file") was not accepted (swaks $rc): $(postfix_last_reply "$dir" || true)"
    return 1
  fi
  delivered=$((delivered + 1))
  postfix_wait_delivered "$dir" "$delivered"
  postfix_delivered "$dir" | tail -n 1
}
refuse() {  # MESSAGE IP HELO FROM REPLY
  local rc=0 reply
  postfix_send "$dir" "$smtp_port" "$2" "$3" "$4" bob@example.net "$1" || rc=$?
  reply=$(postfix_last_reply "$dir" || true)
  ((rc == 26)) || fail "$(basename "$1"): want a refusal after the data, swaks said $rc: $reply"
  [[ $reply == "$5"* ]] || fail "$(basename "$1"): want '$5', got '$reply'"
}

echo "== signed.eml: SPF, DKIM and DMARC pass; sealed; the signature survives Postfix"
if out=$(deliver "$demo/signed.eml" 192.0.2.10 mail.example.com alice@example.com); then
  expect_field "$out" Authentication-Results "mx.example.org;" \
    "spf=pass smtp.mailfrom=alice@example.com" "dkim=pass header.d=example.com" \
    "dmarc=pass" "header.from=example.com"
  expect_field "$out" X-Hallmark-Score "DMARC_POLICY_ALLOW"
  expect_field "$out" ARC-Seal "i=1;" "cv=none" "d=lists.example.net"
  "$cli" dkim-verify --zone "$demo/demo.zone" "$out" | grep -q "^pass" ||
    fail "signed.eml: the delivered DKIM signature does not verify"
  "$cli" arc-verify --zone "$demo/demo.zone" "$out" | grep -q "^arc: pass" ||
    fail "signed.eml: the ARC set we sealed does not validate"
fi

echo "== simple.eml: simple/simple canonicalization passes through Postfix and the milter"
if out=$(deliver "$dir/simple.eml" 192.0.2.10 mail.example.com alice@example.com); then
  expect_field "$out" Authentication-Results "dkim=pass header.d=example.com" "dmarc=pass"
fi

echo "== forwarded.eml: the list broke DKIM; its trusted ARC chain passes; we seal i=2"
if out=$(deliver "$demo/forwarded.eml" 198.51.100.30 lists.example.net \
  team-bounces@lists.example.net); then
  expect_field "$out" Authentication-Results "arc=pass" "dmarc=fail"
  expect_field "$out" ARC-Seal "i=2;" "cv=pass"
  "$cli" arc-verify --zone "$demo/demo.zone" "$out" | grep -q "^arc: pass" ||
    fail "forwarded.eml: the chain with our set does not validate"
fi

echo "== spoof.eml and allowlisted.eml: DMARC p=reject, refused with 550 5.7.1"
refuse "$demo/spoof.eml" 203.0.113.66 bogus.example ceo@example.com \
  "550 5.7.1 Message rejected: it fails the DMARC policy of example.com"
refuse "$demo/allowlisted.eml" 198.51.100.99 mail.bank-secure.example statements@bank.example \
  "550 5.7.1 Message rejected: it fails the DMARC policy of bank.example"

echo "== testing.eml and revoked.eml: quarantine, marked with the header"
if out=$(deliver "$demo/testing.eml" 203.0.113.25 out.mailblast.example \
  news@newsletter.example); then
  expect_field "$out" X-Hallmark-Quarantine "DMARC policy of newsletter.example: quarantine"
fi
if out=$(deliver "$demo/revoked.eml" 203.0.113.80 legacy.oldshop.example \
  orders@oldshop.example); then
  expect_field "$out" X-Hallmark-Quarantine "DMARC policy of oldshop.example: quarantine"
  expect_field "$out" Authentication-Results "dkim=permerror" "dmarc=fail"
fi

echo "== toomanylookups.eml: SPF permerror, DMARC passes by DKIM"
if out=$(deliver "$demo/toomanylookups.eml" 192.0.2.50 mail.bigcorp.example \
  billing@bigcorp.example); then
  expect_field "$out" Authentication-Results "spf=permerror" "dmarc=pass"
fi

echo "== results forged in our name are removed, another host's stay"
if out=$(deliver "$dir/forged.eml" 192.0.2.10 mail.example.com alice@example.com); then
  count=$(grep -ci '^Authentication-Results: mx.example.org;' "$out" || true)
  ((count == 1)) || fail "forged.eml: $count fields claim mx.example.org, want ours only"
  grep -q '^Authentication-Results: other.example;' "$out" ||
    fail "forged.eml: another host's field was removed"
fi

echo "== one log line per message, with Postfix's queue id"
lines=$(grep -c ' action=' "$dir/milter.log" || true)
((lines == 9)) || fail "want 9 log lines, got $lines"
if grep ' action=' "$dir/milter.log" | grep -q 'NOQUEUE:'; then
  fail "a log line without the queue id"
fi
grep ' action=' "$dir/milter.log" | sed 's/^/  /'

if ((failures > 0)); then
  echo "--- milter log:" >&2
  cat "$dir/milter.log" >&2
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
