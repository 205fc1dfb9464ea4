"""Archived files are verified whenever their bytes are read back, and on demand by
`audit verify --archive`: bytes whose SHA-256 differs from the recorded one are never
trusted.  `--archive-dir` never trusts a file already sitting at the hash path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ReceivedFile
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

TAMPERED = b"ISA*00*mallory was here~"


def _cli(db: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", "tester", *args])


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """An 837 billing PCN1 and the 835 that denies it (a denial item, with its segments)."""
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    claims = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                       interchange_control="000000101")
    denial = remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                            svc("99213", "100", "0", "CO*16*100", line_control="PCN1-1")),
                   method="NON")
    return (write_x12(tmp_path, claims, "claims.837"),
            write_x12(tmp_path, build_x12(denial, interchange_control="000000102"), "remit.835"))


def _import(db: str, tmp_path: Path, archive_dir: Path | None = None) -> dict[str, Any]:
    extra = ["--archive-dir", str(archive_dir)] if archive_dir else []
    result = _cli(db, "import", "--format", "json", *extra, *map(str, _files(tmp_path)))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _stored(db: str) -> list[Any]:
    engine = make_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(select(ReceivedFile.id, ReceivedFile.file_name, ReceivedFile.sha256,
                                   ReceivedFile.archive_path).order_by(ReceivedFile.id)).all()
    engine.dispose()
    return list(rows)


def _tamper_content(db: str, file_id: int) -> None:
    engine = make_engine(db)
    with write_transaction(engine) as conn:
        conn.execute(text("UPDATE received_files SET content = :c WHERE id = :i"),
                     {"c": TAMPERED, "i": file_id})
    engine.dispose()


def _denial_item(db: str) -> int:
    listed = _cli(db, "queue", "list", "--kind", "denial", "--format", "json")
    return int(json.loads(listed.stdout)[0]["id"])


def _names_both_hashes(message: str, row: Any) -> None:
    actual = hashlib.sha256(TAMPERED).hexdigest()
    assert f"file {row.id}" in message and row.file_name in message
    assert row.sha256 in message and actual in message


def test_packet_refuses_archived_bytes_whose_hash_differs(database_url: str,
                                                          tmp_path: Path) -> None:
    _import(database_url, tmp_path)
    remit_row = _stored(database_url)[1]
    _tamper_content(database_url, remit_row.id)
    out = tmp_path / "packet.zip"
    result = _cli(database_url, "queue", "packet", str(_denial_item(database_url)),
                  "-o", str(out))
    assert result.exit_code == 65, result.output
    assert "Traceback" not in result.output and not out.exists()
    _names_both_hashes(result.stderr, remit_row)
    log = json.loads(_cli(database_url, "audit", "log", "--action", "queue.packet",
                          "--format", "json").stdout)
    assert [e["outcome"] for e in log] == ["failed"]
    assert remit_row.sha256 in log[0]["summary"]["reason"]


def test_packet_refuses_an_archive_dir_copy_whose_hash_differs(database_url: str,
                                                               tmp_path: Path) -> None:
    _import(database_url, tmp_path, tmp_path / "archive")
    remit_row = _stored(database_url)[1]
    Path(remit_row.archive_path).write_bytes(TAMPERED)
    result = _cli(database_url, "queue", "packet", str(_denial_item(database_url)),
                  "-o", str(tmp_path / "packet.zip"))
    assert result.exit_code == 65, result.output
    _names_both_hashes(result.stderr, remit_row)
    Path(remit_row.archive_path).unlink()
    result = _cli(database_url, "queue", "packet", str(_denial_item(database_url)),
                  "-o", str(tmp_path / "packet.zip"))
    assert result.exit_code == 65, result.output
    assert f"file {remit_row.id} (remit.835): archived copy missing" in result.stderr


def test_reimport_restores_database_bytes_that_differ(database_url: str, tmp_path: Path) -> None:
    _import(database_url, tmp_path)
    claims_row = _stored(database_url)[0]
    _tamper_content(database_url, claims_row.id)
    claims_path, _ = _files(tmp_path)
    result = _cli(database_url, "import", "--format", "json", str(claims_path))
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["files"][0]["problems"]
    assert [p["code"] for p in problems] == ["ARCHIVE_COPY_REPLACED"]
    assert "in the database" in problems[0]["message"]
    assert _cli(database_url, "audit", "verify", "--archive").exit_code == 0


def test_audit_verify_archive_is_clean_on_an_untouched_archive(database_url: str,
                                                                tmp_path: Path) -> None:
    _import(database_url, tmp_path, tmp_path / "archive")
    result = _cli(database_url, "audit", "verify", "--archive")
    assert result.exit_code == 0, result.output
    assert "2 archived file(s) verified" in result.stderr


def test_audit_verify_archive_reports_each_tampered_or_missing_file(database_url: str,
                                                                    tmp_path: Path) -> None:
    claims_path, remit_path = _files(tmp_path)
    assert _cli(database_url, "import", str(claims_path)).exit_code == 0
    assert _cli(database_url, "import", "--archive-dir", str(tmp_path / "a"),
                str(remit_path)).exit_code == 0
    in_db, on_disk = _stored(database_url)
    _tamper_content(database_url, in_db.id)
    Path(on_disk.archive_path).write_bytes(TAMPERED)
    result = _cli(database_url, "audit", "verify", "--archive")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if "archive" in line]
    assert len(lines) == 2, result.stdout
    _names_both_hashes(lines[0], in_db)
    _names_both_hashes(lines[1], on_disk)
    Path(on_disk.archive_path).unlink()
    result = _cli(database_url, "audit", "verify", "--archive")
    assert result.exit_code == 1
    assert f"file {on_disk.id} ({on_disk.file_name}): archived copy missing" in result.stdout


def test_audit_verify_archive_has_an_environment_twin(database_url: str,
                                                      tmp_path: Path) -> None:
    _import(database_url, tmp_path)
    _tamper_content(database_url, _stored(database_url)[0].id)
    result = CliRunner().invoke(main, ["--db", database_url, "audit", "verify"],
                                env={"EDI_POSTING_VERIFY_ARCHIVE": "1"})
    assert result.exit_code == 1, result.output


def test_a_planted_file_at_the_hash_path_is_detected_and_not_trusted(database_url: str,
                                                                     tmp_path: Path) -> None:
    claims_path, _ = _files(tmp_path)
    sha256 = hashlib.sha256(claims_path.read_bytes()).hexdigest()
    planted = tmp_path / "archive" / sha256[:2] / sha256
    planted.parent.mkdir(parents=True)
    planted.write_bytes(TAMPERED)
    result = _cli(database_url, "import", "--format", "json", "--archive-dir",
                  str(tmp_path / "archive"), str(claims_path))
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["files"][0]["problems"]
    assert [p["code"] for p in problems] == ["ARCHIVE_COPY_REPLACED"]
    assert hashlib.sha256(TAMPERED).hexdigest() in problems[0]["message"]
    assert planted.read_bytes() == claims_path.read_bytes()
    assert sorted(p.name for p in planted.parent.iterdir()) == [sha256]  # no temp file left
    log = json.loads(_cli(database_url, "audit", "log", "--action", "archive.*",
                          "--format", "json").stdout)
    assert [(e["action"], e["object_id"]) for e in log] == [("archive.replace_corrupt", sha256)]
    assert _cli(database_url, "audit", "verify", "--archive").exit_code == 0


def test_reimport_restores_a_missing_or_corrupt_archived_copy(database_url: str,
                                                              tmp_path: Path) -> None:
    _import(database_url, tmp_path, tmp_path / "archive")
    claims_row = _stored(database_url)[0]
    Path(claims_row.archive_path).write_bytes(TAMPERED)
    claims_path, _ = _files(tmp_path)
    result = _cli(database_url, "import", "--format", "json", "--archive-dir",
                  str(tmp_path / "archive"), str(claims_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["files"][0]
    assert summary["status"] == "already_imported"
    assert [p["code"] for p in summary["problems"]] == ["ARCHIVE_COPY_REPLACED"]
    assert Path(claims_row.archive_path).read_bytes() == claims_path.read_bytes()
    assert _cli(database_url, "audit", "verify", "--archive").exit_code == 0


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_verify_streams_database_bytes_in_chunks(database_url: str, tmp_path: Path,
                                                 chunk: int) -> None:
    from edi_posting.archive.integrity import verify_archive

    _import(database_url, tmp_path)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert list(verify_archive(conn, chunk_bytes=chunk)) == []
    engine.dispose()
