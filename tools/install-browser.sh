#!/usr/bin/env bash
# Make a Chromium available to the browser tests: Debian's package where possible
# (Playwright's browser download is not reachable everywhere), else Playwright's own.
set -euo pipefail
PY=${PY:-.venv/bin/python}
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -x "$candidate" ]; then echo "Browser: $candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }; then
    echo "Browser: /usr/bin/chromium (installed from Debian)"; exit 0
  fi
fi
echo "No system Chromium: installing Playwright's own browser."
"$PY" -m playwright install chromium
