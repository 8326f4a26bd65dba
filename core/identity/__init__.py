"""Users, agencies (a tree), role grants per agency, login and sessions.

Guards on every route read the grants kept here."""
