"""The case screen's raw segments (issue 27): each element in its own span with its
reference and name on hover, the element a problem names highlighted and described by the
problem's message, the segment text otherwise exactly as sent."""

from __future__ import annotations

import html
import re

from tests.test_queue_money import item_id
from tests.test_web_login import Web, web  # noqa: F401  (the fixture)
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)


def _raw_segments(page: str) -> str:
    found = re.search(r'<section id="raw-segments".*?</section>', page, re.DOTALL)
    assert found is not None
    return found.group(0)


def _as_text(section: str) -> list[str]:
    """What the reader sees of each segment: the <code> text without its spans."""
    return [html.unescape(re.sub(r"<[^>]+>", "", code))
            for code in re.findall(r"<code>(.*?)</code>", section, re.DOTALL)]


def test_the_failing_element_is_highlighted_and_described_by_its_problem(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1", "CAS*CO*45*10~",
                                     svc("99213", "100", "70", "CO*45*30"))))
    ident = item_id(practice, "balancing_failure")
    page = web.login("sam").get(f"/case/{ident}")
    assert page.status_code == 200
    section = _raw_segments(page.text)
    failing = re.findall(r'<span class="el failing" title="CLP04 Claim Payment Amount" '
                         r'aria-describedby="why-(\d+)-CLP04">70</span>', section)
    assert len(failing) == 1
    why = re.search(rf'<p class="why" id="why-{failing[0]}-CLP04"[^>]*>(.*?)</p>', section)
    assert why is not None and "claim level does not balance" in why.group(1)
    assert section.count("el failing") == 1
    assert _as_text(section)[0] == "CLP*PCN1*1*100*70*0*12*ICN1*11*1~"
    assert web.audited("queue.show")[-1] == ("sam", "ok", str(ident))


def test_every_element_carries_its_reference_and_name_on_hover(
        web: Web, practice: Practice) -> None:  # noqa: F811
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    ident = item_id(practice, "unmatched_payment")
    section = _raw_segments(web.login("aud").get(f"/case/{ident}").text)
    assert '<span class="el" title="CLP01 Patient Control Number">WRONG9</span>' in section
    assert '<span class="el" title="NM103 Patient Last Name">ZQCANARY</span>' in section
    assert '<span class="el" title="NM109 Patient Identifier">ZQM999999</span>' in section
    assert "failing" not in section
    assert _as_text(section)[:2] == ["CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~",
                                     "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~"]
