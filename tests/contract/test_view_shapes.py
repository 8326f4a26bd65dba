"""The hooks' dict shapes (``DossierData``, ``StepData``, ``AgencyBriefData``) are
typed copies of the views' fields, written out for mypy: they must never drift from the views
whose ``as_dict()`` they describe."""

from __future__ import annotations

from dataclasses import fields

from core.contract import views


def _names(cls) -> set[str]:
    return {f.name for f in fields(cls)}


def test_dossier_data_lists_exactly_the_dossier_views_fields():
    assert set(views.DossierData.__annotations__) == _names(views.DossierView) | {"appointment_at"}


def test_step_and_agency_data_list_exactly_their_views_fields():
    assert set(views.StepData.__annotations__) == _names(views.StepView)
    assert set(views.AgencyBriefData.__annotations__) == _names(views.AgencyBrief)
