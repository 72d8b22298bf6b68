#!/usr/bin/env bash
# Runs every test of ChatApp: the README's test command, and what CI runs.
# Installs what the tests need that NuGet and npm do not bring: Debian's Chromium for the browser tests.
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

# dotnet-ef and any other local tool (.config/dotnet-tools.json); cheap when they are already there.
dotnet tool restore >/dev/null

dotnet test ChatApp.sln --nologo "$@"
