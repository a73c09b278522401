BEGIN;
SELECT status, count(*) FROM mycelium.deliverables WHERE organization_id = :org AND client_id = :client GROUP BY status ORDER BY status;
SELECT id, client_id, title, status, due_date, created_at FROM mycelium.deliverables WHERE organization_id = :org AND client_id = :client ORDER BY created_at DESC, id DESC LIMIT 50;
COMMIT;
