"""sign-off: reading the team's record of the manual items, and judging it (unrecorded is
pending, never a pass)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from burnin.bands import Band
from burnin.criteria.signoff import EXAMPLE, ITEMS, SignOff, judge_signoff, read_signoff

TEAM_YES = '[team-confident]\nwho = "Ana"\nwhen = 2026-11-29T09:00:00+00:00\nanswer = "yes"\n'
USERS_YES = '[user-feedback]\nwho = "Ben"\nwhen = "after the weekly call"\nanswer = "yes"\n'


def record(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "signoff.toml"
    path.write_text(text)
    return path


# ---------------------------------------------------------------- read_signoff


def test_missing_file_is_no_records_and_no_problem(tmp_path):
    assert read_signoff(tmp_path / "absent.toml") == ({}, "")


def test_no_configured_file_is_no_records_and_no_problem():
    assert read_signoff(None) == ({}, "")


def test_both_items_are_read_with_the_time_as_iso_text(tmp_path):
    records, problem = read_signoff(record(tmp_path, TEAM_YES + USERS_YES))
    assert problem == ""
    assert records == {
        "team-confident": SignOff("team-confident", "Ana", "2026-11-29T09:00:00+00:00", "yes"),
        "user-feedback": SignOff("user-feedback", "Ben", "after the weekly call", "yes"),
    }


@pytest.mark.parametrize(("written", "read"), [("YES", "yes"), ("No", "no"), ("N/A", "n/a")])
def test_answers_are_read_case_insensitively(tmp_path, written, read):
    records, problem = read_signoff(
        record(tmp_path, f'[team-confident]\nwho = "Ana"\nanswer = "{written}"\n')
    )
    assert problem == ""
    assert records["team-confident"].answer == read
    assert records["team-confident"].when == ""


def test_the_documented_example_reads_well(tmp_path):
    records, problem = read_signoff(record(tmp_path, EXAMPLE))
    assert problem == ""
    assert records["team-confident"].who == "Ana"


def test_malformed_toml_is_a_problem_naming_the_file(tmp_path):
    path = record(tmp_path, '[team-confident\nwho = "Ana"\n')
    records, problem = read_signoff(path)
    assert records == {}
    assert problem.startswith(f"{path}: cannot read: ")


def test_a_directory_instead_of_a_file_is_a_problem(tmp_path):
    records, problem = read_signoff(tmp_path)
    assert records == {}
    assert problem.startswith(f"{tmp_path}: cannot read: ")


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path):
    path = tmp_path / "signoff.toml"
    path.write_bytes('[team-confident]\nwho = "Jos\u00e9"\nanswer = "yes"\n'.encode("latin-1"))
    records, problem = read_signoff(path)
    assert records == {}
    assert problem.startswith(f"{path}: cannot read: ")


def test_unknown_item_is_a_problem_listing_the_known_ones(tmp_path):
    path = record(tmp_path, TEAM_YES + '[team-happy]\nwho = "Ana"\nanswer = "yes"\n')
    records, problem = read_signoff(path)
    assert records == {}
    assert (
        problem
        == f"{path}: unknown item 'team-happy'; expected one of team-confident, user-feedback"
    )


def test_known_item_that_is_not_a_table_is_not_called_unknown(tmp_path):
    _, problem = read_signoff(record(tmp_path, 'team-confident = "yes"\n'))
    assert problem != ""
    assert "unknown item" not in problem


@pytest.mark.parametrize(
    "table",
    [
        'who = "Ana"\n',  # no answer
        'answer = "yes"\n',  # no who
        'who = ""\nanswer = "yes"\n',  # empty who
        'who = "Ana"\nanswer = "maybe"\n',
        'who = "Ana"\nanswer = true\n',  # a TOML boolean is not "yes"
    ],
)
def test_item_without_who_or_a_valid_answer_is_a_problem(tmp_path, table):
    path = record(tmp_path, "[user-feedback]\n" + table)
    records, problem = read_signoff(path)
    assert records == {}
    assert problem == f'{path}: [user-feedback] needs who and answer = "yes", "no" or "n/a"'


def test_one_bad_item_discards_the_good_ones(tmp_path):
    records, problem = read_signoff(record(tmp_path, TEAM_YES + "[user-feedback]\nwho = 'Ben'\n"))
    assert records == {}
    assert problem != ""


# ---------------------------------------------------------------- judge_signoff


def judged(tmp_path: Path, text: str | None):
    path = tmp_path / "signoff.toml"
    if text is not None:
        path.write_text(text)
    records, problem = read_signoff(path)
    return judge_signoff(records, problem, path), path


def test_both_items_recorded_yes_is_target(tmp_path):
    verdict, path = judged(tmp_path, TEAM_YES + USERS_YES)
    assert verdict.band is Band.TARGET
    assert verdict.observed == (
        "team-confident=yes (Ana, 2026-11-29T09:00:00+00:00), "
        "user-feedback=yes (Ben, after the weekly call)"
    )
    assert verdict.evidence[0].query == str(path)
    assert verdict.evidence[0].values["team-confident"]["who"] == "Ana"
    assert verdict.threshold == "; ".join(f"{text}: recorded yes" for text in ITEMS.values())


def test_user_feedback_not_applicable_still_passes(tmp_path):
    verdict, _ = judged(tmp_path, TEAM_YES + USERS_YES.replace('"yes"', '"n/a"'))
    assert verdict.band is Band.TARGET


def test_one_item_missing_is_pending_with_how_to_record_it(tmp_path):
    verdict, path = judged(tmp_path, TEAM_YES)
    assert verdict.band is Band.PENDING
    assert not verdict.band.passes
    assert verdict.cause.startswith("pending: User feedback positive (if applicable)")
    assert f"record it in {path}" in verdict.cause
    assert 'team-confident = { who = "Ana"' in verdict.cause
    # One readable line: no escaped newline, no Python repr of the example.
    assert "\\n" not in verdict.cause and "\n" not in verdict.cause and "'[" not in verdict.cause


def test_no_record_at_all_is_pending_for_both(tmp_path):
    verdict, _ = judged(tmp_path, None)
    assert verdict.band is Band.PENDING
    assert all(text in verdict.cause for text in ITEMS.values())


def test_the_pending_example_is_valid_toml(tmp_path):
    assert tomllib.loads(EXAMPLE)["team-confident"]["answer"] == "yes"


def test_a_no_is_critical_naming_who_said_it(tmp_path):
    verdict, _ = judged(tmp_path, TEAM_YES + USERS_YES.replace('"yes"', '"no"'))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == "User feedback positive (if applicable): Ben said no"


def test_a_no_is_critical_even_when_the_other_item_is_pending(tmp_path):
    verdict, _ = judged(tmp_path, TEAM_YES.replace('"yes"', '"no"'))
    assert verdict.band is Band.CRITICAL
    assert verdict.observed == "Team confident in stability: Ana said no"


def test_a_record_that_cannot_be_read_is_no_data_with_the_problem(tmp_path):
    verdict, path = judged(tmp_path, "[team-confident")
    assert verdict.band is Band.NO_DATA
    assert verdict.cause.startswith(f"{path}: cannot read")
    assert verdict.message().startswith("sign-off: NO_DATA: ")


def test_judge_signoff_without_a_configured_path_is_pending():
    verdict = judge_signoff({}, "", None)
    assert verdict.band is Band.PENDING
    assert verdict.evidence[0].query == "None"
