"""Legal forms and result documents as PDF (WeasyPrint), with QR codes.

Rendered by background jobs, stored once, re-downloadable byte-identical."""
