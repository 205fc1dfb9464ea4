"""The web workbench's queue page over 100,000 open review items: server time per request.

Not a timed test (issue 27's target is under 300 ms of server time on SQLite and
PostgreSQL).  Fills a fresh database with N open items (every kind that holds money and
denials, spread over payers, ages and assignees), logs in through the Flask test client,
and times the queue page (the request as the server handles it: the API's query, the
audit event, the template) for the default view, a sort, a filter and a deep page.

    python benchmarks/web_queue.py --db sqlite:////tmp/webq.db --items 100000
    python benchmarks/web_queue.py --db postgresql+psycopg://edi@127.0.0.1/webq
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import time

from sqlalchemy import insert

import edi_posting
from edi_posting.db.engine import make_engine
from edi_posting.db.migration import upgrade
from edi_posting.db.models import Payer, ReviewItem
from edi_posting.web.app import create_app
from edi_posting.web.settings import WebSettings

KINDS = ("unmatched_payment", "denial", "credit_balance", "ambiguous_match", "unlinked_plb")
VIEWS = ("/queue", "/queue?sort=amount", "/queue?kind=denial&payer=PAYER%203",
         "/queue?sort=due&age=30", "/queue?page=1000", "/queue?mine=1")


def fill(url: str, items: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(Payer), [{"name": f"PAYER {i}", "primary_identifier": f"P{i}"}
                                     for i in range(10)])
        for start in range(0, items, 10_000):
            conn.execute(insert(ReviewItem), [_item(i, now) for i in
                                              range(start, min(items, start + 10_000))])
    engine.dispose()


def _item(i: int, now: dt.datetime) -> dict[str, object]:
    return {"dedupe_key": f"bench:{i}", "kind": KINDS[i % len(KINDS)], "status": "open",
            "priority": 3, "amount_cents": (i * 7919) % 500_000, "message": f"item {i}",
            "payer_id": i % 10 + 1, "assignee": ("sam", None, "leo")[i % 3],
            "created_at": now - dt.timedelta(days=i % 400),
            "due_date": (now + dt.timedelta(days=i % 60 - 30)).date() if i % 4 else None}


def measure(url: str, rounds: int) -> dict[str, float]:
    session = edi_posting.open_session(url)
    name = session.actor  # the login running the benchmark becomes its (first, admin) user
    edi_posting.add_user(session, name, "admin")
    edi_posting.set_password(session, name, "bench")
    app = create_app(url, WebSettings(secure_cookies=False))
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"name": name, "password": "bench",
                                "csrf_token": token.group(1)})
    timings = {}
    for view in VIEWS:
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(view)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:500]
        timings[view] = statistics.median(samples)
    cursor = edi_posting.queue_page(
        edi_posting.web_session(session, name), edi_posting.QueuePageQuery(page=999)).next_after
    deep = f"/queue?page=1000&after={cursor}"  # page 1,000 by the next link (keyset)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert client.get(deep).status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    timings["/queue?page=1000&after=CURSOR"] = statistics.median(samples)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an empty database URL")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    fill(args.db, args.items)
    print(f"filled {args.items} open items in {time.perf_counter() - started:.1f} s")
    for view, ms in measure(args.db, args.rounds).items():
        print(f"{ms:8.1f} ms  {view}")


if __name__ == "__main__":
    main()
