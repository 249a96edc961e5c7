#!/bin/sh
# Every user-visible string of ui/ and app/ has a finished zh_CN translation: lupdate
# runs over the sources into a copy of translations/tpq_zh_CN.ts (the real one is left
# alone), and the copy must have no unfinished message.
set -eu
src="$1"
lupdate="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src/translations/tpq_zh_CN.ts" "$tmp/tpq_zh_CN.ts"
(cd "$src" && "$lupdate" ui app -ts "$tmp/tpq_zh_CN.ts" -no-obsolete -locations none) > "$tmp/lupdate.log" 2>&1
cat "$tmp/lupdate.log"
unfinished=$(grep -c 'type="unfinished"' "$tmp/tpq_zh_CN.ts" || true)
messages=$(grep -c '<message' "$tmp/tpq_zh_CN.ts" || true)
echo "$messages messages, $unfinished unfinished"
if [ "$unfinished" -ne 0 ]; then
  grep -B3 'type="unfinished"' "$tmp/tpq_zh_CN.ts" | grep '<source>' | head -20
  echo "translate these in translations/tpq_zh_CN.ts (see translations/README.md)"
  exit 1
fi
[ "$messages" -gt 200 ]
