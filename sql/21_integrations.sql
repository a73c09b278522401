-- Integrations (issue #17): secrets encrypted at rest and never returned by a
-- SELECT, webhook_url checked, Slack deliveries only for organizations with a
-- connected Slack integration (and the URL handed to the delivery worker), key
-- rotation, the LISTEN channel of in-app notifications. Non-superuser roles of
-- two organizations.
\i sql/include/helpers.psql

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, timezone, notification_frequency,
                                            enable_slack_notifications) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'UTC', 'immediate', true),
    ('0000000b-0000-7000-8000-000000000000', 'UTC', 'immediate', true);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'vic@a.example', 'Vic', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE');
DROP ROLE IF EXISTS regress_int_app;
CREATE ROLE regress_int_app;
SELECT mycelium.grant_access('regress_int_app', 'app');
DROP ROLE IF EXISTS regress_int_ops;
CREATE ROLE regress_int_ops;
SELECT mycelium.grant_access('regress_int_ops', 'maintenance');
DROP ROLE IF EXISTS regress_int_mailer;
CREATE ROLE regress_int_mailer;
SELECT mycelium.grant_access('regress_int_mailer', 'delivery');
RESET client_min_messages;

-- ADMIN A connects Slack and a webhook endpoint; B a webhook endpoint only.
SET ROLE regress_int_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, is_connected, config)
VALUES ('0000000a-0000-7000-8000-000000000051', '0000000a-0000-7000-8000-000000000000', 'SLACK', 'Slack', true, true,
        '{"webhook_url": "https://hooks.slack.com/services/T0A/B0A/slack-secret-of-a", "channel": "#studio"}')
RETURNING type, config, ARRAY(SELECT jsonb_object_keys(secrets)) AS secret_names,
          secrets::text LIKE '%slack-secret-of-a%' AS plaintext_in_secrets;
INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, is_connected, config, webhook_url)
VALUES ('0000000a-0000-7000-8000-000000000052', '0000000a-0000-7000-8000-000000000000', 'WEBHOOKS', 'Hooks', true, true,
        '{"events": ["deliverable.completed"]}', 'https://hooks.a.example/in')
RETURNING type, config, ARRAY(SELECT jsonb_object_keys(secrets)) AS secret_names;
-- What an ADMIN's SELECT shows: settings, the names of the secrets, ciphertext.
SELECT type, config, webhook_url, ARRAY(SELECT jsonb_object_keys(secrets)) AS secret_names,
       secrets::text LIKE '%slack-secret-of-a%' OR secrets::text LIKE '%whsec%' AS plaintext
  FROM mycelium.integrations ORDER BY type;
-- An ADMIN reads a secret through the function made for it (recorded).
SELECT left(mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000052', 'signing_secret'), 6) AS prefix,
       length(mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000052', 'signing_secret')) AS length;
SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000051', 'webhook_url');
SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000051', 'bot_token') IS NULL AS no_bot_token;
-- webhook_url: https, a host, no credentials (23514 naming the column's check).
SELECT u, regress.try(format('UPDATE mycelium.integrations SET webhook_url = %L WHERE type = ''WEBHOOKS''', u))
  FROM unnest(ARRAY['not-a-url', 'http://hooks.a.example/in', 'https://', 'https:///in',
                    'https://user:pw@hooks.a.example/in', 'https://hooks.a.example@evil.example/',
                    'javascript:alert(1)', 'https://hooks.a.example/in two', E'https://hooks.a.example/\n',
                    'https://hooks.a.example:99999/', 'HTTPS://Hooks.A.Example:8443/in?x=1']) AS u;
-- Secrets written badly: named, never shown.
SELECT regress.try($$UPDATE mycelium.integrations SET config = config || '{"webhook_url": "http://hooks.slack.com/x"}'
                     WHERE type = 'SLACK'$$);
SELECT regress.try($$UPDATE mycelium.integrations SET config = config || '{"bot_token": 42}' WHERE type = 'SLACK'$$);
SELECT regress.try($$UPDATE mycelium.integrations SET config = config || '{"signing_secret": "whsec_short"}'
                     WHERE type = 'WEBHOOKS'$$);
-- secrets is not written directly: not garbage, not a sealed value of another name.
SELECT regress.try($$UPDATE mycelium.integrations SET secrets = '{"webhook_url": "x"}' WHERE type = 'SLACK'$$);
SELECT regress.try($$UPDATE mycelium.integrations
                        SET secrets = jsonb_build_object('webhook_url', secrets ->> 'signing_secret',
                                                         'signing_secret', secrets ->> 'signing_secret')
                      WHERE type = 'WEBHOOKS'$$);
SELECT regress.try($$UPDATE mycelium.integrations SET secrets = secrets || '{"other": "y"}' WHERE type = 'SLACK'$$);
-- A new signing secret: null in config makes one.
CREATE TEMP TABLE old_secret AS
SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000052', 'signing_secret') AS s;
UPDATE mycelium.integrations SET config = config || '{"signing_secret": null}' WHERE type = 'WEBHOOKS';
SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000052', 'signing_secret') <> s AS renewed
  FROM old_secret;
COMMIT;

-- Staff of A and the ADMIN of B: no secret of A.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
SELECT count(*) AS integrations_staff_sees FROM mycelium.integrations;
SELECT regress.try($$SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000051', 'webhook_url')$$);
ROLLBACK;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
SELECT count(*) AS integrations_b_sees FROM mycelium.integrations;
SELECT regress.try($$SELECT mycelium.reveal_integration_secret('0000000a-0000-7000-8000-000000000051', 'webhook_url')$$);
INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, is_connected, config, webhook_url)
VALUES ('0000000b-0000-7000-8000-000000000052', '0000000b-0000-7000-8000-000000000000', 'WEBHOOKS', 'Hooks', true, true,
        '{}', 'https://hooks.b.example/in');
-- A's ciphertext copied into B's row does not open there.
SELECT regress.try($$UPDATE mycelium.integrations SET secrets = '{"signing_secret": "00000000-0000-7000-8000-000000000000.AAAA"}'$$);
-- The private functions are nobody's.
SELECT regress.try($$SELECT mycelium_internal.integration_secret('0000000b-0000-7000-8000-000000000000',
                                                                 '0000000b-0000-7000-8000-000000000052', 'signing_secret')$$);
SELECT regress.try($$SELECT mycelium_internal.webhook_signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'm', 1, '')$$);
SELECT regress.try($$SELECT * FROM mycelium_internal.integration_keys$$);
COMMIT;
RESET ROLE;

-- As the superuser: B's row cannot take A's ciphertext either.
SELECT regress.try($$UPDATE mycelium.integrations b SET secrets = a.secrets FROM mycelium.integrations a
                      WHERE a.id = '0000000a-0000-7000-8000-000000000052' AND b.id = '0000000b-0000-7000-8000-000000000052'$$);
-- The extension's reader, and the record of every use (never the value).
SELECT mycelium_internal.integration_secret('0000000a-0000-7000-8000-000000000000',
                                            '0000000a-0000-7000-8000-000000000051', 'webhook_url');
SELECT mycelium_internal.integration_secret('0000000a-0000-7000-8000-000000000000',
                                            '0000000a-0000-7000-8000-000000000051', 'bot_token') IS NULL AS none;
SELECT o.slug, u.name, u.purpose, u.used_by, u.app_user_id IS NOT NULL AS by_app_user, count(*)
  FROM mycelium_internal.integration_secret_uses u JOIN mycelium.organizations o ON o.id = u.organization_id
 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
-- No plaintext anywhere in the tables a SELECT or a dump reads.
SELECT count(*) AS rows_with_plaintext FROM mycelium.integrations
 WHERE config::text LIKE '%slack-secret%' OR secrets::text LIKE '%slack-secret%' OR config::text LIKE '%whsec%';
SELECT count(*) AS log_rows_with_plaintext FROM mycelium.activity_logs
 WHERE coalesce(old_values::text, '') || coalesce(new_values::text, '') LIKE '%slack-secret%';
-- Altered ciphertext: an error naming the secret, never a value.
\set VERBOSITY default
\set SHOW_CONTEXT never
UPDATE mycelium.integrations SET secrets = jsonb_set(secrets, '{webhook_url}',
    to_jsonb(overlay(secrets ->> 'webhook_url' placing 'AAAA' from 40)))
 WHERE id = '0000000a-0000-7000-8000-000000000051';
BEGIN;
SET LOCAL session_replication_role = replica;  -- past the trigger, as a corrupt disk would be
UPDATE mycelium.integrations SET secrets = jsonb_set(secrets, '{webhook_url}',
    to_jsonb(overlay(secrets ->> 'webhook_url' placing 'AAAA' from 40)))
 WHERE id = '0000000a-0000-7000-8000-000000000051';
SELECT mycelium_internal.integration_secret('0000000a-0000-7000-8000-000000000000',
                                            '0000000a-0000-7000-8000-000000000051', 'webhook_url');
ROLLBACK;

-- Slack deliveries: A (Slack connected) gets them, B (enabled in its settings,
-- but no Slack integration) does not; the worker gets A's URL.
SET ROLE regress_int_ops;
SELECT mycelium.announce_maintenance('Upgrade', 'Down for ten minutes.', '2026-12-24 02:00+00');
RESET ROLE;
SELECT o.slug, r.channel, count(*)
  FROM mycelium.notification_recipients r JOIN mycelium.organizations o ON o.id = r.organization_id
 GROUP BY 1, 2 ORDER BY 1, 2;
SET ROLE regress_int_mailer;
SELECT channel, user_name, slack_webhook_url FROM mycelium.claim_deliveries('slack', 10);
SELECT channel, slack_webhook_url FROM mycelium.claim_deliveries('email', 10) ORDER BY user_name;
RESET ROLE;
-- A disabled Slack integration: no Slack delivery queued.
UPDATE mycelium.integrations SET is_enabled = false WHERE type = 'SLACK';
SET ROLE regress_int_ops;
SELECT mycelium.announce_maintenance('Again', 'Down for five minutes.', '2026-12-25 02:00+00');
RESET ROLE;
SELECT n.title, r.channel, count(*)
  FROM mycelium.notification_recipients r JOIN mycelium.notifications n ON n.organization_id = r.organization_id
                                                                      AND n.id = r.notification_id
 WHERE n.title = 'Again' GROUP BY 1, 2 ORDER BY 1, 2;

-- Key rotation: a new current key, the rows moved in batches, the old key retired;
-- every secret still opens.
SELECT count(*) AS keys FROM mycelium_internal.integration_keys;
SELECT mycelium.rotate_integration_key() IS NOT NULL AS rotated;
SELECT count(*) AS keys, count(*) FILTER (WHERE is_current) AS current FROM mycelium_internal.integration_keys;
SELECT mycelium.retire_integration_keys() AS retired_too_early;
SELECT mycelium.reencrypt_integration_secrets(2) AS batch_1;
SELECT mycelium.reencrypt_integration_secrets(2) AS batch_2;
SELECT mycelium.reencrypt_integration_secrets(2) AS batch_3;
SELECT mycelium.retire_integration_keys() AS retired;
SELECT count(*) AS keys FROM mycelium_internal.integration_keys;
SELECT mycelium_internal.integration_secret('0000000a-0000-7000-8000-000000000000',
                                            '0000000a-0000-7000-8000-000000000051', 'webhook_url');
SELECT left(mycelium_internal.integration_secret(organization_id, id, 'signing_secret'), 6)
  FROM mycelium.integrations WHERE type = 'WEBHOOKS' ORDER BY organization_id;
SELECT regress.try('SELECT mycelium.reencrypt_integration_secrets(0)');
SET ROLE regress_int_ops;
SELECT regress.try('SELECT mycelium.rotate_integration_key()');
RESET ROLE;

-- The LISTEN channel: one per account, not derivable from ids, the same in every
-- session; an application's role may not compute another's.
SET ROLE regress_int_app;
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
CREATE TEMP TABLE chan_a AS SELECT mycelium.notification_channel() AS c;
COMMIT;
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
SELECT c ~ '^mycelium_[0-9a-f]{48}$' AS form, c <> mycelium.notification_channel() AS differs FROM chan_a;
SELECT regress.try($$SELECT mycelium_internal.listen_channel('0000000a-0000-7000-8000-000000000000', false,
                                                             '0000000a-0000-7000-8000-0000000000a1')$$);
COMMIT;
SELECT regress.try('SELECT mycelium.notification_channel()');
RESET ROLE;
SELECT mycelium_internal.listen_channel('0000000a-0000-7000-8000-000000000000', false,
                                        '0000000a-0000-7000-8000-0000000000a1') = c AS stable FROM chan_a;
DROP TABLE chan_a;

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
DROP OWNED BY regress_int_app, regress_int_ops, regress_int_mailer;
DROP ROLE regress_int_app, regress_int_ops, regress_int_mailer;
