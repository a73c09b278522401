BEGIN;
SELECT * FROM mycelium.user_dashboard_data WHERE organization_id = :org AND user_id = :user;
SELECT status, count(*) FROM mycelium.deliverables WHERE organization_id = :org AND (assigned_user_id = :user OR client_id IN (SELECT ca.client_id FROM mycelium.client_assignments ca WHERE ca.organization_id = :org AND ca.user_id = :user AND ca.is_active)) GROUP BY status ORDER BY status;
SELECT id, client_id, title, status, due_date, created_at FROM mycelium.deliverables WHERE organization_id = :org AND (assigned_user_id = :user OR client_id IN (SELECT ca.client_id FROM mycelium.client_assignments ca WHERE ca.organization_id = :org AND ca.user_id = :user AND ca.is_active)) ORDER BY created_at DESC, id DESC LIMIT 50;
COMMIT;
