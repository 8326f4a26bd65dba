"""Land: registration of land-use rights, transfers, certificates.

Hook implementations only; the content lives in the modules of this package."""

from core.api import DomainInfo, L, hookimpl


@hookimpl
def domain_info():
    return DomainInfo(code="land", name=L("Đất đai", "Land"), sectors=("G09-TN01",), slug="dat-dai")


@hookimpl
def register_piccolo_app():
    return "plugins.land.piccolo_app"


@hookimpl
def register_procedures():
    from plugins.land.procedures import ALL

    return ALL


@hookimpl
def register_forms():
    from plugins.land.forms import ALL

    return ALL


@hookimpl
def register_workflows():
    from plugins.land.workflows import ALL

    return ALL


@hookimpl
def register_result_documents():
    from plugins.land.results import ALL
    from plugins.land.tax_notice import SPEC

    return (*ALL, SPEC)


@hookimpl
def register_permissions():
    from plugins.land.permissions import ALL

    return ALL


@hookimpl
def register_registries():
    from plugins.land.registry import REGISTRY

    return (REGISTRY,)


@hookimpl
def validate_application(procedure, page, data, ctx):
    from plugins.land.validation import validate

    return validate(procedure, page, data, ctx)


@hookimpl
def assign_step(dossier, step, ctx):
    from plugins.land.workflows import PARCEL_COMMUNE, assign_parcel_commune

    if step.agency != PARCEL_COMMUNE:
        return None
    return assign_parcel_commune(dossier, step, ctx)


@hookimpl
def compute_fee(procedure, application, ctx):
    from plugins.land.fees import quote

    return quote(procedure, application, ctx)


@hookimpl
def seed_demo_data(ctx):
    from plugins.land.demo import seed

    return seed(ctx)


@hookimpl
def register_routes():
    from plugins.land.controllers import ROUTES

    return ROUTES


@hookimpl
def menu_items(user, request):
    from core.api import L, MenuItem, has_permission
    from plugins.land.permissions import REGISTRY_VIEW

    if not has_permission(user, None, REGISTRY_VIEW):
        return []
    return [
        MenuItem(
            request.app.route_reverse("land_registry"), L("Cơ sở dữ liệu đất đai", "Land registry"), order=60
        )
    ]


@hookimpl
def dossier_panels(dossier, user, request):
    from plugins.land.panels import panels

    return panels(dossier, user)
