BEGIN;
SELECT FROM mycelium.authenticate(:token);
SELECT * FROM mycelium.user_dashboard_data WHERE user_id = :user;
SELECT status, count(*) FROM mycelium.deliverables GROUP BY status ORDER BY status;
SELECT id, client_id, title, status, due_date, created_at FROM mycelium.deliverables ORDER BY created_at DESC, id DESC LIMIT 50;
COMMIT;
