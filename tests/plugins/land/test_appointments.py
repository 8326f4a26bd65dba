"""R18, R44, R45: the two appointments of the land procedures with a financial obligation.

Appointment 1 (the information slip goes to tax) counts the desk's intake half day as well as the
route's steps before it: 5 working days for a transfer (0.5 + 4.5), 15 for a first registration
(0.5 + 2 + 11.5 + posting excluded + 1).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.dossiers import timing
from plugins.land.workflows import FIRST_REGISTRATION, TRANSFER

VN = timezone(timedelta(hours=7))
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("workflow", "processing_days", "first_days"),
    [
        (TRANSFER, 8, 5),
        (FIRST_REGISTRATION, 20, 15),
    ],
)
async def test_appointment_1_counts_the_intake_half_day(db, workflow, processing_days, first_days):
    budgets = timing.budgets(workflow, processing_days)
    first = await timing.appointment1(MONDAY_9, workflow, budgets, None, processing_days)
    assert await timing.working_minutes(MONDAY_9, first, None) == first_days * 480


async def test_steps_scaled_to_fit_leave_no_intake_budget(db):
    """A province that shortens the transfer to 6 working days: the steps are scaled to fit and
    appointment 1 is the end of the land office's (scaled) step, nothing added before it."""
    budgets = timing.budgets(TRANSFER, 6)
    first = await timing.appointment1(MONDAY_9, TRANSFER, budgets, None, 6)
    assert (
        await timing.working_minutes(MONDAY_9, first, None)
        == budgets["land_office_check"]
        == round(4.5 * 6 / 7.5 * 480)
    )
