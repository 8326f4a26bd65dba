"""Web shell: templates, rendering, navigation, themes, i18n, error pages.

One template, two renderings: the whole page or the htmx fragment."""
