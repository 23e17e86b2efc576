#!/bin/bash
# check-production.sh from the spec (Hour 1-4), pointed at the sandbox production: the
# baseline ci/bench compares `pytest -m smoke` with. Addresses come from the environment.
# Unlike the spec's copy it asks systemctl and journalctl without sudo (the sandbox user is root).
PROD_HOST="${PROD_HOST:-127.0.0.1}"
HEALTH_PORT="${HEALTH_PORT:-18000}"
SSH_PORT="${SSH_PORT:-12222}"
SSH_KEY="${SSH_KEY:-.sandbox/ssh/id_ed25519}"
KNOWN_HOSTS="${KNOWN_HOSTS:-.sandbox/ssh/known_hosts}"
ssh_host() {
  ssh -i "$SSH_KEY" -p "$SSH_PORT" -o UserKnownHostsFile="$KNOWN_HOSTS" -o BatchMode=yes \
    "root@$PROD_HOST" "$@"
}

echo "=== Production Health Check ==="
echo "Time: $(date)"

# Health endpoint
echo "Health endpoint:"
curl -s "http://$PROD_HOST:$HEALTH_PORT/api/health" | jq -r '"Status: \(.status), Connected: \(.connected), Errors: \(.error_count)"'

# Service status
echo "Service status:"
ssh_host "systemctl is-active rosey-bot"

# Recent errors
echo "Recent errors:"
ssh_host "journalctl -u rosey-bot --since '15 minutes ago' | grep -i error | wc -l"

echo ""
