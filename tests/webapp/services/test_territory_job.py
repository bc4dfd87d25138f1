import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import SAMPLE_DIR
from webapp.jobs.territory import import_territory_job
from webapp.models import Iris, JobRun
from webapp.models.jobs import JobStatus


def test_import_job_records_success(app: Flask, db_session: Session) -> None:
    run = JobRun(kind="territory_import")
    db_session.add(run)
    db_session.commit()

    with app.app_context():
        status = import_territory_job(str(SAMPLE_DIR), run.id)

    db_session.refresh(run)
    assert status == "succeeded"
    assert run.status == JobStatus.SUCCEEDED
    assert run.progress_pct == 100
    assert run.counts["totals"]["addresses"] == 8413
    assert db_session.get(Iris, "930100101") is not None


def test_import_job_reports_french_error(app: Flask, db_session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "bondy"
    shutil.copytree(SAMPLE_DIR, folder)
    (folder / "iris_filosofi2019_bondy.csv").write_bytes(b"CODE_IRIS;LIBIRIS\n930100101;Flamiche\n")
    run = JobRun(kind="territory_import")
    db_session.add(run)
    db_session.commit()

    with app.app_context():
        status = import_territory_job(str(folder), run.id)

    db_session.refresh(run)
    assert status == "failed"
    assert run.status == JobStatus.FAILED
    assert run.error == (
        "Fichier iris_filosofi2019_bondy.csv, ligne 1 : "
        "les colonnes ne sont pas séparées par des virgules. "
        "Valeur trouvée : « CODE_IRIS;LIBIRIS ». Rien n’a été importé."
    )
    assert db_session.get(Iris, "930100101") is None
