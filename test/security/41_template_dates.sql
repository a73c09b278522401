-- A recurring template whose dates generation cannot use is refused when it is
-- written, not when generation copies it for every organization at once: an
-- infinite start or due date, or a span from start to due of more than five
-- years (generation adds the span to each occurrence). Other deliverables keep
-- their freedom. test/security/40_job_boundaries.sh shows the run surviving a
-- template that goes bad after it was saved.
BEGIN;
SELECT plan(8);

SELECT sec.act_as('a', 1);
CREATE FUNCTION pg_temp.template(start_date text, due_date text, recurring boolean DEFAULT true) RETURNS text
    LANGUAGE sql AS $$
    SELECT sec.error_of(format(
        $i$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id,
                                              start_date, due_date, is_recurring, recurrence_rule, custom_fields)
           VALUES (%L, %L, %L, 'Template', %L, %L, %L, %L, %L, '{}')$i$,
        sec.id('a', 'organization'), sec.id('a', 'client', 1), sec.id('a', 'service_type', 1),
        sec.id('a', 'user', 1), start_date, due_date, recurring,
        CASE WHEN recurring THEN 'FREQ=WEEKLY;BYDAY=MO' END))
$$;

SELECT is(sec.sqlstate_of(format($$INSERT INTO mycelium.deliverables
        (organization_id, client_id, service_type_id, title, created_by_id, due_date, is_recurring, recurrence_rule,
         custom_fields)
        VALUES (%L, %L, %L, 'Forever', %L, 'infinity', true, 'FREQ=WEEKLY;BYDAY=MO', '{}')$$,
        sec.id('a', 'organization'), sec.id('a', 'client', 1), sec.id('a', 'service_type', 1),
        sec.id('a', 'user', 1))),
    '23514', 'a template due at infinity is refused with 23514');
-- (A finiteness check on the column itself, where there is one, may speak first.)
SELECT alike(pg_temp.template('2026-01-05', 'infinity'), '%violates check constraint "deliverables_%finite"%',
             'and the refusal names a finite-dates constraint');
SELECT alike(pg_temp.template('-infinity', '2026-01-05'), '%violates check constraint "deliverables_%finite"%',
             'a template starting at -infinity is refused');
SELECT alike(pg_temp.template('0001-01-01', '9999-01-01'), '%deliverables_template_span_at_most_5_years%',
             'a template spanning ten thousand years is refused, naming the span constraint');
SELECT alike(pg_temp.template('2026-01-05', '2031-01-06'), '%deliverables_template_span_at_most_5_years%',
             'so is one a day over five years');
SELECT is(pg_temp.template('2026-01-05', '2031-01-05'), NULL, 'a template spanning exactly five years is accepted');
SELECT is(pg_temp.template('2026-01-05', '2036-01-05', false), NULL,
          'a deliverable that is not a template may span ten years');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.deliverables SET due_date = 'infinity'
                                   WHERE organization_id = %L AND title = 'Template' AND is_recurring$$,
                                 sec.id('a', 'organization'))),
          '23514', 'an existing template cannot be moved to infinity either');

SELECT * FROM finish();
ROLLBACK;
