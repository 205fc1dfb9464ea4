"""Rebuild edi_posting/codes/*.json (the shipped code lists) from this file.

Run from the repository root: ``python tools/build_code_lists.py``.  The CARC and RARC
lists are a curated subset (the codes the engine, its docs, tests and demo use), with
descriptions as X12/WPC publish them; RARC values from pyx12 4.0.0's code table (list of
2014-11-01) are included without descriptions.  Group codes, CLP02 statuses and PLB
reasons are complete for 005010X221A1.  The published full tables replace the curated
ones with ``edi-posting codes update``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

AS_OF = "2026-12-01"
OUT = Path(__file__).resolve().parent.parent / "edi_posting" / "codes"
CURATED = ("edi-posting curated subset as of 2026-12 (descriptions as published by X12 "
           "for the codes the engine and its documentation use); start dates not recorded; "
           "not complete: update with `edi-posting codes update FILE --list {name}`")

CARC = {
    "1": "Deductible Amount",
    "2": "Coinsurance Amount",
    "3": "Co-payment Amount",
    "4": "The procedure code is inconsistent with the modifier used.",
    "5": "The procedure code/type of bill is inconsistent with the place of service.",
    "6": "The procedure/revenue code is inconsistent with the patient's age.",
    "11": "The diagnosis is inconsistent with the procedure.",
    "16": "Claim/service lacks information or has submission/billing error(s).",
    "18": "Exact duplicate claim/service",
    "22": "This care may be covered by another payer per coordination of benefits.",
    "23": "The impact of prior payer(s) adjudication including payments and/or adjustments.",
    "24": "Charges are covered under a capitation agreement/managed care plan.",
    "26": "Expenses incurred prior to coverage.",
    "27": "Expenses incurred after coverage terminated.",
    "29": "The time limit for filing has expired.",
    "31": "Patient cannot be identified as our insured.",
    "39": "Services denied at the time authorization/pre-certification was requested.",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee "
          "arrangement.",
    "50": "These are non-covered services because this is not deemed a 'medical necessity' "
          "by the payer.",
    "59": "Processed based on multiple or concurrent procedure rules.",
    "94": "Processed in Excess of charges.",
    "96": "Non-covered charge(s).",
    "97": "The benefit for this service is included in the payment/allowance for another "
          "service/procedure that has already been adjudicated.",
    "100": "Payment made to patient/insured/responsible party.",
    "109": "Claim/service not covered by this payer/contractor. You must send the "
           "claim/service to the correct payer/contractor.",
    "119": "Benefit maximum for this time period or occurrence has been reached.",
    "131": "Claim specific negotiated discount.",
    "144": "Incentive adjustment, e.g. preferred product/service.",
    "151": "Payment adjusted because the payer deems the information submitted does not "
           "support this many/frequency of services.",
    "197": "Precertification/authorization/notification/pre-treatment absent.",
    "204": "This service/equipment/drug is not covered under the patient's current benefit "
           "plan",
    "223": "Adjustment code for mandated federal, state or local law/regulation that is not "
           "already covered by another code and is mandated before a new code can be created.",
    "226": "Information requested from the Billing/Rendering Provider was not provided or not "
           "provided timely or was insufficient/incomplete.",
    "227": "Information requested from the patient/insured/responsible party was not "
           "provided or was insufficient/incomplete.",
    "237": "Legislated/Regulatory Penalty.",
    "242": "Services not provided by network/primary care providers.",
    "252": "An attachment/other documentation is required to adjudicate this claim/service.",
    "253": "Sequestration - reduction in federal payment",
    "B4": "Late filing penalty.",
    "B7": "This provider was not certified/eligible to be paid for this procedure/service on "
          "this date of service.",
}

RARC = {
    "M15": "Separately billed services/tests have been bundled as they are considered "
           "components of the same procedure. Separate payment is not allowed.",
    "M62": "Missing/incomplete/invalid treatment authorization code.",
    "MA15": "Alert: Your claim has been separated to expedite handling. You will receive a "
            "separate notice for the other services reported.",
    "MA18": "Alert: The claim information is also being forwarded to the patient's "
            "supplemental insurer. Send any questions regarding supplemental benefits to them.",
    "MA130": "Your claim contains incomplete and/or invalid information, and no appeal rights "
             "are afforded because the claim is unprocessable. Please submit a new claim with "
             "the complete/correct information.",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for "
            "this service.",
    "N387": "Alert: You should submit this claim to the patient's other insurer for potential "
            "payment of supplemental benefits. We did not forward the claim information.",
    "N418": "Misrouted claim. See the payer's claim submission instructions.",
    "N822": "Missing procedure modifier(s).",
}

GROUP = {
    "CO": ("Contractual Obligations", None),
    "CR": (("Corrections and Reversals (004010 only: removed in 005010, whose compliance "
            "date was 2012-01-01; a 5010 reversal repeats the original group codes)"),
           "2012-01-01"),
    "OA": ("Other adjustments", None),
    "PI": ("Payor Initiated Reductions", None),
    "PR": ("Patient Responsibility", None),
}

CLAIM_STATUS = {
    "1": "Processed as Primary", "2": "Processed as Secondary", "3": "Processed as Tertiary",
    "4": "Denied", "19": "Processed as Primary, Forwarded to Additional Payer(s)",
    "20": "Processed as Secondary, Forwarded to Additional Payer(s)",
    "21": "Processed as Tertiary, Forwarded to Additional Payer(s)",
    "22": "Reversal of Previous Payment", "23": "Not Our Claim, Forwarded to Additional Payer(s)",
    "25": "Predetermination Pricing Only - No Payment",
}

PLB_REASON = {
    "50": "Late Charge", "51": "Interest Penalty Charge", "72": "Authorized Return",
    "90": "Early Payment Allowance", "AH": "Origination Fee", "AM": "Applied to Borrower's Account",
    "AP": "Acceleration of Benefits", "B2": "Rebate", "B3": "Recovery Allowance",
    "BD": "Bad Debt Adjustment", "BN": "Bonus", "C5": "Temporary Allowance",
    "CR": "Capitation Interest", "CS": "Adjustment", "CT": "Capitation Payment",
    "CV": "Capital Passthru", "CW": "Certified Registered Nurse Anesthetist Passthru",
    "DM": "Direct Medical Education Passthru", "E3": "Withholding", "FB": "Forwarding Balance",
    "FC": "Fund Allocation", "GO": "Graduate Medical Education Passthru",
    "HM": "Hemophilia Clotting Factor Supplement", "IP": "Incentive Premium Payment",
    "IR": "Internal Revenue Service Withholding", "IS": "Interim Settlement",
    "J1": "Nonreimbursable", "L3": "Penalty", "L6": "Interest Owed", "LE": "Levy",
    "LS": "Lump Sum", "OA": "Organ Acquisition Passthru", "OB": "Offset for Affiliated Providers",
    "PI": "Periodic Interim Payment", "PL": "Payment Final", "RA": "Retro-activity Adjustment",
    "RE": "Return on Equity", "SL": "Student Loan Repayment", "TL": "Third Party Liability",
    "WO": "Overpayment Recovery", "WU": "Unspecified Recovery",
}

COMPLETE = ("complete code list for 005010X221A1 (X12 835 implementation guide), "
            "shipped with edi-posting as of 2026-12")


def pyx12_remark_codes() -> list[str]:
    import pyx12

    text = (Path(os.path.dirname(pyx12.__file__)) / "map" / "codes.xml").read_text()
    block = text[text.index("<id>remark_code"):]
    block = block[:block.index("</version>")]
    return re.findall(r"<code>(.*?)</code>", block)


def write(name: str, title: str, source: str, complete: bool, codes: list[dict[str, object]]
          ) -> None:
    data = {"list": name, "title": title, "source": source, "as_of": AS_OF,
            "version": f"edi-posting {AS_OF[:7]}" + ("" if complete else " curated"),
            "complete": complete, "codes": codes}
    head = json.dumps({k: v for k, v in data.items() if k != "codes"}, indent=1)[:-2]
    rows = ",\n  ".join(json.dumps(c) for c in codes)
    (OUT / f"{name.lower()}.json").write_text(f'{head},\n "codes": [\n  {rows}\n ]\n}}\n')


def row(code: str, description: str, stop: str | None = None) -> dict[str, object]:
    return {"code": code, "description": description, "start": None, "stop": stop,
            "last_modified": None}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write("CARC", "Claim Adjustment Reason Codes", CURATED.format(name="CARC"), False,
          [row(c, d) for c, d in CARC.items()])
    rarc = {code: "" for code in pyx12_remark_codes()} | RARC
    write("RARC", "Remittance Advice Remark Codes",
          CURATED.format(name="RARC") + "; values without a description come from pyx12 4.0.0 "
          "codes.xml (remark_code list of 2014-11-01)", False,
          [row(c, d) for c, d in sorted(rarc.items(), key=lambda i: _order(i[0]))])
    write("GROUP", "Claim Adjustment Group Codes (CAS01)", COMPLETE, True,
          [row(c, d, s) for c, (d, s) in GROUP.items()])
    write("CLAIM_STATUS", "Claim Status Codes (CLP02)", COMPLETE, True,
          [row(c, d) for c, d in CLAIM_STATUS.items()])
    write("PLB_REASON", "Provider Adjustment Reason Codes (PLB03-1)", COMPLETE, True,
          [row(c, d) for c, d in PLB_REASON.items()])


def _order(code: str) -> tuple[str, int]:
    match = re.match(r"([A-Z]+)(\d+)", code)
    return (match.group(1), int(match.group(2))) if match else (code, 0)


if __name__ == "__main__":
    main()
