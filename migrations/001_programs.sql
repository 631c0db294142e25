-- Programs: the read model of each program workflow, one row per
-- (edition, project). The workflow is the source of truth; this table is its
-- projection, written by an idempotent activity guarded by seq.
create table programs (
    edition      text not null,
    project      text not null,
    name         text not null,
    holders      text[] not null default '{}',
    repositories text[] not null default '{}',
    city         text not null default '',
    theme        text not null default '',
    phase        text not null,
    workflow_id  text not null unique,
    started_at   timestamptz not null,
    seq          bigint not null,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    primary key (edition, project)
);

create index programs_phase_idx on programs (phase);

---- create above / drop below ----

drop table programs;
