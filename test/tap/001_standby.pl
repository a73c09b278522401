# A streaming standby of a Mycelium database, with PostgreSQL's own TAP test
# framework: the standby reads exactly what the primary has, refuses every
# writing function of the extension with SQLSTATE 25006 and changes nothing,
# and its pg_cron stays idle until it is promoted, after which the scheduled
# job runs there. Run by test/tap/run, which sets up the environment.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $demo = $ENV{MYCELIUM_DEMO_SQL} or die "MYCELIUM_DEMO_SQL must name demo/demo.sql";

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# As scripts/with-cluster runs pg_cron: in background workers, in database postgres.
$primary->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_cron; CREATE EXTENSION mycelium;');
$primary->safe_psql('postgres', slurp_file($demo));
$primary->safe_psql('postgres', q{
    SELECT mycelium.set_jwt_secret('a-token-key-of-at-least-thirty-two-bytes');
    CREATE ROLE standby_app LOGIN;
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

# Every table and view of the extension, one line each: name, row count and a
# hash of all rows in a fixed order; then pg_cron's jobs and their runs.
my $fingerprint_sql = q{
SELECT format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), ''-'') FROM %s t',
              c.oid::regclass, c.oid::regclass)
FROM pg_catalog.pg_class c
WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND c.relkind IN ('r', 'v')
ORDER BY c.oid::regclass::text
\gexec
SELECT 'cron.job ' || count(*) || ' ' || coalesce(md5(string_agg(j::text, '|' ORDER BY j.jobid)), '-') FROM cron.job j;
SELECT 'cron.job_run_details ' || count(*) FROM cron.job_run_details;
};
sub fingerprint { return $_[0]->safe_psql('postgres', $fingerprint_sql); }

# ---------------------------------------------------------------------------
# Reads: identical on both.
my $on_primary = fingerprint($primary);
my $relations  = () = $on_primary =~ /^\S+ \d+ \S+$/mg;
cmp_ok($relations, '>=', 20, "the fingerprint covers the extension's tables and views ($relations)");
like($on_primary, qr/^mycelium\.deliverables [1-9]/m, 'the demo agency has deliverables');
is(fingerprint($standby), $on_primary, 'every table and view reads the same on the standby as on the primary');

# Reads through the extension's functions: a tenant context (sealed with the key
# in auth_keys) and what it shows, a custom-field check, productivity, health.
my $function_reads = q{
BEGIN;
SELECT mycelium.set_context(organization_id, id, 'VIDEO_EDITOR')
  FROM mycelium.users WHERE email = 'maya@isemediaagency.com';
SELECT count(*) || ' deliverables visible to the editor' FROM mycelium.deliverables;
SELECT count(*) || ' problems' FROM mycelium.validate_custom_fields(
    (SELECT id FROM mycelium.service_types WHERE slug = 'social'), '{"edit_by_date": "2026-02-30"}');
COMMIT;
SELECT count(*) || ' productivity rows' FROM mycelium.productivity_scores();
SELECT jsonb_typeof(mycelium.database_health_check());
};
my $reads_on_primary = $primary->safe_psql('postgres', $function_reads);
like($reads_on_primary, qr/^[1-9]\d* deliverables visible/m, 'the editor sees deliverables on the primary');
is($standby->safe_psql('postgres', $function_reads), $reads_on_primary,
    'contexts, field checks, productivity and the health check answer the same on the standby');

# ---------------------------------------------------------------------------
# Writes: every writing function of the extension, called on the standby.
my $recipient = $primary->safe_psql('postgres',
    'SELECT organization_id || \',\' || id FROM mycelium.notification_recipients ORDER BY id LIMIT 1');
my ($recipient_org, $recipient_id) = split /,/, $recipient;
ok($recipient_id, 'the demo made a notification recipient for finish_delivery');
my %writing = (
    set_jwt_secret => q{SELECT mycelium.set_jwt_secret('another-token-key-of-at-least-thirty-two-bytes')},
    create_organization => q{SELECT mycelium.create_organization('Standby Agency')},
    cleanup_old_activity_logs => q{SELECT mycelium.cleanup_old_activity_logs(interval '0 days')},
    archive_old_deliverables => q{SELECT mycelium.archive_old_deliverables(interval '0 days')},
    generate_recurring_deliverables => q{SELECT count(*) FROM mycelium.generate_recurring_deliverables()},
    sweep_overdue => q{SELECT count(*) FROM mycelium.sweep_overdue()},
    sweep_due_soon => q{SELECT count(*) FROM mycelium.sweep_due_soon()},
    announce_maintenance => q{SELECT mycelium.announce_maintenance('Upgrade', 'Down for ten minutes', now())},
    claim_deliveries => q{SELECT count(*) FROM mycelium.claim_deliveries('EMAIL')},
    finish_delivery => "SELECT mycelium.finish_delivery('$recipient_org', '$recipient_id', 1)",
    finish_deliveries => "SELECT count(*) FROM mycelium.finish_deliveries('{$recipient_org}', '{$recipient_id}', '{1}')",
    claim_webhook_deliveries => q{SELECT count(*) FROM mycelium.claim_webhook_deliveries()},
    finish_webhook_delivery => "SELECT mycelium.finish_webhook_delivery('$recipient_org', '$recipient_id', 1)",
    run_job => q{SELECT mycelium.run_job('sweep_overdue')},
    schedule_jobs => q{SELECT count(*) FROM mycelium.schedule_jobs()},
    unschedule_jobs => q{SELECT mycelium.unschedule_jobs()},
    grant_access => q{SELECT mycelium.grant_access('standby_app', 'app')},
    configure => q{SELECT mycelium.configure('require_signed_context', 'on')},
    verify_custom_domain => q{SELECT mycelium.verify_custom_domain('mycelium-domain-verification=0')},
    set_password => q{SELECT mycelium.set_password('550e8400-e29b-41d4-a716-446655440001', 'a long standby password')},
    change_password => q{SELECT mycelium.change_password('old password here', 'new password here')},
    sign_out => q{SELECT mycelium.sign_out()},
    set_temporary_password => q{SELECT mycelium.set_temporary_password('550e8400-e29b-41d4-a716-446655440001')},
    force_password_change => q{SELECT mycelium.force_password_change('550e8400-e29b-41d4-a716-446655440001')},
    lock_account => q{SELECT mycelium.lock_account('550e8400-e29b-41d4-a716-446655440001')},
    request_password_reset => q{SELECT mycelium.request_password_reset('550e8400-e29b-41d4-a716-446655440000', 'a@b.example')},
    reset_password => q{SELECT * FROM mycelium.reset_password('a reset secret', 'a long new password')},
    request_email_verification => q{SELECT mycelium.request_email_verification('550e8400-e29b-41d4-a716-446655440000', 'a@b.example')},
    verify_email => q{SELECT * FROM mycelium.verify_email('a verification secret')},
    invite_user => q{SELECT * FROM mycelium.invite_user('new@b.example', 'New', 'FILMER')},
    invite_client_user => q{SELECT * FROM mycelium.invite_client_user('550e8400-e29b-41d4-a716-446655440000', 'new@b.example', 'New')},
    accept_invitation => q{SELECT * FROM mycelium.accept_invitation('an invitation secret', 'a long new password')},
    sign_up => q{SELECT * FROM mycelium.sign_up('Standby Agency', 'new@b.example', 'New', 'a long new password')},
    development_token => q{SELECT * FROM mycelium.development_token('550e8400-e29b-41d4-a716-446655440000', 'a@b.example')},
    set_identity_provider => q{SELECT mycelium.set_identity_provider('https://idp.example', '{"keys": []}')},
    remove_identity_provider => q{SELECT mycelium.remove_identity_provider('https://idp.example')},
    link_identity => q{SELECT mycelium.link_identity('550e8400-e29b-41d4-a716-446655440001', 'https://idp.example', 'sub')},
    unlock_account => q{SELECT mycelium.unlock_account('550e8400-e29b-41d4-a716-446655440001')},
    import_password_hash => q{SELECT mycelium.import_password_hash('550e8400-e29b-41d4-a716-446655440001', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')},
    reveal_integration_secret => q{SELECT mycelium.reveal_integration_secret('550e8400-e29b-41d4-a716-446655440000', 'webhook_url')},
    rotate_integration_key => q{SELECT mycelium.rotate_integration_key()},
    reencrypt_integration_secrets => q{SELECT mycelium.reencrypt_integration_secrets()},
    retire_integration_keys => q{SELECT mycelium.retire_integration_keys()},
);

# The list above is every function that guards itself with require_writable: a
# new writing function must be added here to be tested.
my $guarded = $primary->safe_psql('postgres', q{
    SELECT string_agg(p.proname, ' ' ORDER BY p.proname)
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'mycelium'::regnamespace
       AND p.prosrc ~ 'mycelium\.require_writable\('});
is($guarded, join(' ', sort keys %writing), 'the test calls every function that calls require_writable');

my $before = fingerprint($standby);
for my $name (sort keys %writing) {
    my ($ret, $stdout, $stderr) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$writing{$name};");
    isnt($ret, 0, "$name fails on the standby");
    like($stderr, qr/ERROR:\s+25006: cannot execute mycelium\.\Q$name\E\(\) during recovery/,
        "$name: SQLSTATE 25006, naming the function and the recovery");
}
is(fingerprint($standby), $before, 'the refused calls changed nothing on the standby');
is(fingerprint($primary), $on_primary, 'nor on the primary');

# ---------------------------------------------------------------------------
# pg_cron: the primary runs a job every minute; the standby, which replays the
# schedule and the runs, starts no scheduler and runs nothing until promoted.
$primary->safe_psql('postgres', q{
    SELECT count(*) FROM mycelium.schedule_jobs(sweep_overdue => '* * * * *', sweep_due_soon => NULL,
        generate_recurring => NULL, cleanup_activity_logs => NULL, archive_deliverables => NULL)});
ok($primary->poll_query_until('postgres',
        q{SELECT count(*) > 0 FROM mycelium.job_runs WHERE job = 'sweep_overdue' AND finished_at IS NOT NULL}),
    'the primary runs the scheduled job');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', q{SELECT count(*) FROM cron.job WHERE command LIKE '%run_job(%sweep_overdue%'}),
    '1', 'the standby has the schedule');
is($standby->safe_psql('postgres',
        q{SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'pg_cron launcher'}),
    '0', 'no pg_cron scheduler runs on the standby');
# The same patterns do appear in the primary's log, so their absence means something.
ok($primary->log_contains(qr/pg_cron scheduler started/) && $primary->log_contains(qr/cron job \d+/),
    'the primary log shows its scheduler and the job started');
ok(!$standby->log_contains(qr/pg_cron scheduler started|cron job \d+/),
    'the standby log shows no scheduler and no job started');

$primary->stop('fast');
my $log_offset = -s $standby->logfile;
$standby->promote;
ok($standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'), 'the standby is promoted');
my $promoted_at = $standby->safe_psql('postgres', 'SELECT now()');
ok($standby->poll_query_until('postgres', qq{
        SELECT count(*) > 0 FROM mycelium.job_runs
         WHERE job = 'sweep_overdue' AND started_at >= '$promoted_at' AND finished_at IS NOT NULL}),
    'after promotion, pg_cron runs the scheduled job on the new primary');
is($standby->safe_psql('postgres', qq{
        SELECT count(*) FROM mycelium.job_runs WHERE started_at >= '$promoted_at' AND error IS NOT NULL}),
    '0', 'and the job succeeds');
ok($standby->log_contains(qr/pg_cron scheduler started/, $log_offset), 'its scheduler started at promotion');

$standby->stop;
done_testing();
