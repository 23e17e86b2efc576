"""Fixed ports and the on-disk layout of the sandbox production.

Everything lives under <repo>/.sandbox so that a CI clone anywhere (even under /tmp) is
self-contained and `down` can remove what `up` made without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
BOT_PORT = 18000
DASHBOARD_PORT = 15000
PROMETHEUS_PORT = 19090
ALERTMANAGER_PORT = 19093
SSH_PORT = 12222
# The same sshd, whose logins' shell start-up takes SLOW_LOGIN_S (configs.SLOW_LOGIN_S): a host
# whose .bashrc loads version managers for every non-interactive SSH command.
SLOW_SSH_PORT = 12224
# Nothing listens here: the remote read store of a Prometheus whose store is down.
REMOTE_READ_PORT = 19098
# The front (`up --front`): TLS, mTLS and bearer-token servers in front of the ones above.
FRONT_PROMETHEUS_PORT = 19443  # the second Prometheus: TLS + basic auth + route prefix
FRONT_HEALTH_TLS_PORT = 19444  # nginx: HTTPS to the bot
FRONT_HEALTH_MTLS_PORT = 19445  # nginx: HTTPS to the bot, client certificate required
FRONT_BEARER_PORT = 19446  # nginx: bearer token, /prom/ and /alertmanager/ prefixes

# Labels shared by the backfilled history and the live scrape: identical labels make the live
# samples continue the backfilled series instead of starting new ones.
JOB = "rosey-bot"
INSTANCE = f"{HOST}:{BOT_PORT}"
ENV = "production"
UNIT = "rosey-bot.service"

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
MACHINE_ID_FILE = Path("/etc/machine-id")


@dataclass(frozen=True)
class Layout:
    """Paths under one state directory (default <repo>/.sandbox)."""

    root: Path

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "lock"

    @property
    def ssh(self) -> Path:
        return self.root / "ssh"

    @property
    def client_key(self) -> Path:
        return self.ssh / "id_ed25519"

    @property
    def host_key(self) -> Path:
        return self.ssh / "ssh_host_ed25519_key"

    @property
    def known_hosts(self) -> Path:
        return self.ssh / "known_hosts"

    @property
    def sshd_config(self) -> Path:
        return self.ssh / "sshd_config"

    @property
    def slow_login(self) -> Path:
        """The shell start-up file of SLOW_SSH_PORT's logins (bash's BASH_ENV)."""
        return self.ssh / "slow-login.sh"

    @property
    def slow_login_sessions(self) -> Path:
        """One line per shell started by a SLOW_SSH_PORT login: a session's count."""
        return self.ssh / "slow-login.sessions"

    @property
    def journal(self) -> Path:
        return self.root / "journal"

    @property
    def prometheus_data(self) -> Path:
        return self.root / "prometheus"

    @property
    def alertmanager_data(self) -> Path:
        return self.root / "alertmanager"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def units(self) -> Path:
        return self.root / "units"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def bot_config(self) -> Path:
        return self.root / "bot.json"

    @property
    def bot_run_marker(self) -> Path:
        # Present once the live bot has started: a later start is a genuine restart.
        return self.root / "bot-started"


def default_layout() -> Layout:
    return Layout(REPO / ".sandbox")


def machine_id() -> str:
    return MACHINE_ID_FILE.read_text().strip()
