"""The reception-and-return desk (bộ phận một cửa): the counter's cash book, its end-of-day closing,
and the desk's look-ups (a returning applicant, dossiers waiting for intake or for hand-back)."""
