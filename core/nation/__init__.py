"""The national public-service portal (Cổng Dịch vụ công quốc gia, R6, R31, R38): status pushed at
every change, portal dossiers pulled in with their code, a daily reconciliation — all through the outbox."""
