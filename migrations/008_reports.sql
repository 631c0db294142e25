-- Funders and their monthly progress reports.

create table funders (
    slug       text primary key,
    name       text not null,
    lang       text not null default 'fr' check (lang in ('fr', 'en')),
    created_at timestamptz not null default now()
);

-- Who receives a funder's report. Each contact also holds the funder role
-- (a grant), so that they can sign in and read it.
create table funder_contacts (
    funder text not null references funders on delete cascade,
    email  text not null check (email = lower(email)),
    primary key (funder, email)
);

-- Funders named before this table existed, by a grant or a program.
insert into funders (slug, name)
select distinct funder, funder from (
    select funder from program_funders
    union select funder from grants where role = 'funder' and funder <> '') f
on conflict do nothing;

alter table program_funders
    add constraint program_funders_funder_fkey foreign key (funder) references funders on delete cascade,
    -- When the funding began and (once undone) ended, so that a past
    -- month's report lists the programs funded then. Links made before
    -- this column are taken as funding the program from its start.
    add column funded_at timestamptz not null default now(),
    add column unfunded_at timestamptz;
update program_funders pf set funded_at = p.started_at from programs p
where p.edition = pf.edition and p.project = pf.project;

-- When Suivi learned of each fact, so that a report for a past month uses
-- only what was known at that month's end and never changes afterwards.
-- Rows recorded before this column existed are taken as known when they
-- happened.
alter table repo_commits add column seen_at timestamptz not null default now();
update repo_commits set seen_at = least(seen_at, committed_at);
alter table repo_releases add column seen_at timestamptz not null default now();
update repo_releases set seen_at = least(seen_at, published_at);
alter table repo_issues
    add column seen_at timestamptz not null default now(),
    add column closed_seen_at timestamptz,
    add column first_response_seen_at timestamptz;
update repo_issues set seen_at = least(seen_at, created_at),
    closed_seen_at = closed_at, first_response_seen_at = first_response_at;

-- GitHub's licence ids as Suivi now stores them: none for NOASSERTION, the
-- current SPDX id for GitHub's deprecated GNU ids.
update repos set license = case
    when license in ('NOASSERTION', 'other') then ''
    when license in ('GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0', 'AGPL-3.0') then license || '-only'
    else license end
where license in ('NOASSERTION', 'other', 'GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0', 'AGPL-3.0');
update repo_snapshots set license = case
    when license in ('NOASSERTION', 'other') then ''
    else license || '-only' end
where license in ('NOASSERTION', 'other', 'GPL-2.0', 'GPL-3.0', 'LGPL-2.1', 'LGPL-3.0', 'AGPL-3.0');

-- Each licence verdict when it changed: a past month's report shows the
-- licence as it stood then, not as the latest check found it.
create table repo_licences (
    repo       text not null references repos on delete cascade,
    checked_at timestamptz not null,
    spdx       text not null,
    open       boolean,
    primary key (repo, checked_at)
);

insert into repo_licences (repo, checked_at, spdx, open)
select name, licence_checked_at, licence_spdx, licence_open from repos where licence_checked_at is not null;

-- Each program's phases and when each began, kept by the projection.
-- Backfilled from the audit log, which records every change of phase.
create table program_phases (
    edition text not null,
    project text not null,
    seq     bigint not null,
    phase   text not null,
    since   timestamptz not null,
    primary key (edition, project, seq),
    foreign key (edition, project) references programs on delete cascade
);

insert into program_phases (edition, project, seq, phase, since)
select a.edition, a.project, a.seq,
    case a.action
        when 'started' then 'applied'
        when 'select' then 'selected'
        when 'reject' then 'rejected'
        when 'withdraw' then 'withdrawn'
        when 'graduate' then 'graduated'
        else substr(a.action, 7) end,
    a.at
from audit_log a join programs p using (edition, project)
where a.action in ('started', 'select', 'reject', 'withdraw', 'graduate') or a.action like 'phase:%'
on conflict do nothing;

-- Any step taken by a dormant program woke it (the audit detail says so).
insert into program_phases (edition, project, seq, phase, since)
select a.edition, a.project, a.seq, 'accompaniment', a.at
from audit_log a join programs p using (edition, project)
where a.detail->>'woke' = 'true' and a.action not in ('withdraw', 'graduate')
on conflict do nothing;

-- Reports as generated: the figures (data) and the files built from them.
-- A funder's report for a month is written once and never rewritten.
create table reports (
    id           bigserial primary key,
    kind         text not null check (kind in ('funder', 'edition')),
    subject      text not null,
    city         text not null default '',
    month        text not null check (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
    lang         text not null check (lang in ('fr', 'en')),
    generated_at timestamptz not null default now(),
    data         jsonb not null,
    pdf          bytea not null,
    csv          bytea not null,
    unique (kind, subject, city, month, lang)
);

---- create above / drop below ----

drop table reports;
drop table program_phases;
drop table repo_licences;
alter table repo_issues drop column seen_at, drop column closed_seen_at, drop column first_response_seen_at;
alter table repo_releases drop column seen_at;
alter table repo_commits drop column seen_at;
alter table program_funders drop constraint program_funders_funder_fkey, drop column funded_at, drop column unfunded_at;
drop table funder_contacts;
drop table funders;
