"""A bot's sources for one run: its Prometheus and host behind their gates, and its health
probe. Asking for a source whose gate failed raises the SourceError its criteria report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from burnin.gate import SourceGate, unconfigured

if TYPE_CHECKING:  # the probes' modules are imported by whoever makes the probes
    from burnin.probes.health import HealthProbe
    from burnin.probes.prometheus import PrometheusProbe
    from burnin.probes.ssh import SshProbe
    from burnin.promql import FleetMember


@dataclass(frozen=True)
class Sources:
    """The run's probes behind their gates: asking for one raises the SourceError its source's
    criteria report (remembered by the gate: a dead source costs one timeout)."""

    prometheus_gate: SourceGate[PrometheusProbe]
    ssh_gate: SourceGate[SshProbe]
    health_probe: HealthProbe | None  # None: no health_url configured
    member: FleetMember | None = None  # a bot of a fleet asked about together

    @property
    def prometheus(self) -> PrometheusProbe:
        from burnin.probes.prometheus import FleetView

        probe = self.prometheus_gate.require()
        return FleetView(probe, self.member) if self.member else probe  # type: ignore[return-value]

    @property
    def ssh(self) -> SshProbe:
        return self.ssh_gate.require()

    @property
    def health(self) -> HealthProbe:
        if self.health_probe is None:
            raise unconfigured("health", "health_url")
        return self.health_probe
