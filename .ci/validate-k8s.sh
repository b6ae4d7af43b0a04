#!/usr/bin/env bash
# Renders the Kubernetes manifests (base and every overlay) with `kubectl kustomize` and validates
# every object offline against the Kubernetes schemas (npm kubernetes-models@4 + js-yaml).
# The semantic checks (selectors, ports, probes, configuration keys, peers, PDB) are the xunit
# tests in tests/KvAspire.Deploy.Tests, which `dotnet test` runs.
# Needs: kubectl (client; no cluster), Node.js 20+ and npm (the npm registry for `npm ci`).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in kubectl node npm; do
  command -v "$tool" >/dev/null || { echo "validate-k8s: '$tool' not found" >&2; exit 1; }
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

(cd .ci/k8s-validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

targets=(deploy/kubernetes)
for overlay in deploy/kubernetes/overlays/*/; do
  targets+=("${overlay%/}")
done

files=()
for target in "${targets[@]}"; do
  file="$out/$(echo "$target" | tr '/' '_').yaml"
  kubectl kustomize "$target" > "$file"
  echo "validate-k8s: rendered $target ($(grep -c '^kind:' "$file") objects)"
  files+=("$file")
done

node .ci/k8s-validate/validate.js "${files[@]}"
