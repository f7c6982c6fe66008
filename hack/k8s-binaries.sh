#!/usr/bin/env bash
# Obtain the pinned control-plane binaries (etcd, kube-apiserver, kube-controller-manager,
# kubectl, helm) and print the directory that holds them.
#
# Order:
#   1. $STRATUS_K8S_BIN_DIR, if set: a directory of binaries you provide (for example the
#      official release binaries). Used as is; nothing is built or cached.
#   2. The cache: ${STRATUS_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/stratus}/k8s/<key>/
#   3. A build from the Go module proxy into a temporary directory next to the cache entry,
#      renamed into place only when every binary is built, so an interrupted build never
#      leaves a broken cache. Concurrent callers wait on a lock instead of building twice.
#
# Progress goes to stderr; the only thing on stdout is the directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

binaries=(etcd kube-apiserver kube-controller-manager kubectl helm)
log() { printf '[k8s-binaries] %s\n' "$*" >&2; }

check_dir() {
  local dir=$1 missing=()
  for b in "${binaries[@]}"; do [ -x "$dir/$b" ] || missing+=("$b"); done
  if [ ${#missing[@]} -gt 0 ]; then
    printf '%s\n' "${missing[*]}"
    return 1
  fi
}

if [ -n "${STRATUS_K8S_BIN_DIR:-}" ]; then
  if ! missing=$(check_dir "$STRATUS_K8S_BIN_DIR"); then
    log "STRATUS_K8S_BIN_DIR=$STRATUS_K8S_BIN_DIR lacks: $missing"
    exit 1
  fi
  echo "$STRATUS_K8S_BIN_DIR"
  exit 0
fi

cache_root=${STRATUS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stratus}/k8s
key="kubernetes-${K8S_VERSION}_etcd-${ETCD_VERSION}_helm-${HELM_VERSION}"
final="$cache_root/$key"

if check_dir "$final" >/dev/null; then
  echo "$final"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
log "waiting for the build lock ($cache_root/.build.lock)"
flock 9
# Someone else may have finished the build while we waited.
if check_dir "$final" >/dev/null; then
  echo "$final"
  exit 0
fi

command -v go >/dev/null || { log "go is not installed: install Go >= 1.26 or set STRATUS_K8S_BIN_DIR"; exit 1; }

tmp=$(mktemp -d "$cache_root/.build-$key.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
started=$(date +%s)
log "cold build of $key into $tmp (10-30 minutes on 2 cores; later runs reuse the cache)"

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
work="$tmp/src"
mkdir -p "$work" "$tmp/bin"

# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local paths.
# Read that list from the pinned release's own go.mod and point each at its published twin.
log "reading the staging module list of k8s.io/kubernetes@$K8S_VERSION"
(cd "$work" && go mod init stratus.dev/k8s-binaries >/dev/null 2>&1)
k8s_gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
[ -f "$k8s_gomod" ] || { log "could not download k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
staging_minor="v0.${K8S_VERSION#v1.}"
mapfile -t staging < <(awk '/=>/ && $1 ~ /^k8s\.io\// {print $1}' "$k8s_gomod" | sort -u)
log "${#staging[@]} staging modules -> $staging_minor"

{
  echo "module stratus.dev/k8s-binaries"
  echo
  echo "go 1.26.0"
  echo
  echo "require ("
  echo "	k8s.io/kubernetes $K8S_VERSION"
  echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  echo ")"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	$m => $m $staging_minor"; done
  echo ")"
} >"$work/go.mod"
cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

log "resolving modules (go mod tidy)"
(cd "$work" && go mod tidy -e) >&2

major=${K8S_VERSION#v}; major=${major%%.*}
minor=${K8S_VERSION#v*.}; minor=${minor%%.*}
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ver_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ver_flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ver_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

build() { # name package [ldflags]
  local name=$1 pkg=$2 ldflags=${3:-}
  local t0; t0=$(date +%s)
  log "building $name ($pkg)"
  (cd "$work" && go build -trimpath -tags selinux,notest -ldflags "-s -w $ldflags" -o "$tmp/bin/$name" "$pkg") >&2
  log "built $name in $(( $(date +%s) - t0 ))s"
}

build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ver_flags"
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$ver_flags"
build kubectl k8s.io/kubernetes/cmd/kubectl "$ver_flags"

# Helm has no replace directives, so it installs straight from the proxy. Without these
# flags `helm template` assumes Kubernetes 1.20.
helm_flags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  helm_flags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
done
t0=$(date +%s)
log "building helm $HELM_VERSION"
GOBIN="$tmp/bin" go install -trimpath -ldflags "-s -w $helm_flags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
log "built helm in $(( $(date +%s) - t0 ))s"

check_dir "$tmp/bin" >/dev/null || { log "build incomplete"; exit 1; }
printf 'K8S_VERSION=%s\nETCD_VERSION=%s\nHELM_VERSION=%s\nBUILT=%s\nBUILD_SECONDS=%s\n' \
  "$K8S_VERSION" "$ETCD_VERSION" "$HELM_VERSION" "$build_date" "$(( $(date +%s) - started ))" >"$tmp/bin/VERSIONS"
# Atomic: a rename within one filesystem. The staging source stays behind only until trap.
mv "$tmp/bin" "$final"
log "cached in $final after $(( $(date +%s) - started ))s ($(du -sh "$final" | cut -f1))"
echo "$final"
