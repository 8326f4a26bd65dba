"""Business registration: household business, enterprise establishment, changes of details.

Hook implementations only; the content lives in the modules of this package."""

from core.api import DomainInfo, L, hookimpl
from plugins.business_reg import fees, forms, procedures, results, validation, workflows


@hookimpl
def domain_info():
    return DomainInfo(
        code="business_reg",
        name=L("Đăng ký kinh doanh", "Business registration"),
        sectors=("G09-KH04",),
        slug="dang-ky-kinh-doanh",
    )


@hookimpl
def register_procedures():
    return procedures.ALL


@hookimpl
def register_forms():
    return forms.ALL


@hookimpl
def register_workflows():
    return workflows.ALL


@hookimpl
def register_result_documents():
    return results.ALL


@hookimpl
def register_permissions():
    from plugins.business_reg.permissions import ALL

    return ALL


@hookimpl
def register_piccolo_app():
    return "plugins.business_reg.piccolo_app"


@hookimpl
def register_registries():
    from plugins.business_reg.registry import REGISTRY

    return (REGISTRY,)


@hookimpl
def validate_application(procedure, page, data, ctx):
    if procedure.domain != "business_reg":
        return []
    return validation.validate(procedure, page, data, ctx)


@hookimpl
def compute_fee(procedure, application, ctx):
    return fees.quote(procedure, application, ctx)


@hookimpl
def register_routes():
    from plugins.business_reg.controllers import ROUTES

    return ROUTES


@hookimpl
def menu_items(user, request):
    from core.api import MenuItem

    # The register is public (what the national business portal publishes): everyone gets the link.
    return [
        MenuItem(
            request.app.route_reverse("business_reg_registry"),
            L("Tra cứu doanh nghiệp, hộ kinh doanh", "Business register"),
            order=61,
        )
    ]


@hookimpl
def dossier_panels(dossier, user, request):
    from plugins.business_reg.panels import panels

    return panels(dossier, user)


@hookimpl
def seed_demo_data(ctx):
    from plugins.business_reg.demo import seed

    return seed(ctx)
