"""Registering the temporary domain plugin (``tests/fixtures/catalogue_plugin.py``) really adds its
declarations to the catalogue, and they leave with it."""

from __future__ import annotations

from tests.fixtures.catalogue_plugin import BIRTH, DOMAIN


def test_demo_plugin_is_in_the_catalogue(demo_plugin):
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    assert cat.procedure(BIRTH).name.vi == "Đăng ký khai sinh"
    assert cat.owner[f"procedure:{BIRTH}"] == "catalogue-test-plugin"
    assert cat.domain_plugin[DOMAIN] == "catalogue-test-plugin"


def test_catalogue_is_restored_after_the_plugin_leaves():
    from core.catalogue.registry import get_catalogue

    assert get_catalogue().procedure(BIRTH) is None
