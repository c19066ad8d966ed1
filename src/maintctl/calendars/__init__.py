"""Outside iCalendar feeds whose events count as conflicts."""
