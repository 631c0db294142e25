-- The program lifecycle: editions, milestones, attendance, the outbox of
-- messages to send, and the audit log of every change.

-- Editions are versioned: applying a changed file adds a version; programs
-- keep the snapshot they started with.
create table editions (
    id         text not null,
    version    int not null,
    hash       text not null,
    spec       jsonb not null,
    applied_at timestamptz not null default now(),
    primary key (id, version)
);

alter table programs
    add column paused           boolean not null default false,
    add column mentors          text[] not null default '{}',
    add column score            int,
    add column jury_comment     text not null default '',
    add column next_due         date,
    add column next_reminder_at timestamptz,
    add column last_activity_at timestamptz;

create table milestones (
    edition      text not null,
    project      text not null,
    id           text not null,
    position     int not null,
    title_fr     text not null,
    title_en     text not null,
    due          date not null,
    evidence     text not null,
    optional     boolean not null default false,
    status       text not null,
    evidence_url text not null default '',
    note         text not null default '',
    closed_at    timestamptz,
    primary key (edition, project, id),
    foreign key (edition, project) references programs on delete cascade
);

create table attendance (
    edition     text not null,
    project     text not null,
    meetup      text not null,
    recorded_by text not null,
    note        text not null default '',
    recorded_at timestamptz not null,
    primary key (edition, project, meetup),
    foreign key (edition, project) references programs on delete cascade
);

-- Messages waiting to be sent, keyed by a business idempotency key so a
-- retried activity or a replayed workflow never queues a message twice.
create table outbox (
    key        text primary key,
    edition    text not null,
    project    text not null,
    kind       text not null,
    subject    text not null default '',
    milestone  text not null default '',
    due        date,
    recipient  text not null,
    payload    jsonb not null default '{}',
    created_at timestamptz not null default now(),
    status     text not null default 'pending',
    sent_at    timestamptz
);

create index outbox_pending_idx on outbox (created_at) where status = 'pending';
create index outbox_program_idx on outbox (edition, project);

-- Who did what, when, through which Update ID. One row per change of the
-- program's state, keyed by the workflow's sequence number.
create table audit_log (
    edition   text not null,
    project   text not null,
    seq       bigint not null,
    at        timestamptz not null,
    actor     text not null,
    action    text not null,
    update_id text not null default '',
    detail    jsonb not null default '{}',
    primary key (edition, project, seq)
);

---- create above / drop below ----

drop table audit_log;
drop table outbox;
drop table attendance;
drop table milestones;
alter table programs
    drop column paused, drop column mentors, drop column score, drop column jury_comment,
    drop column next_due, drop column next_reminder_at, drop column last_activity_at;
drop table editions;
