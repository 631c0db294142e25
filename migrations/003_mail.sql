-- Delivering the outbox: each message is claimed before it is sent and
-- marked with the server's reply after; people choose their language and how
-- many reminders they get.

alter table outbox
    add column attempts   int not null default 0,
    -- A temporary failure puts the message back for later, with backoff.
    add column next_attempt_at timestamptz,
    add column claimed_at timestamptz,
    add column reply      text not null default '',
    add column error      text not null default '';

-- pending → sending → sent | failed | uncertain; reminders to people who
-- chose a digest are held then digested, to people who chose escalations
-- only they are skipped.
alter table outbox add constraint outbox_status_check
    check (status in ('pending', 'sending', 'sent', 'failed', 'uncertain', 'held', 'digested', 'skipped'));

create table people (
    email      text primary key,
    locale     text not null default 'fr' check (locale in ('fr', 'en')),
    reminders  text not null default 'all' check (reminders in ('all', 'digest', 'escalations')),
    updated_at timestamptz not null default now()
);

---- create above / drop below ----

drop table people;
alter table outbox drop constraint outbox_status_check;
alter table outbox drop column attempts, drop column next_attempt_at, drop column claimed_at, drop column reply, drop column error;
