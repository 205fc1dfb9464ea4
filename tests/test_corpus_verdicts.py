"""Every corpus file gets the ``validate`` verdict its MANIFEST notes imply (issue 20).

The notes are the oracle: "deliberately invalid", or a STRUCTURAL ISSUE that validation
checks (segment and group counts, control numbers, a malformed segment ID, GS08 and ST03
naming different guides, an 835 transaction whose BPR02 is not what its claims and PLBs
add up to) means invalid;
no such note means valid, or only warned (a non-fixed-width ISA, whitespace in the ISA,
a line break before each terminator are tolerated by the reader, as README says).  A claim
that does not balance leaves its set accepted with errors (the import holds that claim), so
those notes alone do not make a file invalid.

Where the verdict differs from what the notes imply, :data:`DIFFERENT` says why: in every
case the file breaks a rule of its implementation guide that the manifest's own checks do
not look at, or it cannot be validated at all (no envelope to choose a guide or address an
acknowledgment).  A new difference fails this test until it is explained here.
"""

from __future__ import annotations

import re

import pytest

from edi_posting.x12.validation.validator import validate_path
from tests.corpus_manifest import CORPUS, manifest_rows

_CHECKED_ISSUES = re.compile(r"SE01=|SE02 |GE01=|GE02 |IEA01=|IEA02 |ISA/IEA count|GS/GE count|"
                             r"ST/SE count|malformed segment id|and ST03 \(.*\) disagree|"
                             r"835 transaction not balanced")
_MAX_BYTES = 200_000  # the big production-style files take pyx12 minutes; their notes agree

_IG = "breaks its implementation guide where the manifest does not look"
_NO_ENVELOPE = "no ISA/GS: no guide to choose, no one to acknowledge (ENVELOPE_REQUIRED)"
_BASE_4010 = "a base 4010 guide (REF*87 004010X09x): pyx12 has the A1 addenda only"
_DUPLICATE_ISA13 = "one sender repeats its ISA13 in the file: TA1 025 for each repeat"
_ISA11_4010 = "a 4010 interchange with ^ in ISA11, where 4010 allows only U"
_ISA12 = "an ISA12 (99999, 00402) pyx12 has no envelope map for (TA1 017)"
_COMPONENT = "its composites use > while ISA16 says : (CLM05 read as one 6-character code)"
DIFFERENT = {
    "835/LinuxForHealth__x12/835_005010X221A1__cob-contractural-adjustment.835": _IG,
    "835/LinuxForHealth__x12/835_005010X221A1__managed-care.835": _IG,
    "835/LinuxForHealth__x12/835_005010X221A1__medicare-part-a.835": _IG,
    "835/LinuxForHealth__x12/835_005010X221A1__secondary-payment.835": _IG,
    "835/LinuxForHealth__x12/835_005010X221A1__tertiary-payment.835": _IG,
    "835/affect-therapeutics__edi-835-parser/exhaustive_sample.txt": _NO_ENVELOPE,
    "835/cosyte__x12/golden__835.edi": _IG,
    "835/cosyte__x12/remit__835-medicare-canonical.edi": _IG,
    "835/keironstoddart__edi-835-parser/united_healthcare_legacy_sample.txt": _IG,
    "835/moov-io__x12/example_5010_835__sample1.txt": _IG,
    "835/moov-io__x12/example_5010_835__sample2.txt": _IG,
    "835/tastypackets__x12-parser/history__oneLine-2-ISA.edi": _DUPLICATE_ISA13,
    "835/tastypackets__x12-parser/history__profeeMultiple.edi": _DUPLICATE_ISA13,
    "835/tastypackets__x12-parser/profee-multiple.edi": _DUPLICATE_ISA13,
    "835/terravic__x12-to-json-parser/sample_835_remittance.x12": _IG,
    "835/tmc__x12/005010x221-example-8a-claim-submitted-incorrect-subscriber-patient-and-incorrect-id.edi":
        _IG,
    "835/tmc__x12/005010x221-example-8b-claim-submitted-incorrect-subscriber-name-and-id.edi":
        _IG,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.1.1_PatientIsNotSubscriber.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.1.2A_COB.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.1.2B_COB.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.1.3_PredeterminationOfBenefits.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.1.4_OrthodonticTreatment.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.2.1_WorkmansComp.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837D___4010__Spec_4.2.2_Automobile.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837I___4010__Example1.txt": _IG,
    "837/Inteligenz__X12Parser/837I___4010__FromSwreed__Batch1.txt": _IG,
    "837/Inteligenz__X12Parser/837I___4010__FromSwreed__Batch2.txt": _IG,
    "837/Inteligenz__X12Parser/837I___4010__FromSwreed__Batch3.txt": _IG,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.1.1_InstitutionalClaim.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.1.2_InstitutionalPpoRepricedClaim.txt":
        _BASE_4010,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.1.3_TwoClaimsForTheSameProvider.txt":
        _IG,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.2.1_HomeownersCasualtyClaim.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.2.2_WorkersCompensation.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837I___4010__Spec_4.2.3_AutomobileAccident.txt": _BASE_4010,
    "837/Inteligenz__X12Parser/837P___4010__Cms1500Test.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.1_PatientIsSubscriber.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.2_PatientIsNotSubscriber.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.3A_COB_ClaimToPayerAFromBP.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.3B_COB_ClaimToPayerBFromBP.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.3C_COB_ClaimToPayerAFromBPinCOB.txt":
        _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.1.3D_COB_PayerAToPayerB.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.2.1_PayerIsPCIns.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.2.2_PayerIsPCIns.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___4010__Spec_4.2.3_PayerIsPCIns.txt": _ISA11_4010,
    "837/Inteligenz__X12Parser/837P___5010__Example1_2_And_3_Combined.txt": _IG,
    "837/Inteligenz__X12Parser/837P___5010__Example3_COB.txt": _IG,
    "837/Inteligenz__X12Parser/837P___5010__MedicaidExample.txt": _IG,
    "837/Inteligenz__X12Parser/837P___5010__MissingEntityCode.txt": _IG,
    "837/LinuxForHealth__x12/837_004010X096A1__automobile-accident.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X096A1__homeowners.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X096A1__institutional-ppo-repriced.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X096A1__institutional.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X096A1__workers-compensation.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__coordination-of-benefits.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__dependent-commercial-insurance-01.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__dependent-commercial-insurance-02.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__dependent-commercial-insurance-03.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__patient-is-dependent.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_004010X098A1__patient-is-subscriber.837": _BASE_4010,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.ambulance.example5.837": _IG,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.cob.2ndary.example4.837": _COMPONENT,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.cob.example3.A.837": _IG,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.cob.example4.837": _IG,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.example11.837": _COMPONENT,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.example12.837": _COMPONENT,
    "837/LinuxForHealth__x12/837_005010X222A2__demo.example9.837": _COMPONENT,
    "837/LinuxForHealth__x12/837_005010X223A3__institutional-claim.837i": _IG,
    "837/LinuxForHealth__x12/837_005010X223A3__out-of-network-repriced-claim.837i": _IG,
    "837/LinuxForHealth__x12/837_005010X223A3__ppo-repriced-claim.837i": _IG,
    "837/LinuxForHealth__x12/837_005010X223A3__two-claims-single-provider.837i": _IG,
    "837/albmarin__badX12/X222-oxygen.edi": _IG,
    "837/albmarin__badX12/X222-wheelchair.edi": _IG,
    "837/azoner__pyx12/gs_id.txt": _IG,
    "837/cosyte__x12/claim__837i-canonical.edi": _IG,
    "837/cosyte__x12/envelope__availity-repetition.edi": _IG,
    "837/cosyte__x12/envelope__bcbs-subelement.edi": _IG,
    "837/cosyte__x12/envelope__medicare-canonical.edi": _IG,
    "837/cosyte__x12/envelope__no-trailing-crlf.edi": _IG,
    "837/cosyte__x12/golden__837i.edi": _IG,
    "837/tmc__x12/005010x222-example-10a-drug-administered-physician-office.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x222-example-10c-home-infusion-therapy-pharmacy-adjudicated-hcpcs-loop-2400-or-ndc.edi":
        _NO_ENVELOPE,
    "837/tmc__x12/005010x222-example-3a-claim-billing-provider-payer.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x222-example-3b-claim-billing-provider-payer-b.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x222-example-3c-claim-payer-payer-b-payer-payer.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x223-example-1b-two-claims-same-provider.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x223-example-1c-ppo-repriced-claim.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x223-example-1d-out-network-repriced-claim.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x223-example-2a-automobile-accident.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x224-example-2a-claim-billing-provider-payer.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x224-example-2b-claim-billing-provider-payer-b.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x291-example-8a-drug-administered-physician-office.edi": _NO_ENVELOPE,
    "837/tmc__x12/005010x291-example-8b-home-infusion-therapy-pharmacy-adjudicated-ndc-loop-2410.edi":
        _NO_ENVELOPE,
    "837/tmc__x12/005010x291-example-8c-home-infusion-therapy-pharmacy-adjudicated-hcpcs-loop-2400-or-ndc.edi":
        _NO_ENVELOPE,
    "837/xlate__staedi/issue229__837-header-ref-only.edi": _IG,
    "837/xlate__staedi/sample837-original.edi": _ISA12,
    "837/xlate__staedi/sample837-small.edi": _ISA12,
}


def _expects_invalid(notes: str) -> bool:
    if "deliberately invalid" in notes:
        return True
    issues = notes.partition("STRUCTURAL ISSUES:")[2]
    return bool(_CHECKED_ISSUES.search(issues))


ROWS = [r for r in manifest_rows("8") if int(r["bytes"] or 0) <= _MAX_BYTES]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_every_corpus_file_gets_the_verdict_its_manifest_notes_imply(
        row: dict[str, str]) -> None:
    result = validate_path(CORPUS / row["file"])
    expected_valid = not _expects_invalid(row["notes"])
    if row["file"] in DIFFERENT:
        expected_valid = not expected_valid
    first = next((p.message for p in result.problems if p.severity.value != "WARNING"), "")
    assert result.valid == expected_valid, (row["notes"], first)
