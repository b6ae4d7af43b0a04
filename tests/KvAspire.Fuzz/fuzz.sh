#!/usr/bin/env bash
# Fuzzes one target with afl-fuzz + SharpFuzz for a given time, then keeps what it found:
#   tests/KvAspire.Fuzz/fuzz.sh <resp|peer|log> <minutes>
# Work (the instrumented build, afl-fuzz's findings and log) goes to $KVASPIRE_FUZZ_DIR/<target>
# (default /tmp/kvaspire-fuzz), outside the repo. Afterwards corpus/<target>/ holds the seeds plus the
# queue minimised with afl-cmin, and crashing or hanging inputs go to corpus/<target>/crashes/ and
# corpus/<target>/hangs/, each named after its content's hash. See README.md.
set -euo pipefail

target=${1:-}
minutes=${2:-}
case "$target" in resp|peer|log) ;; *) echo "usage: $0 <resp|peer|log> <minutes>" >&2; exit 2 ;; esac
[[ "$minutes" =~ ^[0-9]+$ ]] || { echo "usage: $0 <resp|peer|log> <minutes>" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${KVASPIRE_FUZZ_DIR:-/tmp/kvaspire-fuzz}/$target
corpus=$here/corpus/$target

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && apt-get install -y -qq afl++
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
(cd "$repo" && dotnet tool restore >/dev/null)

# A Release build of its own per target, so targets can run side by side and each is instrumented only
# where its code lives (less noise in afl-fuzz's coverage map).
rm -rf "$work/bin" "$work/in" "$work/findings" "$work/cmin"
mkdir -p "$work/in"
mkdir -p "$(dirname "$work")"
# Targets started side by side share the projects' obj/ folders: one build at a time.
flock "$(dirname "$work")/.build.lock" dotnet publish "$here/KvAspire.Fuzz.csproj" -c Release -o "$work/bin" -m:1 -nologo -v:q
case "$target" in
  resp) prefixes=(KvAspire.Node.Api.Resp) ;;
  peer) prefixes=(KvAspire.Node.Transport KvAspire.Node.Storage) ;;
  log)  prefixes=(KvAspire.Node.Storage KvAspire.Node.StateMachine) ;;
esac
(cd "$repo" && dotnet tool run sharpfuzz "$work/bin/KvAspire.Node.dll" "${prefixes[@]}")
if [ "$target" = peer ]; then
  (cd "$repo" && dotnet tool run sharpfuzz "$work/bin/Google.Protobuf.dll")
fi

# Every kept input, regressions included, seeds the run (afl-fuzz wants a flat directory).
find "$corpus" -type f -size +0 -exec cp {} "$work/in/" \;

dict=()
[ -f "$here/$target.dict" ] && dict=(-x "$here/$target.dict")

export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
run=(dotnet "$work/bin/KvAspire.Fuzz.dll" "$target")
echo "fuzzing $target for $minutes min; log: $work/afl.log"
afl-fuzz -i "$work/in" -o "$work/findings" -m none -t 5000 -V $((minutes * 60)) "${dict[@]}" -- "${run[@]}" \
  >"$work/afl.log" 2>&1 || { tail -40 "$work/afl.log" >&2; exit 1; }

stats=$work/findings/default/fuzzer_stats
grep -E '^(start_time|last_update|run_time|execs_done|execs_per_sec|corpus_count|corpus_found|saved_crashes|saved_hangs|stability|bitmap_cvg) ' "$stats"

# Keep what it found. The corpus becomes the seeds plus the queue minimised by afl-cmin (the queue began
# with the old corpus, so nothing still adding coverage is lost); crashes and hangs are added.
keep() { # keep <from-dir> <to-dir>: copy each afl-fuzz file in under its content's hash unless already kept
  mkdir -p "$2"
  local known added=0 f h
  known=$(find "$corpus" -type f -exec sha256sum {} + | cut -c1-16)
  for f in "$1"/id*; do
    [ -f "$f" ] || continue
    h=$(sha256sum "$f" | cut -c1-16)
    grep -qx "$h" <<<"$known" && continue
    install -m 644 "$f" "$2/$h"; known+=$'\n'$h; added=$((added + 1))
  done
  echo "kept $added inputs in ${2#"$repo"/}"
}
# afl-cmin refuses /tmp paths unless told, and wants the program by its full path.
cmin_run=("$(readlink -f "$(command -v dotnet)")" "${run[@]:1}")
cmin() { rm -rf "$work/cmin"; AFL_ALLOW_TMP=1 afl-cmin "$@" -i "$work/findings/default/queue" -o "$work/cmin" -m none -t 5000 -- "${cmin_run[@]}" >"$work/cmin.log" 2>&1; }
if cmin; then
  # One input per edge and hit count; past 300 files, one per edge (-e) keeps the replay test quick.
  if [ "$(find "$work/cmin" -type f | wc -l)" -gt 300 ] && ! cmin -e; then
    echo "afl-cmin -e failed (see $work/cmin.log)" >&2; exit 1
  fi
  find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' -delete
  keep "$work/cmin" "$corpus"
else
  echo "afl-cmin failed (see $work/cmin.log); adding the whole queue instead" >&2
  keep "$work/findings/default/queue" "$corpus"
fi
keep "$work/findings/default/crashes" "$corpus/crashes"
keep "$work/findings/default/hangs" "$corpus/hangs"
find "$corpus" -mindepth 1 -type d -empty -delete
# Scratch directories of fuzz processes afl-fuzz killed (see FuzzScratch.cs); live ones stay.
for scratch in /dev/shm/kvaspire-fuzz-* "${TMPDIR:-/tmp}"/kvaspire-fuzz-[0-9]*; do
  if [ -d "$scratch" ] && ! kill -0 "${scratch##*-}" 2>/dev/null; then rm -rf "$scratch"; fi
done
echo "corpus/$target: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes"
