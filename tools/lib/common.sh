# Shared by tools/run and tools/test: install what is missing, configure and build.
# Sourced, not executed.

LARDER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian packages Larder builds and tests with (DESIGN.md: Debian packages only).
LARDER_BUILD_PACKAGES="cmake ninja-build g++ pkg-config libuv1-dev libxxhash-dev libjemalloc-dev libcli11-dev libfmt-dev liblua5.1-0-dev"
LARDER_TEST_PACKAGES="catch2 libhiredis-dev redis-tools redis-server python3-redis clang libclang-rt-14-dev"
# What bench/compare needs beyond the test packages (the PNG chart).
LARDER_BENCH_PACKAGES="gnuplot-nox"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the given Debian packages if any is missing (apt-get; sudo when not root).
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds a CMake preset (release, debug, asan, tsan).
build_preset() {
  local preset="$1"
  log "Building preset '$preset'"
  cmake --preset "$preset" -S "$LARDER_ROOT" >/dev/null
  cmake --build "$LARDER_ROOT/build/$preset" -j "$(nproc)"
}
