"""A fleet in targets.toml: `instances` and `{instance}` in the other settings. Each bot's
settings are checked before the first test; a mistake names the file, the key and the bot."""

from __future__ import annotations

from pathlib import Path

import certifi
import pytest

from burnin.config import Target, load_target
from burnin.errors import ConfigError
from burnin.run import RunSettings, now
from tests.unit.test_config_deployment import refused, write

FLEET = """
default = "fleet"

[targets.fleet]
instances = ["bot-1", "bot-2", "10.0.0.7:8000"]
health_url = "http://{instance}/api/health"
ssh_host = "lab-bot"
unit = "rosey-bot@{instance}"
selector = 'env="prod", instance="{instance}"'
"""


def fleet(tmp_path: Path, text: str = FLEET, **cli: object) -> Target:
    return load_target(write(tmp_path, text), cli, {})


def test_each_bot_has_its_instance_filled_in_and_its_name(tmp_path):
    bots = fleet(tmp_path, FLEET.replace('"10.0.0.7:8000"', '"bot-3"')).bots()
    assert [b.label for b in bots] == ["bot-1", "bot-2", "bot-3"]
    assert bots[1]["health_url"] == "http://bot-2/api/health"
    assert bots[1]["unit"] == "rosey-bot@bot-2"
    assert bots[2]["selector"] == 'env="prod", instance="bot-3"'
    assert bots[0]["ssh_host"] == "lab-bot"  # a setting without {instance}: the fleet's


def test_a_target_of_one_bot_is_its_own_bot(tmp_path):
    target = fleet(tmp_path, FLEET.replace("instances = [", "# ").replace("{instance}", "b"))
    assert target.bots() == (target,)
    assert target.label == "fleet"


def test_instances_come_from_the_command_line_too(tmp_path):
    target = fleet(tmp_path, FLEET, instances="bot-7, bot-8")
    assert [b.label for b in target.bots()] == ["bot-7", "bot-8"]


def test_the_run_of_each_bot_and_of_the_fleet(tmp_path):
    run = RunSettings(None, fleet(tmp_path), None, now())  # type: ignore[arg-type]
    assert [r.target.label for r in run.bots] == ["bot-1", "bot-2", "10.0.0.7:8000"]
    assert (
        run.bot("bot-2").metrics.series("bot_connected")
        == 'bot_connected{env="prod",instance="bot-2"}'
    )
    assert run.bot("fleet") is run  # its fleet-wide criteria
    with pytest.raises(KeyError):
        run.bot("bot-9")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("instances = [", 'instances = ["bot 1", '), "'bot 1' is not an instance name"),
        (("instances = [", 'instances = ["$(id)", '), "'$(id)' is not an instance name"),
        (("instances = [", 'instances = ["bot-2", '), "bot-2 listed twice"),
        (("instances = [", 'instances = ["fleet", '), "'fleet' is the target's own name"),
        (("instances = [", "# "), "uses {instance} but the target lists no instances"),
        (
            ('ssh_host = "lab-bot"', 'ssh_host = "lab-bot"\ndeployed_at = "{instance}"'),
            "{instance} cannot be used in deployed_at: it holds for the whole fleet",
        ),
    ],
)
def test_a_fleet_mistake_names_the_key(tmp_path, change, expected):
    message = refused(tmp_path, FLEET.replace(*change))
    assert expected in message
    assert "targets.toml" in message


def test_a_bot_whose_filled_in_setting_is_wrong_is_named(tmp_path):
    text = FLEET.replace('unit = "rosey-bot@{instance}"', 'unit = "{instance}"')
    message = refused(tmp_path, text.replace('"10.0.0.7:8000"', '"-x"'))
    assert "is not an instance name" in message or "(for instance -x)" in message
    text = FLEET.replace(
        'selector = \'env="prod", instance="{instance}"\'', "selector = '{instance}'"
    )
    message = refused(tmp_path, text)
    assert "selector" in message and "(for instance bot-1)" in message


def test_a_fleet_with_a_bad_instance_name_in_a_url_is_refused_before_any_test(tmp_path):
    with pytest.raises(ConfigError, match="instances"):
        fleet(tmp_path, FLEET, instances="bot-1,bot/2")


def test_doctor_says_whether_the_selector_tells_the_fleet_s_bots_apart(tmp_path):
    from burnin.doctor import check_fleet

    (apart,) = check_fleet(fleet(tmp_path))
    assert apart.ok and apart.detail == "3 bots, told apart by the selector"
    same = fleet(tmp_path, FLEET.replace(', instance="{instance}"', ""))
    (together,) = check_fleet(same)
    assert not together.ok
    assert "does not tell the 3 bots apart" in together.detail
    assert 'instance="{instance}"' in together.fix
    one = fleet(tmp_path, FLEET.replace("instances = [", "# ").replace("{instance}", "b"))
    assert check_fleet(one) == []


def test_a_fleet_s_shared_access_is_checked_once_and_each_bot_s_own_apiece(tmp_path, monkeypatch):
    """Loading a CA bundle costs ~15 ms: a 100-bot fleet sharing one access loads it once per
    source, not once per bot; an access of the bot's own (its {instance} in a path) is still
    checked for each bot, and its mistake names the bot."""
    import burnin.config.access as access

    checked: list[access.HttpAccess] = []
    real = access.check_access

    def counting(one: access.HttpAccess, tls: bool = True) -> str:
        checked.append(one)
        return real(one, tls=tls)

    monkeypatch.setattr(access, "check_access", counting)
    fleet(tmp_path, FLEET + 'prometheus_url = "http://prom:9090"\n')
    assert sorted(a.source for a in checked) == ["health", "prometheus"]

    checked.clear()
    own = FLEET.replace('"10.0.0.7:8000"', '"bot-3"') + 'health_ca_file = "{instance}.pem"\n'
    for bot in ("bot-1", "bot-2", "bot-3"):
        (tmp_path / f"{bot}.pem").write_bytes(Path(certifi.where()).read_bytes())
    fleet(tmp_path, own)
    assert sorted(a.ca_file.name for a in checked if a.ca_file) == [
        "bot-1.pem",
        "bot-2.pem",
        "bot-3.pem",
    ]
    (tmp_path / "bot-1.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError, match=r"not a usable PEM.*\(for instance bot-1\)"):
        fleet(tmp_path, own)
    (tmp_path / "bot-1.pem").unlink()
    with pytest.raises(ConfigError, match=r"health_ca_file.*cannot read.*bot-1\.pem"):
        fleet(tmp_path, own)
