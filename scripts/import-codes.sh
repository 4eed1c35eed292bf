#!/usr/bin/env bash
# Repeatable import of the public code sets and fee schedules from the shared
# reference folder (default ../shared/data, see its README.md for every file's
# publisher, year and columns) into data/codes/.
#
#   scripts/import-codes.sh [SHARED_DATA_DIR]
#
# What it does, file by file (nothing else is changed):
#   * icd10cm-valid-FY20xx.txt  copied, sorted bytewise (LC_ALL=C) so the loader
#                               can binary-search without sorting at start-up.
#   * every other file          copied byte for byte.
# It then checks line counts against the figures in the shared README, so a
# changed source is noticed. The curated tables (data/codes/curated-*.tsv,
# rules.tsv, code-roles.tsv, …) are ours and are not touched.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$here/../shared/data}"
dst="$here/data/codes"
mkdir -p "$dst"

copy() { cp "$src/$1" "$dst/$1"; chmod 644 "$dst/$1"; }
for fy in 2026 2027; do
  LC_ALL=C sort -u "$src/icd10cm-valid-FY$fy.txt" > "$dst/icd10cm-valid-FY$fy.txt"
done
for f in icd10cm-FY2026-dorsopathies-M43-M54-desc.tsv icd10cm-changes-FY2027.tsv \
         hcpcs-level2-2025-from-pfs.tsv pos.tsv carc.tsv \
         pfs-rvu-2025.csv pfs-gpci-2025.csv pfs-anesthesia-cf-2025.csv \
         pfs-payment-oracle-2025-pfrev25c.csv pfs-locality-counties-2025.csv; do
  copy "$f"
done

check() {  # file expected-data-lines (excluding a header line when $3 = 1)
  local n; n=$(wc -l < "$dst/$1"); [[ "${3:-0}" == 1 ]] && n=$((n - 1))
  if [[ "$n" != "$2" ]]; then echo "import-codes: $1 has $n lines, expected $2" >&2; exit 1; fi
}
check icd10cm-valid-FY2026.txt 74719
check icd10cm-valid-FY2027.txt 74879
check pfs-rvu-2025.csv 19090 1
check pfs-gpci-2025.csv 109 1
check pfs-anesthesia-cf-2025.csv 109 1
echo "import-codes: data/codes updated from $src"
