#!/usr/bin/env bash
# Checks deploy/container/ without a container engine (none runs where
# iomhub is built and tested): the Dockerfile's steps are run here, on the
# same Debian 12, as far as they can be outside a container.
#   tests/container_check.sh SOURCE_DIR BUILD_DIR          (in make test)
#   tests/container_check.sh --full SOURCE_DIR             (make test-container)
# Default: the dependency step (deploy/install-deps.sh, as the Dockerfile
# runs it), the install step against BUILD_DIR, that every shared library
# the installed binaries load comes from a package the runtime stage
# installs and that each of those packages exists in the archive, that
# every file the Dockerfile and compose file name exists, and that the
# production config the image runs with parses. --full also runs the build
# stage's CMake commands themselves, from a fresh build directory.
set -euo pipefail
FULL=0
if [ "${1:-}" = "--full" ]; then FULL=1; shift; fi
SRC=$(cd "$1" && pwd)
DOCKERFILE="$SRC/deploy/container/Dockerfile"
COMPOSE="$SRC/deploy/container/compose.yaml"
PACKAGES="$SRC/deploy/container/runtime-packages.txt"
fail() { echo "container_check: FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. The dependency step is the deps script, and it runs (idempotently).
grep -q '^RUN bash deploy/install-deps.sh' "$DOCKERFILE" || fail "the build stage does not run deploy/install-deps.sh"
bash "$SRC/deploy/install-deps.sh" || fail "deploy/install-deps.sh failed"

# 2. The build stage's commands: its RUN cmake ... block, with the image's
# paths mapped to scratch directories.
steps=$(awk '/^RUN cmake /{on=1} on{print} on && !/\\$/{exit}' "$DOCKERFILE" | sed 's/^RUN //')
[ -n "$steps" ] || fail "no RUN cmake step in the Dockerfile"
if [ "$FULL" = 1 ]; then
  BUILD="$SRC/build-container-check"   # beside the other build dirs: ccache hits
  rm -rf "$BUILD"
  export CCACHE_BASEDIR="$SRC"
  mapped=${steps//\/build/$BUILD}
else
  BUILD=$(cd "$2" && pwd)
  # Configure and compile are what `make test` just did; install from it.
  mapped=$(printf '%s\n' "$steps" | grep -o 'cmake --install /build --prefix /opt/iomhub')
  mapped=${mapped//\/build/$BUILD}
fi
mapped=${mapped//\/opt\/iomhub/$WORK/opt}
(cd "$SRC" && bash -c "set -e; $mapped") > "$WORK/steps.log" 2>&1 || { tail -40 "$WORK/steps.log"; fail "the Dockerfile's build steps failed"; }
"$WORK/opt/bin/iomhubd" --version | grep -q '^iomhubd ' || fail "the installed iomhubd does not run"
[ "$FULL" = 1 ] && rm -rf "$BUILD"

# 3. Every shared library a binary names (its NEEDED entries; what those
# need in turn comes with their packages' dependencies) is found, and comes
# from a package the runtime stage installs; each of those packages exists.
wanted=$(grep -v '^#' "$PACKAGES" | sort -u)
for binary in "$WORK"/opt/bin/*; do
  if ldd "$binary" | grep -q 'not found'; then fail "$binary: $(ldd "$binary" | grep 'not found')"; fi
  for needed in $(readelf -d "$binary" | awk '/NEEDED/ {gsub(/[][]/, "", $5); print $5}'); do
    lib=$(ldd "$binary" | awk -v n="$needed" '$1 == n {print $3}')
    [ -n "$lib" ] || fail "$binary needs $needed, which ldd does not find"
    real=$(readlink -f "$lib")
    owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true)
    package=${owner%%:*}
    [ -n "$package" ] || fail "$lib ($binary) belongs to no Debian package"
    grep -qx "$package" <<<"$wanted" || fail "$lib ($binary) comes from $package, which runtime-packages.txt does not install"
  done
done
for package in $wanted; do
  dpkg-query -W "$package" > /dev/null 2>&1 || apt-cache show "$package" > /dev/null 2>&1 ||
    fail "runtime package $package is neither installed here nor in the archive"
done

# 4. What the Dockerfile copies and the compose file builds from exists.
for copied in $(awk '/^COPY / && !/--from=/ {for (i = 2; i < NF; i++) print $i}' "$DOCKERFILE"); do
  [ "$copied" = "." ] || [ -e "$SRC/$copied" ] || fail "the Dockerfile copies $copied, which does not exist"
done
grep -q 'dockerfile: deploy/container/Dockerfile' "$COMPOSE" || fail "compose.yaml does not build deploy/container/Dockerfile"
grep -q '/readyz' "$DOCKERFILE" || fail "the image has no health check on /readyz"
grep -q '^USER iomhub' "$DOCKERFILE" || fail "the image does not drop root"

# 5. The production config the image runs with parses: --verify gets past
# the config to the (absent) data directory.
out=$("$WORK/opt/bin/iomhubd" --config="$SRC/deploy/production/hub.textproto" --data_dir="$WORK/none" --verify 2>&1 || true)
grep -q 'no iomhub data directory' <<<"$out" || fail "deploy/production/hub.textproto: $out"

echo "container_check: OK ($( [ "$FULL" = 1 ] && echo "full build, " )$(wc -w <<<"$wanted") runtime packages cover every library)"
