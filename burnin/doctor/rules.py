"""The alerting rules the target expects, each loaded in Prometheus and evaluating cleanly, or
the loaded rule closest to it and the `alert_rules` line to write."""

from __future__ import annotations

from burnin.config import Target
from burnin.doctor.checks import Check
from burnin.doctor.names import closest
from burnin.probes.prometheus import PrometheusProbe


def planned_rules(target: Target) -> list[str]:
    return [f"alert rule {name}" for name in target.settings.alert_rules]


def check_rules(prometheus: PrometheusProbe, target: Target) -> list[Check]:
    rules = prometheus.alerting_rules()
    by_name = {r.name: r for r in rules}
    # The line to write: each expected rule, or the loaded rule closest to it.
    mapped: list[str] = []
    for name in target.settings.alert_rules:
        near = [name] if name in by_name else closest(name, by_name, 1)
        mapped.extend(n for n in near if n not in mapped)
    fix = "alert_rules = [" + ", ".join(f'"{n}"' for n in mapped) + "]"
    checks = []
    for name in target.settings.alert_rules:
        rule = by_name.get(name)
        if rule is None:
            near = closest(name, by_name)
            loaded = ", ".join(sorted(by_name)) or "none"
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"not loaded in Prometheus; closest: {', '.join(near) or 'none'} "
                    f"(loaded: {loaded})",
                    fix,
                )
            )
        elif not rule.healthy:
            checks.append(
                Check(
                    False,
                    f"alert rule {name}",
                    f"loaded but not evaluating cleanly: {rule.health} {rule.last_error}",
                )
            )
        else:
            severity = rule.severity or "no severity label"
            checks.append(Check(True, f"alert rule {name}", f"loaded, evaluating ({severity})"))
    return checks
