-- Reports (issue 6) read a table's situations submitted in a period, in
-- submission order (export pages), and never their free text. This index
-- holds every column a summary reads, so a summary scans the index alone:
-- a table's situations lie together in it, where the rows (with their
-- narratives) are spread across the file among every other table's.
CREATE INDEX situations_report ON situations(
  table_id, submitted_us, id, state, situation_type, age_band, gender, originating_agency_id,
  decided_us, rejection_reason, intervened_us, lead_agency_id, ack_due_us, acked_us,
  intervention_due_us, closed_us, closure_reason);
