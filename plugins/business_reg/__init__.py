"""Business registration: household business, enterprise establishment, changes of details.

Hook implementations only; the content lives in the modules of this package."""

from core.api import DomainInfo, L, PermissionSpec, hookimpl

from plugins.business_reg import fees, forms, procedures, results, validation, workflows


@hookimpl
def domain_info():
    return DomainInfo(code="business_reg", name=L("Đăng ký kinh doanh", "Business registration"), sectors=("G09-KH04",))


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
    return (
        PermissionSpec("business_reg.register.view", L("Tra cứu sổ đăng ký doanh nghiệp, hộ kinh doanh", "Look up the business register"),
                       default_roles=("receiver", "specialist", "approver")),
    )


@hookimpl
def register_piccolo_app():
    return "plugins.business_reg.piccolo_app"


@hookimpl
def validate_application(procedure, page, data, ctx):
    if procedure.domain != "business_reg":
        return []
    return validation.validate(procedure, page, data, ctx)


@hookimpl
def compute_fee(procedure, application, ctx):
    return fees.quote(procedure, application, ctx)
