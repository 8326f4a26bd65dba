"""Statistics for leaders: counters kept in each transition's transaction, the overdue-now and
who-holds-what queries, the Decision 766 indicators, and the periodic reports (PDF, Excel)."""
