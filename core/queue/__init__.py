"""Queue tickets at an agency's one-stop counters: a kiosk issues numbered tickets per service group,
clerks call them to their counter, a hall screen shows who goes where."""
