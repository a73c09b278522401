BEGIN;
SELECT * FROM mycelium.user_dashboard_data WHERE organization_id = :org AND user_id = :user;
SELECT status, count(*) FROM mycelium.deliverables WHERE organization_id = :org GROUP BY status ORDER BY status;
SELECT id, client_id, title, status, due_date, created_at FROM mycelium.deliverables WHERE organization_id = :org ORDER BY created_at DESC, id DESC LIMIT 50;
COMMIT;
