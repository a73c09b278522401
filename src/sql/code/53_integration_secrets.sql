-- ====== Integration secrets (native: src/core/webhook.*, src/core/secret_box.*) ======
-- docs/integrations.md, "Secrets". The secret settings of an integration (a
-- signing secret, a Slack incoming-webhook URL, ...) are kept encrypted with
-- AES-256-GCM in mycelium.integrations.secrets, never in config; the keys are in
-- mycelium_internal.integration_keys, which no role but the owner can read and
-- pg_dump leaves out. Only the extension's SECURITY DEFINER functions decrypt.

-- The Standard Webhooks signature of one delivery: "v1," and the base64 of
-- HMAC-SHA256 under the secret's key of "<message_id>.<sent_at>.<body>". Private:
-- the extension signs with a secret it has just decrypted, so no role holds it.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_signature(secret text, message_id text, sent_at bigint,
                                                              body text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_webhook_signature'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- A new signing secret: "whsec_" and the base64 of 32 random bytes.
CREATE OR REPLACE FUNCTION mycelium_internal.generate_webhook_secret() RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_generate_webhook_secret'
    LANGUAGE C VOLATILE STRICT;
