"""``among``: list membership that each database plans well, with the same answers as IN."""

from __future__ import annotations

import sqlalchemy as sa

from edi_posting.db.engine import make_engine
from edi_posting.db.lists import among
from edi_posting.db.models import Payer

_PAYER = Payer.__table__


def _seed(conn: sa.Connection) -> None:
    conn.execute(sa.insert(_PAYER), [
        {"id": i, "name": f"PAYER {i}", "primary_identifier": f"P{i:03d}"} for i in range(1, 8)])


def test_among_answers_like_in_for_every_list_length_and_reuses_the_statement(
        database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        _seed(conn)
        found = []
        for wanted in ([1, 2, 3], [4], [], [5, 6, 7, 99]):  # one cached compilation
            query = sa.select(_PAYER.c.id).where(among(_PAYER.c.id, wanted)).order_by(
                _PAYER.c.id)
            found.append(conn.execute(query).scalars().all())
        texts = conn.execute(sa.select(_PAYER.c.id).where(
            among(_PAYER.c.primary_identifier, ["P002", "P005", "nope"]))).scalars().all()
    engine.dispose()
    assert found == [[1, 2, 3], [4], [], [5, 6, 7]]
    assert sorted(texts) == [2, 5]


def test_among_with_a_named_parameter_takes_the_list_at_execution(database_url: str) -> None:
    engine = make_engine(database_url)
    query = sa.select(_PAYER.c.name).where(among(_PAYER.c.id, "ids")).order_by(_PAYER.c.id)
    with engine.begin() as conn:
        _seed(conn)
        first = conn.execute(query, {"ids": [2, 3]}).scalars().all()
        second = conn.execute(query, {"ids": [7]}).scalars().all()
        updated = conn.execute(sa.update(_PAYER).where(among(_PAYER.c.id, [1, 2])).values(
            name="RENAMED")).rowcount
    engine.dispose()
    assert (first, second, updated) == (["PAYER 2", "PAYER 3"], ["PAYER 7"], 2)


def test_among_renders_a_plain_comparison_on_each_dialect(database_url: str) -> None:
    engine = make_engine(database_url)
    sql = str(sa.select(_PAYER.c.id).where(among(_PAYER.c.id, [1, 2])).compile(engine))
    engine.dispose()
    if engine.dialect.name == "postgresql":
        assert "= ANY (" in sql and " IN " not in sql
    else:
        assert "IN (" in sql and "= 1" not in sql  # no boolean wrapper defeating the index
