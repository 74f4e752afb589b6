#!/usr/bin/env bash
# The packed package as a user gets it: an AWS-only CDK app and a cdktf-only app, each in an empty project that
# installs the tarball with the peers of its own cloud only (pinned to the versions this package is built and tested
# with), then synthesizes and checks its output (aws-app.js, cdktf-app.js). Peers are resolved as npm resolves them for
# a user (no --legacy-peer-deps), so a peer that is not optional would be installed and fail the "absent" checks.
# --prefer-offline: the packages come from the npm cache that `npm ci` has just filled (every pinned peer is in
# package-lock.json), the registry is asked only for what the cache lacks.
# Usage: .ci/smoke/run.sh [path/to/cloud-kms-constructs-*.tgz]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tarball="${1:-$(ls "$root"/dist/js/*.tgz | head -n 1)}"
[ -f "$tarball" ] || { echo "error: no packed tarball (npx projen package:js makes dist/js/*.tgz)" >&2; exit 1; }

pin() { node -p "require('$root/package.json').devDependencies['$1'] ?? ''"; }
cdk_version="$(pin aws-cdk-lib)"; constructs_version="$(pin constructs)"; cdktf_version="$(pin cdktf)"
azurerm_version="$(pin @cdktf/provider-azurerm)"; google_version="$(pin @cdktf/provider-google)"
for v in "$cdk_version" "$constructs_version" "$cdktf_version" "$azurerm_version" "$google_version"; do
  [ -n "$v" ] || { echo "error: a peer's pinned dev dependency is missing from package.json" >&2; exit 1; }
done

start=$(date +%s)
work="$(mktemp -d)"
tf_install=
trap '[ -n "$tf_install" ] && kill "$tf_install" 2>/dev/null; rm -rf "$work"' EXIT

# install <dir> <label> <package>...: an empty project with exactly these packages; prints the time and the size.
install() {
  local dir="$1" label="$2"; shift 2
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null)
  local t0; t0=$(date +%s%N)
  (cd "$dir" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@" >/dev/null)
  echo "$label: npm install took $(( ($(date +%s%N) - t0) / 1000000 )) ms, node_modules is $(du -sm "$dir/node_modules" | cut -f1) MiB"
}

# absent <dir> <name>...: no package of these names anywhere in the project's node_modules (nested copies included).
absent() {
  local dir="$1"; shift
  local name found
  for name in "$@"; do
    found="$(find "$dir/node_modules" -path "*/node_modules/$name" -prune -print | head -n 3)"
    if [ -n "$found" ]; then
      echo "error: $name was installed although this app does not use it:" >&2
      echo "$found" >&2
      exit 1
    fi
  done
}

aws="$work/aws-app"
tf="$work/cdktf-app"
# The two installs are mostly unpacking (a few hundred MiB each): on two cores they overlap well.
install "$tf" "cdktf-only app" "$tarball" "cdktf@$cdktf_version" "@cdktf/provider-azurerm@$azurerm_version" \
  "@cdktf/provider-google@$google_version" "constructs@$constructs_version" &
tf_install=$!
install "$aws" "AWS-only app" "$tarball" "aws-cdk-lib@$cdk_version" "constructs@$constructs_version"
wait "$tf_install" || { echo "error: the cdktf-only app's install failed" >&2; exit 1; }
tf_install=

absent "$aws" cdktf @cdktf
cp "$here/aws-app.js" "$aws/"
(cd "$aws" && node aws-app.js cdk.out)

absent "$tf" aws-cdk-lib
cp "$here/cdktf-app.js" "$tf/"
(cd "$tf" && node cdktf-app.js cdktf.out)

# The cloud-kms CLI from the same install: it needs no aws-cdk-lib (absent here) and loads only the SDK a command uses.
(cd "$tf" && npx --no-install cloud-kms --help >/dev/null && npx --no-install cloud-kms byok >/dev/null \
  && npx --no-install cloud-kms byok wrap --help >/dev/null && npx --no-install cloud-kms byok azure import --help >/dev/null \
  && npx --no-install cloud-kms byok gcp import --help >/dev/null && npx --no-install cloud-kms check --help >/dev/null)
echo "packed cloud-kms CLI runs in the cdktf-only app (no aws-cdk-lib installed)"

echo "packed package works in an AWS-only CDK app and a cdktf-only app ($(( $(date +%s) - start )) s)"
