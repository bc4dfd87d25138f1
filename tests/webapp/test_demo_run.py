"""The laptop demo's run command plans a weekend and records it as the site's button does."""

import re
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import SAMPLE_DIR
from webapp.db import db_session
from webapp.models import JobRun
from webapp.models.jobs import JobStatus
from webapp.services.demo import VOLUNTEER_COUNT, build_demo
from webapp.services.planning_view import load_last_planning_run
from webapp.settings import Settings

SETTINGS_KEY = "tournee.settings"
RUN_AT = datetime(2027, 3, 8, 9, 5, tzinfo=UTC)


def test_demo_run_records_its_planning(
    demo_app: Flask, demo_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short limits: the test checks what is recorded, not the quality of the plan.
    demo_app.extensions[SETTINGS_KEY] = replace(
        demo_settings, route_time_limit_s=0.2, assignment_time_limit_s=2.0
    )
    # Monday 8 March 2027 at 10:05 in Paris: today's session runs from 10:00 to 12:00.
    monkeypatch.setattr("webapp.cli.demo.utcnow", lambda: RUN_AT)

    with demo_app.app_context():
        result = demo_app.test_cli_runner().invoke(args=["demo", "run", "--no-serve"])
        session = db_session()
        run = session.scalars(select(JobRun)).one()
        view = load_last_planning_run(session, run.campaign_id)

    assert result.exit_code == 0, result.output
    assert run.status == JobStatus.SUCCEEDED
    assert run.progress_pct == 100
    assert run.finished_at is not None
    places = re.search(r"places filled\s+(\d+)", result.output)
    placed = re.search(r"volunteers placed\s+(\d+)", result.output)
    left_out = re.search(r"volunteers left out\s+(\d+)", result.output)
    assert places is not None
    assert placed is not None
    assert left_out is not None
    assert int(places.group(1)) == run.counts["placed"]
    assert int(placed.group(1)) == run.counts["volunteers"]
    assert int(left_out.group(1)) == run.counts["left_out"]
    # Volunteers hold two sessions of the weekend, so places outnumber the people on them.
    assert run.counts["placed"] > run.counts["volunteers"] > 0
    # Every volunteer of the demo is either placed or left out.
    assert run.counts["volunteers"] + run.counts["left_out"] == VOLUNTEER_COUNT
    addresses = re.search(r"addresses on routes\s+(\d+)", result.output)
    dwellings = re.search(r"dwellings on routes \(estimate\)\s+(\d+)", result.output)
    assert addresses is not None
    assert dwellings is not None
    assert int(addresses.group(1)) == run.counts["doors"] > 0
    # Some of Bondy's addresses are blocks of flats, so dwellings outnumber addresses.
    assert int(dwellings.group(1)) == run.counts["dwellings"] > run.counts["doors"]
    assert run.counts["objective"] == sum(run.counts["terms"].values())
    assert view is not None
    assert view.gap_to_bound is not None
    assert 0 <= view.gap_to_bound < 0.05
    # The printed command names this interpreter's flask, which has the app.
    assert f"{Path(sys.executable).with_name('flask')} --app wsgi demo totp-code" in result.output
    # The two teams placed by hand on today's session get their route links printed.
    assert "Session under way today, where doors can be recorded now:" in result.output
    links = re.findall(r"team (\d): http://127\.0\.0\.1:5000/parcours/\S+", result.output)
    assert links == ["1", "2"]


def test_demo_after_2330_has_no_session_today(demo_app: Flask) -> None:
    with demo_app.app_context():
        setup = build_demo(db_session(), SAMPLE_DIR, datetime(2027, 3, 8, 23, 30))
        db_session().commit()

    assert setup.today_session_id is None
    # The weekend's eight sessions only.
    assert setup.session_count == 8


def test_demo_port_must_match_links(demo_app: Flask, demo_settings: Settings) -> None:
    demo_app.extensions[SETTINGS_KEY] = replace(
        demo_settings, public_base_url="http://127.0.0.1:5000"
    )

    with demo_app.app_context():
        result = demo_app.test_cli_runner().invoke(args=["demo", "run", "--port", "5077"])

    # Rejected before the database is touched: nothing is imported or planned.
    assert result.exit_code == 2
    assert "TOURNEE_PUBLIC_BASE_URL=http://127.0.0.1:5077" in result.output
    assert "Bondy" not in result.output
