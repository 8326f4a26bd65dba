"""Core plugin for core.documents: the legal forms and result documents a transition asks for
(``after_transition``) and the render job."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec


@hookimpl
def register_jobs():
    from core.documents.tasks import deliver_to_estore, render_document

    return [
        JobSpec(name="render_document", func=render_document),
        JobSpec(name="deliver_to_estore", func=deliver_to_estore),
    ]


@hookimpl(trylast=True)
def document_signer():
    """The software key store (demo, tests), unless ``MOTCUA_SIGNING=off``; a province's plugin answers
    first with its tokens or remote signing service."""
    import os

    if os.environ.get("MOTCUA_SIGNING", "software") == "off":
        return None
    from core.documents.keystore import SoftwareSigner

    return SoftwareSigner()


@hookimpl(trylast=True)
def e_data_store():
    """The reference HTTP adapter when ``MOTCUA_ESTORE_URL`` is set."""
    from core.documents.estore import HttpEDataStore

    return HttpEDataStore.from_env()


@hookimpl(trylast=True)
async def after_transition(transition):
    """Queue the legal forms (``form01`` … ``form05``) and result documents the action asked for, in
    the transition's transaction, once every other reaction (the fee quote form 01 prints) is written."""
    if not (transition.forms or transition.results):
        return None
    from core.documents import service

    for name, data in transition.forms:
        await service.request_legal_form(name, transition.dossier_id, transition.event_id, data)
    for result_id, context, template in transition.results:
        await service.request_result_document(
            transition.dossier_id, result_id, context, transition.event_id, template
        )
    return None


def kind_label(kind: str) -> str:
    """The Vietnamese name of a document kind (form title, result name, receipt)."""
    from core.documents.legal_forms import FORMS

    if kind in FORMS:
        return f"{FORMS[kind].number}: {FORMS[kind].title.capitalize()}"
    if kind == "fee_receipt":
        return "Biên lai thu phí, lệ phí"
    if kind.startswith("result:"):
        from core.catalogue.registry import get_catalogue

        spec = get_catalogue().results.get(kind.split(":", 1)[1])
        return spec.name.vi if spec else kind
    return kind


@hookimpl
async def dossier_panels(dossier, user, request):
    from core.contract.specs import L, Panel
    from core.documents.service import documents_for

    if not dossier.get("code"):
        return []
    from core.documents.estore import signed_documents

    signed = await signed_documents(dossier["id"])
    docs = [
        {**d, "label": kind_label(d["kind"]), "signed": signed.get(d["id"])}
        for d in await documents_for(dossier["id"])
    ]
    if not docs:
        return []
    return [
        Panel(
            title=L("Giấy tờ, biểu mẫu của hồ sơ", "Documents of the dossier"),
            template="documents/_panel.html",
            context={"documents": docs, "code": dossier["code"]},
            order=50,
        )
    ]


@hookimpl
async def on_payment(payment_id, dossier_id):
    """The electronic receipt of a settled payment, queued in the payment's transaction."""
    from core.documents.service import request_fee_receipt

    return await request_fee_receipt(payment_id)
