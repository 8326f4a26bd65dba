"""What motcua holds about a person, handed to that person (Decree 13/2023/NĐ-CP on personal data
protection: the data subject's right to obtain their data). See ``core.privacy.export``."""
