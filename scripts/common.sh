# Shared by scripts/serve and scripts/test: a Python 3.11+ virtual environment in .venv.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # Install Debian packages only when some are missing, so a ready machine never asks for root.
  [ "$#" -gt 0 ] || return 0
  echo "Installing Debian packages: $*" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

ensure_venv() {
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "voice-reader needs Python 3.11 or newer as python3." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
}
