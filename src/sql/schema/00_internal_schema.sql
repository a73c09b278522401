-- ====== Schemas ======
-- mycelium (the extension's schema, made by CREATE EXTENSION) holds what
-- applications and operators use: the tables, views and functions of
-- docs/reference.md. mycelium_internal holds what only the extension itself
-- uses: its keys, settings, job list and manifest, the trigger functions and
-- the helpers of its SECURITY DEFINER functions. No role but the extension's
-- owner has any privilege on it, and code generators and ORMs pointed at
-- mycelium never see it.
CREATE SCHEMA mycelium_internal;
COMMENT ON SCHEMA mycelium_internal IS 'Mycelium''s own keys, settings and helpers; nothing here is an API';
