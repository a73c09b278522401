-- Class 6: a deliverable aimed at another organization's service type learns
-- nothing of that organization's field definitions, and nothing tells "not
-- yours" from "does not exist".
BEGIN;
SELECT plan(8);

CREATE FUNCTION pg_temp.insert_into(org uuid, service uuid) RETURNS text LANGUAGE sql AS $$
    SELECT format('INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title,
                       status, created_by_id, custom_fields)
                   VALUES (%L, %L, %L, %L, %L, %L, %L)',
                  org, sec.id('b', 'client', 1), service, 'probe', 'IN_PROGRESS', sec.id('b', 'user', 1),
                  '{"f_select": "nope", "f_text": "NOPE 1", "f_user_select": "x"}')
$$;

SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3))),
          '42501', 'A''s ADMIN aiming at B''s service type is refused by row-level security');
SELECT ok(sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3)))
              !~ '(of b|secret-option-b|f_select|f_text|f_user_select|All fields)',
          'and the error names none of B''s definitions');
SELECT is(sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3))),
          sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), mycelium.uuid_v7())),
          'the same error as for a service type that does not exist');
SELECT is(sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3))),
          sec.error_of(pg_temp.insert_into(mycelium.uuid_v7(), mycelium.uuid_v7())),
          'and as for an organization that does not exist');

SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3))),
          '42501', 'a portal user of A is refused the same way');
SELECT ok(sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3)))
              !~ '(of b|secret-option-b|f_select|f_text|All fields)',
          'and learns nothing of B''s definitions');

SELECT set_config('mycelium.context', '', true);
SELECT ok(sec.error_of(pg_temp.insert_into(sec.id('b', 'organization'), sec.id('b', 'service_type', 3)))
              !~ '(of b|secret-option-b|f_select|f_text|All fields)',
          'nor does a role without a context');

-- Control: the same mistake in one's own organization is explained in full.
SELECT sec.act_as('a', 1);
SELECT ok(sec.error_of(replace(pg_temp.insert_into(sec.id('a', 'organization'), sec.id('a', 'service_type', 3)),
                               sec.id('b', 'client', 1)::text, sec.id('a', 'client', 1)::text))
              ~ 'Secret SELECT of a',
          'control: in its own organization the ADMIN gets the field-by-field detail');
SELECT * FROM finish();
ROLLBACK;
