# Sourced by the scripts: finds a Python >= 3.12 and uv, and syncs the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export UV_PYTHON_DOWNLOADS=never

python_ok() {  # is "$1" a Python >= 3.12?
  [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null
}

find_python() {
  if [ -n "${UV_PYTHON:-}" ] && python_ok "$UV_PYTHON"; then echo "$UV_PYTHON"; return; fi
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    # Newest first; pyenv's shims are not usable by uv, the interpreters themselves are.
    while IFS= read -r dir; do candidates+=("$dir/bin/python3"); done \
      < <(ls -d "$(pyenv root)"/versions/3.1[2-9]* 2>/dev/null | sort -rV)
  fi
  for name in python3.14 python3.13 python3.12 python3; do
    command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
  done
  for candidate in "${candidates[@]}"; do
    if python_ok "$candidate"; then echo "$candidate"; return; fi
  done
  echo "Keiretsu needs Python 3.12 or newer; none was found." >&2
  exit 1
}

UV_PYTHON="$(find_python)"
export UV_PYTHON

if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
  UV="$(command -v uv)"
elif [ -x .tools/bin/uv ]; then
  UV="$PWD/.tools/bin/uv"
else
  echo "Installing uv into .tools/ ..." >&2
  "$UV_PYTHON" -m venv .tools
  .tools/bin/pip install --quiet uv
  UV="$PWD/.tools/bin/uv"
fi
export UV

"$UV" sync --locked --quiet
