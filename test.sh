#!/usr/bin/env bash
# Runs every test of ChatApp: the README's test command, and what CI runs.
# Installs what the tests need that NuGet and npm do not bring: Debian's Chromium for the browser tests,
# Debian's PostgreSQL for the tests that run the server on it.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium from Debian for the browser tests..."
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
  fi
fi

# PostgreSQL, for the tests that run on it (scripts/postgres.sh would install it too, but not silently mid-run).
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian for the PostgreSQL tests..."
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq postgresql >/dev/null
  fi
fi

# dotnet-ef and any other local tool (.config/dotnet-tools.json); cheap when they are already there.
dotnet tool restore >/dev/null

dotnet test ChatApp.sln --nologo "$@"
