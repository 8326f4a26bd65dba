"""Fee quotes, payments, refunds and VietQR codes.

Amounts are integer VND from the province fee table."""
