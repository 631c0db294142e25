-- Integrity between Temporal and Postgres.
--
-- first_run_id names the workflow run chain a program's row belongs to (the
-- first run's ID, kept across continue-as-new): a second, unrelated run of
-- the same program (after Temporal's state was lost) can never write under
-- the first one's row. Rows written before this migration have '' and take
-- the next writer's ID.
alter table programs add column first_run_id text not null default '';

-- Programs set aside by `suivi program forget` after Temporal lost their
-- workflow: their whole record (row, milestones, attendance, audit log) as
-- it was, so the project can be started afresh without losing its history.
create table archived_programs (
    id          bigserial primary key,
    edition     text not null,
    project     text not null,
    archived_at timestamptz not null default now(),
    reason      text not null,
    record      jsonb not null
);

create index archived_programs_key_idx on archived_programs (edition, project);

---- create above / drop below ----

drop table archived_programs;
alter table programs drop column first_run_id;
