"""Site-wide choices an administrator makes while the app runs: the theme (``/quan-tri/giao-dien``).
Audited on the ``site`` chain."""

from __future__ import annotations

from core.audit import chain as audit
from core.contract.errors import InvalidInput
from core.contract.views import UserView
from core.settings import Settings
from core.text.themes import available_themes, chosen_theme, write_chosen_theme

__all__ = ("current_theme_name", "choose_theme")


def current_theme_name(settings: Settings) -> str:
    """The theme in use: the one chosen by an administrator, else ``MOTCUA_THEME``."""
    return chosen_theme(settings.data_dir, settings.theme)


async def choose_theme(actor: UserView, name: str, settings: Settings) -> bool:
    """Make ``name`` the site's theme (audited with the previous one); returns whether it changed.

    Raises:
        InvalidInput: at ``theme`` when ``name`` is not an installed theme.
    """
    names = [t.name for t in available_themes()]
    if name not in names:
        msg = "Vui lòng chọn một giao diện có trong danh sách."
        raise InvalidInput(msg, [("theme", msg)])
    before = current_theme_name(settings)
    if before == name:
        return False
    write_chosen_theme(settings.data_dir, name)
    await audit.append(
        "theme_changed",
        chain="site",
        actor_id=actor.id,
        object_type="theme",
        object_id=name,
        data={"from": before, "to": name},
    )
    return True
