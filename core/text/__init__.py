"""Words and looks shared by pages, PDFs and messages: gettext catalogues, the Jinja environment
(theme > plugins > core), Vietnamese formats of money and time, themes."""
