-- Answers that grow with the data come in pages (issue 14). A situation's
-- disclosure register is read page by page from its audit events: this
-- index finds them without reading the whole log.
CREATE INDEX audit_events_situation ON audit_events(situation, seq);
