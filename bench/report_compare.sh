#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Aggregate-report parsing side by side, in one run, on one 100,000-record report (as XML and
# as .xml.gz): expat alone (xmlwf, the floor), `hallmark report parse` (JSON lines and
# --summary), and Debian's dmarc-cat (Go; -N: no reverse DNS). Wall time and peak memory of
# each, median of REPS runs. Not a test: a measurement to report as ratios.
#   bench/report_compare.sh [HALLMARK_BINARY] [REPS]
# Needs: expat (xmlwf), dmarc-cat, GNU time (apt-get install expat dmarc-cat time).
set -euo pipefail
hallmark=${1:-build/tools/hallmark/hallmark}
reps=${2:-5}
for tool in xmlwf dmarc-cat /usr/bin/time "$hallmark"; do
  command -v "$tool" >/dev/null || { echo "report_compare: $tool is missing" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dmarc-cat insists on the conventional file name: receiver!domain!begin!end.xml
xml="$work/receiver.example!example.com!1796083200!1796169599.xml"
/usr/bin/python3 - "$xml" <<'PY'
import sys
head = ('<?xml version="1.0" encoding="UTF-8" ?>\n<feedback>\n  <version>1.0</version>\n'
        '  <report_metadata>\n    <org_name>receiver.example</org_name>\n'
        '    <email>noreply-dmarc-support@receiver.example</email>\n'
        '    <report_id>1234567890123456789</report_id>\n    <date_range>\n'
        '      <begin>1796083200</begin>\n      <end>1796169599</end>\n    </date_range>\n'
        '  </report_metadata>\n  <policy_published>\n    <domain>example.com</domain>\n'
        '    <adkim>r</adkim>\n    <aspf>r</aspf>\n    <p>reject</p>\n    <sp>reject</sp>\n'
        '    <pct>100</pct>\n  </policy_published>\n')
record = ('  <record>\n    <row>\n      <source_ip>198.{}.{}.{}</source_ip>\n'
          '      <count>{}</count>\n      <policy_evaluated>\n'
          '        <disposition>{}</disposition>\n        <dkim>pass</dkim>\n'
          '        <spf>fail</spf>\n      </policy_evaluated>\n    </row>\n    <identifiers>\n'
          '      <header_from>example.com</header_from>\n'
          '      <envelope_from>bounces.example.com</envelope_from>\n    </identifiers>\n'
          '    <auth_results>\n      <dkim>\n        <domain>example.com</domain>\n'
          '        <selector>s2026</selector>\n        <result>pass</result>\n      </dkim>\n'
          '      <dkim>\n        <domain>esp.example</domain>\n        <selector>k1</selector>\n'
          '        <result>pass</result>\n      </dkim>\n      <spf>\n'
          '        <domain>bounces.example.com</domain>\n        <scope>mfrom</scope>\n'
          '        <result>softfail</result>\n      </spf>\n    </auth_results>\n  </record>\n')
with open(sys.argv[1], 'w') as out:
    out.write(head)
    for i in range(100000):
        out.write(record.format((i >> 16) & 255, (i >> 8) & 255, i & 255, i % 17 + 1,
                                'reject' if i % 5 == 0 else 'none'))
    out.write('</feedback>\n')
PY
gzip -k -6 "$xml"

# Median wall seconds and peak KiB of REPS runs of a command (its output discarded).
measure() {
  local name=$1
  shift
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
    cat "$work/time"
  done | sort -n | awk -v name="$name" -v n="$reps" '
    { wall[NR] = $1; rss[NR] = $2 }
    END { m = int((n + 1) / 2); printf "%-34s %8.2f s %10d KiB %10.0f records/s\n",
          name, wall[m], rss[m], 100000 / (wall[m] > 0 ? wall[m] : 0.01) }'
}

echo "100,000 records, $(stat -c %s "$xml") bytes of XML, $(stat -c %s "$xml.gz") gzipped; median of $reps"
measure "expat alone (xmlwf), XML" xmlwf "$xml"
measure "hallmark report parse, XML" "$hallmark" report parse "$xml"
measure "hallmark report parse --summary, XML" "$hallmark" report parse --summary "$xml"
measure "hallmark report parse, .xml.gz" "$hallmark" report parse "$xml.gz"
measure "dmarc-cat -N, XML" dmarc-cat -N "$xml"
measure "dmarc-cat -N, .xml.gz" dmarc-cat -N "$xml.gz"
