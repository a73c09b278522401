-- ====== Native functions (C++, src/pg) ======

CREATE OR REPLACE FUNCTION mycelium.uuid_v7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_uuid_v7'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.uuid_v7() IS
    'A time-ordered UUID (RFC 9562 version 7), monotonic within a backend; the default of every id';

CREATE OR REPLACE FUNCTION mycelium.uuid_v7_time(id uuid) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'mycelium_uuid_v7_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.uuid_v7_time(uuid) IS
    'The creation time (millisecond precision) carried by a version 7 UUID';

-- The staff policies' "one of the user's clients" (src/pg/uuid.cpp says why it
-- is not = ANY).
CREATE OR REPLACE FUNCTION mycelium.uuid_among(value uuid, ids uuid[]) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_uuid_among'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.uuid_among(uuid, uuid[]) IS
    'value = ANY (ids), with ids sorted once per call site and each call a binary search';

CREATE OR REPLACE FUNCTION mycelium.slugify(input text) RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_slugify'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.slugify(text) IS
    'Lower-case ASCII words joined by "-", transliterated with ICU (Café Münster → cafe-munster)';

-- An IANA Area/Location name that PostgreSQL knows ("Europe/Berlin"), or UTC or
-- GMT. Refused: POSIX offset strings such as 'UTC+3' (three hours *west* of UTC,
-- a trap in a settings form) and single names such as CET, which SQL's AT TIME
-- ZONE reads as a fixed-offset abbreviation. The same test as expand_recurrence,
-- so a zone the settings accept is one generation can use. IMMUTABLE so that a
-- CHECK constraint may use it: a name, once known, stays known when tzdata is
-- updated.
CREATE OR REPLACE FUNCTION mycelium.is_valid_time_zone(tz text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_valid_time_zone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Called first by every writing function: fails with SQLSTATE 25006 on a hot
-- standby or in a read-only transaction, naming the operation.
CREATE OR REPLACE FUNCTION mycelium.require_writable(operation text) RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_require_writable'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mycelium.require_writable(text) IS
    'Raises 25006 naming the operation when the transaction is read-only or the server a standby';

-- The role that called into Mycelium, not the SECURITY DEFINER owner a function
-- runs as: whose rights cross-tenant work without a tenant context checks
-- (mycelium_internal.acting_organizations).
CREATE OR REPLACE FUNCTION mycelium.calling_role() RETURNS regrole
    AS 'MODULE_PATHNAME', 'mycelium_calling_role'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.calling_role() IS
    'The role that called into Mycelium, outside any SECURITY DEFINER function (SET ROLE counts)';

-- ------ Recurrence (src/core/recurrence*, src/pg/recurrence.cpp) ------

-- The occurrences of an RFC 5545 RRULE (with RFC 7529 SKIP) or a 5-field cron
-- expression in [range_start, range_end), computed in a time zone (default: the
-- organization's when there is a tenant context, else the session's) and
-- returned one at a time. Bounded: more than 10,000 occurrences in one call, or
-- more than 100,000 candidate days (minutes, for cron) between two occurrences,
-- is an error (54000), never a hang. docs/recurrence.md.
CREATE OR REPLACE FUNCTION mycelium.expand_recurrence(
    rule        text,
    dtstart     timestamptz,
    range_start timestamptz,
    range_end   timestamptz,
    time_zone   text DEFAULT NULL
) RETURNS SETOF timestamptz
    AS 'MODULE_PATHNAME', 'mycelium_expand_recurrence'
    -- RESTRICTED: without a zone it looks up the organization's as the owner.
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 31;
COMMENT ON FUNCTION mycelium.expand_recurrence(text, timestamptz, timestamptz, timestamptz, text) IS
    'The occurrences of an RRULE or cron rule in [range_start, range_end), in a time zone, one at a time';

-- True, or 22023 naming the bad part of the rule: the CHECK on
-- deliverables.recurrence_rule, so a stored rule always parses.
CREATE OR REPLACE FUNCTION mycelium.check_recurrence_rule(rule text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_check_recurrence_rule'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.check_recurrence_rule(text) IS
    'True for a valid RRULE or cron rule; otherwise raises 22023 naming the bad part';

-- ------ Dates in words (src/core/date_labels.cpp, ICU) ------

-- A day in a locale's words for an ICU date skeleton: ('2026-12-01', 'de-DE',
-- 'yMMMM') is 'Dezember 2026'. STABLE, not IMMUTABLE: ICU's locale data changes
-- between releases.
CREATE OR REPLACE FUNCTION mycelium.date_label(day date, locale text, skeleton text DEFAULT 'yMMMM') RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_date_label'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.date_label(date, text, text) IS
    'A date in a locale''s words for an ICU date skeleton (yMMMM: December 2026)';

-- Whether a BCP 47 tag names a language ICU knows. IMMUTABLE so that the CHECK
-- on organization_settings.locale may use it (a language, once known, stays so).
CREATE OR REPLACE FUNCTION mycelium.is_known_locale(locale text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_known_locale'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.is_known_locale(text) IS
    'Whether a BCP 47 language tag (en-US, de-DE) names a language ICU knows';

-- The check of integrations.webhook_url (src/core/webhook.cpp): an absolute https
-- URL with a host, no user name or password, no whitespace or control character.
CREATE OR REPLACE FUNCTION mycelium.is_valid_webhook_url(url text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_valid_webhook_url'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.is_valid_webhook_url(text) IS
    'Whether a webhook may be sent to the URL: https, a host, no credentials in it';
