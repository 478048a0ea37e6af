#!/usr/bin/env bash
# Refresh the vendored front-end files under static/vendor/ from the npm registry (released dist files only,
# no build step, no CDN at run time). Versions are pinned here; change one, run this, commit the result.
#   bash scripts/vendor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
# name version license files-to-take (paths inside the package)
PACKAGES=(
  "bootstrap 5.3.9 MIT dist/css/bootstrap.min.css dist/js/bootstrap.bundle.min.js"
  "htmx.org 2.0.11 BSD-0-Clause dist/htmx.min.js"
  "echarts 6.1.0 Apache-2.0 dist/echarts.common.min.js"
)
out=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
{
  echo "# Vendored front-end files: refreshed by scripts/vendor.sh from $REGISTRY"
  echo "# package version license sha256-of-tarball"
} > "$tmp/VERSIONS"
for line in "${PACKAGES[@]}"; do
  read -r name version license files <<<"$line"
  dir="$out/${name%%.org}"
  tarball="$tmp/$name.tgz"
  curl -fsSL "$REGISTRY/$name/-/$name-$version.tgz" -o "$tarball"
  mkdir -p "$tmp/$name" "$dir"
  tar -xzf "$tarball" -C "$tmp/$name"
  for f in $files; do cp "$tmp/$name/package/$f" "$dir/"; done
  cp "$tmp/$name/package/LICENSE"* "$dir/" 2>/dev/null || true
  echo "$name $version $license $(sha256sum "$tarball" | cut -d' ' -f1)" >> "$tmp/VERSIONS"
  echo "==> $name $version -> $dir"
done
cp "$tmp/VERSIONS" "$out/VERSIONS"
