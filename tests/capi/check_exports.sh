#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libhallmark-c's ABI, checked three ways against exported_symbols.txt: the functions the
# header declares with HALLMARK_C_API, the dynamic symbols the library exports (each under the
# version node HALLMARK_C_1, nothing else leaking out of the C++ inside), and the soname.
# Usage: check_exports.sh LIBRARY exported_symbols.txt hallmark.h [NM] [READELF]
set -euo pipefail
library=${1:?usage: check_exports.sh LIBRARY LIST HEADER [NM] [READELF]}
list=${2:?} header=${3:?} nm=${4:-nm} readelf=${5:-readelf}
version=HALLMARK_C_1
soname=libhallmark-c.so.1
export LC_ALL=C
failed=0
# Messages and diffs all go to standard output, so each diff follows its heading.
fail() {
  echo "FAIL: $*"
  failed=1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A sorted list without duplicates, so every diff below reads line by line.
if ! sort -c -u "$list" 2>/dev/null; then
  fail "$list is not sorted (LC_ALL=C sort -u) or has duplicates"
fi
sort -u "$list" | sed '/^$/d' > "$tmp/list"

# The header: one declaration a line beginning with HALLMARK_C_API, its name just before "(".
# A declaration in another shape would slip past the name pattern, so the lines are counted.
grep -v '^#' "$header" | grep -c 'HALLMARK_C_API' > "$tmp/declaration_count" || true
sed -nE 's/^HALLMARK_C_API [^(]*[^A-Za-z0-9_(]([A-Za-z_][A-Za-z0-9_]*) *\(.*/\1/p' "$header" \
  | sort > "$tmp/declared"
if [[ $(wc -l < "$tmp/declared") -ne $(cat "$tmp/declaration_count") ]]; then
  fail "$header: a HALLMARK_C_API line that is not 'HALLMARK_C_API type name(' on one line"
fi
# A function declared without the macro would be exported by the version script unannounced.
if grep -nE '^[A-Za-z_][^(]*[ *]hallmark_[A-Za-z0-9_]+ *\(' "$header" \
  | grep -v ':HALLMARK_C_API ' > "$tmp/unmarked"; then
  fail "$header: declarations without HALLMARK_C_API:"
  cat "$tmp/unmarked"
fi
if ! diff -u --label "$list" --label "declared in $header" "$tmp/list" "$tmp/declared" \
  > "$tmp/diff"; then
  fail "the list and the header differ (- only listed, + only declared)"
  cat "$tmp/diff"
fi

# The library: every defined dynamic symbol but the version node's own entry.
"$nm" -D --defined-only "$library" > "$tmp/nm"
awk -v node="$version" '!($2 == "A" && $3 == node) { print $3 }' "$tmp/nm" > "$tmp/symbols"
if grep -v "@@$version\$" "$tmp/symbols" > "$tmp/unversioned"; then
  fail "symbols without the default version $version:"
  cat "$tmp/unversioned"
fi
sed -E 's/@.*$//' "$tmp/symbols" | sort -u > "$tmp/exported"
if ! diff -u --label "$list" --label "exported by $library" "$tmp/list" "$tmp/exported" \
  > "$tmp/diff"; then
  fail "the library's exports differ from the list (- not exported, + exported, not listed)"
  cat "$tmp/diff"
fi

found=$("$readelf" -d "$library" | sed -nE 's/.*Library soname: \[(.*)\].*/\1/p')
if [[ $found != "$soname" ]]; then
  fail "soname is '$found', want '$soname'"
fi

if [[ $failed -eq 0 ]]; then
  echo "$(wc -l < "$tmp/exported") symbols, all $version, soname $soname: as listed and declared"
fi
exit "$failed"
