-- Reports (issue 6) read a table's situations submitted in a period, in
-- submission order (export pages), and never their free text: this index
-- finds them without the situations_table_state detour through each state.
CREATE INDEX situations_report ON situations(table_id, submitted_us, id);
