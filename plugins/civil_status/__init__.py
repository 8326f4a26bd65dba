"""Civil status: birth (linked with residence and health insurance), marriage, death.

Hook implementations only; the content lives in the modules of this package."""

from core.api import DomainInfo, L, hookimpl


@hookimpl
def domain_info():
    return DomainInfo(
        code="civil_status", name=L("Hộ tịch", "Civil status"), sectors=("G09-TP04",), slug="ho-tich"
    )


@hookimpl
def register_procedures():
    from plugins.civil_status import procedures

    return procedures.ALL


@hookimpl
def register_forms():
    from plugins.civil_status import forms

    return forms.ALL


@hookimpl
def register_workflows():
    from plugins.civil_status import workflows

    return workflows.ALL


@hookimpl
def register_result_documents():
    from plugins.civil_status import results

    return results.ALL


@hookimpl
def register_permissions():
    from plugins.civil_status import permissions

    return permissions.ALL


@hookimpl
def register_piccolo_app():
    return "plugins.civil_status.piccolo_app"


@hookimpl
def register_registries():
    from plugins.civil_status.registry import REGISTRY

    return (REGISTRY,)


@hookimpl
def validate_application(procedure, page, data, ctx):
    from plugins.civil_status import validation

    if procedure.domain != "civil_status":
        return []
    return validation.validate(procedure, page, data, ctx)


@hookimpl
def compute_fee(procedure, application, ctx):
    from plugins.civil_status import fees

    return fees.quote(procedure, application, ctx) if procedure.domain == "civil_status" else None


@hookimpl
def seed_demo_data(ctx):
    from plugins.civil_status import demo

    return demo.seed(ctx)


@hookimpl
def register_routes():
    from plugins.civil_status import controllers

    return controllers.ROUTES


@hookimpl
def menu_items(user, request):
    from core.api import L, MenuItem, has_permission
    from plugins.civil_status.permissions import REGISTRY_VIEW

    if not has_permission(user, None, REGISTRY_VIEW):
        return []
    return [
        MenuItem(
            request.app.route_reverse("civil_status_registry"),
            L("Sổ hộ tịch", "Civil-status books"),
            order=62,
        )
    ]


@hookimpl
def dossier_panels(dossier, user, request):
    from plugins.civil_status.panels import panels

    return panels(dossier, user)
